"""Recurrence of meetings: an RRULE checked and bounded at the edge (FREQ at least DAILY, a
maximum INTERVAL, COUNT and span), and expanded in the meeting's own zone with a scan budget, so
no rule can run unbounded."""

from __future__ import annotations

import zoneinfo
from datetime import UTC, datetime, timedelta

from dateutil.rrule import rrule as RRule
from dateutil.rrule import rrulestr
from django.core.exceptions import ValidationError

MAX_OCCURRENCES = 400

RRULE_FREQUENCIES = ("DAILY", "WEEKLY", "MONTHLY", "YEARLY")
RRULE_PARTS = frozenset(
    {"FREQ", "INTERVAL", "COUNT", "UNTIL", "BYDAY", "BYMONTHDAY", "BYMONTH", "BYSETPOS", "WKST"}
)
MAX_INTERVAL = 99
MAX_SERIES_DAYS = 5 * 366
# Days dateutil may examine past the last wanted occurrence before the series counts as ended: a
# rule with no further match (Feb 30) would otherwise be searched day by day up to year 9999.
SCAN_SLACK_DAYS = 8 * 366


class _ScanBudgetExceeded(Exception):
    pass


class _CountingMonths(tuple[int, ...]):
    """Stands in for dateutil's BYMONTH set: the same months, but every day dateutil examines
    passes through `in` here, so the scan is counted and stopped at its budget."""

    budget: int

    def __contains__(self, month: object) -> bool:
        self.budget -= 1
        if self.budget < 0:
            raise _ScanBudgetExceeded
        return super().__contains__(month)


def _rrule_error(message: str) -> ValidationError:
    return ValidationError({"rrule": message})


def _check_rrule_parts(text: str) -> None:
    """Only daily or slower rules with the parts a calendar needs; numbers within bounds."""
    parts: dict[str, str] = {}
    for chunk in text.split(";"):
        name, sep, value = chunk.partition("=")
        name = name.strip().upper()
        if not sep or not name or name in parts:
            raise _rrule_error("Write the RRULE as NAME=value parts separated by “;”, once each.")
        if name not in RRULE_PARTS:
            raise _rrule_error(f"{name} is not supported; use {', '.join(sorted(RRULE_PARTS))}.")
        parts[name] = value.strip()
    if parts.get("FREQ", "").upper() not in RRULE_FREQUENCIES:
        raise _rrule_error("FREQ must be DAILY, WEEKLY, MONTHLY or YEARLY.")
    for name, top in (("INTERVAL", MAX_INTERVAL), ("COUNT", MAX_OCCURRENCES)):
        if name in parts and not (parts[name].isdigit() and 1 <= int(parts[name]) <= top):
            raise _rrule_error(f"{name} must be a whole number from 1 to {top}.")
    if "COUNT" in parts and "UNTIL" in parts:
        raise _rrule_error("Give COUNT or UNTIL, not both.")
    if parts["FREQ"].upper() == "YEARLY" and any(c.isdigit() for c in parts.get("BYDAY", "")):
        raise _rrule_error(
            "A yearly rule takes plain weekdays in BYDAY (use FREQ=MONTHLY for 2MO)."
        )


def parse_rrule(rule: str, *, start: datetime, time_zone: str) -> RRule:
    """Parse an RRULE against the meeting's local start (wall-clock, so DST keeps the hour).

    Limits (docs/meetings.md): FREQ DAILY or slower, INTERVAL ≤ MAX_INTERVAL, COUNT ≤
    MAX_OCCURRENCES, UNTIL within MAX_SERIES_DAYS of the start.
    """
    text = rule.strip().removeprefix("RRULE:")
    _check_rrule_parts(text)
    local = start.astimezone(zoneinfo.ZoneInfo(time_zone))
    try:
        parsed = rrulestr(text, dtstart=local)
    except (ValueError, TypeError, OverflowError) as exc:
        raise _rrule_error(f"Not a valid RFC 5545 RRULE: {exc}.") from exc
    if not isinstance(parsed, RRule):
        raise _rrule_error("Give one RRULE (e.g. FREQ=WEEKLY;BYDAY=MO;COUNT=10).")
    until = parsed._until  # type: ignore[attr-defined]
    if until is not None and until > local + timedelta(days=MAX_SERIES_DAYS):
        raise _rrule_error(f"UNTIL must be within {MAX_SERIES_DAYS // 366} years of the start.")
    return parsed


def _occurrences(parsed: RRule, *, start: datetime, until: datetime) -> list[datetime]:
    """Local occurrences up to `until` (at most MAX_OCCURRENCES), examining a bounded number of
    days however sparse or impossible the rule is."""
    months = _CountingMonths(parsed._bymonth or range(1, 13))  # type: ignore[attr-defined]
    months.budget = max((until - start).days, 0) + SCAN_SLACK_DAYS
    parsed._bymonth = months  # type: ignore[attr-defined]  # the same months, only counted
    out: list[datetime] = []
    try:
        for local in parsed:
            if local > until or len(out) >= MAX_OCCURRENCES:
                break
            out.append(local)
    except _ScanBudgetExceeded:
        pass  # no occurrence within reach: the series ends here
    return out


def expand(
    *, rule: str, start: datetime, end: datetime, time_zone: str, until: datetime
) -> list[tuple[datetime, datetime]]:
    """Occurrences (UTC start, UTC end) of the series from `start` up to `until`, first included."""
    duration = end - start
    if not rule:
        return [(start, end)]
    parsed = parse_rrule(rule, start=start, time_zone=time_zone)
    out = [
        (occ, occ + duration)
        for occ in (
            local.astimezone(UTC) for local in _occurrences(parsed, start=start, until=until)
        )
    ]
    if not out or out[0][0] != start.astimezone(UTC):
        raise ValidationError({"rrule": "The RRULE must include the meeting's own start."})
    return out

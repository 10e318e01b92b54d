"""The period picker: MTD, QTD, YTD, trailing 90 days or a custom range, in the company's calendar.

Months, quarters and years are fiscal (salesops.calendar). Every period has a previous period to
compare against: the same span one month/quarter/year earlier for the *-to-date periods (Mar 1–20
compares with Feb 1–20; calendar.same_span_before), and the equally long span just before for
trailing and custom.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import ValidationError

from salesops import calendar
from salesops.calendar import company_today

__all__ = ["DEFAULT_PERIOD", "PERIOD_CHOICES", "Period", "company_today", "resolve_period"]

PERIOD_CHOICES = (
    ("mtd", "Month to date"),
    ("qtd", "Quarter to date"),
    ("ytd", "Year to date"),
    ("t90", "Trailing 90 days"),
    ("custom", "Custom range"),
)
DEFAULT_PERIOD = "qtd"
MAX_CUSTOM_DAYS = 366 * 3


@dataclass(frozen=True)
class Period:
    key: str
    label: str
    start: date
    end: date
    prev_start: date
    prev_end: date
    # The end of the whole month/quarter/year a *-to-date period lies in (quotas and pace are for
    # the whole period); the end itself for trailing and custom ranges.
    full_end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def resolve_period(
    *, key: str, today: date, start: date | None = None, end: date | None = None
) -> Period:
    """The period `key` ending today (custom: [start, end]). Raises ValidationError on bad input."""
    labels = dict(PERIOD_CHOICES)
    if key not in labels:
        raise ValidationError({"period": f"Unknown period '{key}'."})
    if key == "custom":
        if start is None or end is None:
            raise ValidationError({"start": "A custom range needs a start and an end date."})
        if end < start:
            raise ValidationError({"end": "The end date is before the start date."})
        if (end - start).days > MAX_CUSTOM_DAYS:
            raise ValidationError({"end": "A custom range may span at most three years."})
        length = end - start + timedelta(days=1)
        return Period(key, labels[key], start, end, start - length, start - timedelta(days=1), end)
    if key == "t90":
        first = today - timedelta(days=89)
        return Period(
            key,
            labels[key],
            first,
            today,
            first - timedelta(days=90),
            first - timedelta(days=1),
            today,
        )
    kind = {"mtd": calendar.MONTH, "qtd": calendar.QUARTER, "ytd": calendar.YEAR}[key]
    fiscal = calendar.period_containing(today, kind)
    prev_start, prev_end = calendar.same_span_before(fiscal, today)
    return Period(key, labels[key], fiscal.start, today, prev_start, prev_end, fiscal.end)

"""Meeting times as people read them: converted once, here, and labelled with their zone.

A meeting is shown in its own zone and, when the reader's wall clock differs, in the reader's:
"Tue 12 Jan 2027, 09:30–10:00 Europe/Berlin (08:30–09:00 your time, Europe/London)". Pages (the
`meeting_time` template tags), reminders and find-a-time all format through this module, so no
template converts a meeting's time a second time.

A wall-clock time that happens twice (the hour clocks go back) carries its abbreviation,
"01:30 EDT" / "01:30 EST", so two different instants never read the same.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo

from django.utils import dateformat

DAY = "D j M Y"
SHORT_DAY = "D j M"
WALL_CLOCK = "%Y-%m-%dT%H:%M"  # what <input type="datetime-local"> holds


def zone_of(zone: str | tzinfo) -> tzinfo:
    return zoneinfo.ZoneInfo(zone) if isinstance(zone, str) else zone


def zone_name(zone: str | tzinfo) -> str:
    return zone if isinstance(zone, str) else str(getattr(zone, "key", zone))


def repeated(local: datetime) -> bool:
    """Whether `local`'s wall-clock time names two instants in its zone (clocks went back)."""
    return local.replace(fold=1 - local.fold).utcoffset() != local.utcoffset()


def clock(local: datetime) -> str:
    text = f"{local:%H:%M}"
    return f"{text} {local.tzname()}" if repeated(local) else text


def span(start: datetime, end: datetime | None, day_format: str | None) -> str:
    """'Tue 12 Jan 2027, 09:30–10:00' for local datetimes; the day only with a `day_format`, the
    end's day whenever it differs from the start's."""
    text = clock(start)
    if day_format:
        text = f"{dateformat.format(start, day_format)}, {text}"
    if end is None:
        return text
    if end.date() != start.date():
        return f"{text} – {dateformat.format(end, SHORT_DAY)}, {clock(end)}"
    return f"{text}–{clock(end)}"


def when(
    start: datetime,
    end: datetime | None,
    *,
    zone: str | tzinfo,
    viewer_zone: str | tzinfo | None = None,
    day_format: str | None = DAY,
) -> str:
    """The meeting's time in its `zone`, then the viewer's when their wall clock differs.

    The viewer's part names its day only when that day differs from the meeting's."""
    tz = zone_of(zone)
    s, e = start.astimezone(tz), end.astimezone(tz) if end is not None else None
    text = f"{span(s, e, day_format)} {zone_name(zone)}"
    if viewer_zone is None:
        return text
    vz = zone_of(viewer_zone)
    vs, ve = start.astimezone(vz), end.astimezone(vz) if end is not None else None
    if _wall(vs) == _wall(s) and (e is None or _wall(ve) == _wall(e)):
        return text
    own_day = None
    if vs.date() != s.date():
        own_day = SHORT_DAY if day_format in (None, DAY) else day_format
    return f"{text} ({span(vs, ve, own_day)} your time, {zone_name(viewer_zone)})"


def _wall(moment: datetime | None) -> datetime | None:
    return moment.replace(tzinfo=None, fold=0) if moment is not None else None


@dataclass(frozen=True)
class SlotChoice:
    """One find-a-time slot as the booking form takes it: wall-clock values for the
    datetime-local fields (in the meeting's zone) plus the exact instants, which settle the
    repeated hour when clocks go back."""

    start: str
    end: str
    start_instant: str
    end_instant: str
    label: str


def slot_choices(
    slots: Iterable[tuple[datetime, datetime]], *, zone: str | tzinfo
) -> list[SlotChoice]:
    tz = zone_of(zone)
    out = []
    for start, end in slots:
        s, e = start.astimezone(tz), end.astimezone(tz)
        out.append(
            SlotChoice(
                start=s.strftime(WALL_CLOCK),
                end=e.strftime(WALL_CLOCK),
                start_instant=start.astimezone(UTC).isoformat(),
                end_instant=end.astimezone(UTC).isoformat(),
                label=span(s, e, SHORT_DAY),
            )
        )
    return out

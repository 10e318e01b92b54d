"""Find a time: the earliest slots free for every attendee, inside everyone's working hours.

Pure interval arithmetic on UTC datetimes (no per-minute grid): each person's working hours are
turned into UTC intervals day by day in their own time zone (so daylight-saving changes are
exact), intersected across people, and the union of everyone's busy meetings (widened by the
buffers) is cut out. Candidate starts sit on a `step` grid counted from the Unix epoch.
"""

from __future__ import annotations

import bisect
import zoneinfo
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from django.db.models import Q
from django.utils import timezone

from meetings import conf
from meetings.models import BUSY_RSVPS, Attendee, MeetingStatus
from meetings.selectors.busy import outside_busy
from meetings.services.recurrence import expand
from salesops.models import Person

Interval = tuple[datetime, datetime]
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class WorkingHours:
    person_id: int
    time_zone: str
    work_start: time
    work_end: time
    work_days: str  # ISO weekdays, "12345" = Monday to Friday

    @classmethod
    def of(cls, person: Person) -> WorkingHours:
        return cls(
            person.pk, person.time_zone, person.work_start, person.work_end, person.work_days
        )

    def intervals(self, start: datetime, end: datetime) -> list[Interval]:
        """This person's working hours as UTC intervals overlapping [start, end)."""
        tz = zoneinfo.ZoneInfo(self.time_zone)
        day = start.astimezone(tz).date() - timedelta(days=1)
        last = end.astimezone(tz).date() + timedelta(days=1)
        out: list[Interval] = []
        while day <= last:
            if str(day.isoweekday()) in self.work_days:
                ws = datetime.combine(day, self.work_start, tzinfo=tz).astimezone(UTC)
                we = datetime.combine(day, self.work_end, tzinfo=tz).astimezone(UTC)
                lo, hi = max(ws, start), min(we, end)
                if lo < hi:
                    out.append((lo, hi))
            day += timedelta(days=1)
        return out

    def contains(self, start: datetime, end: datetime) -> bool:
        """Whether [start, end) lies inside one working day of this person."""
        return any(
            lo <= start and end <= hi for lo, hi in self.intervals(start, end + timedelta(1))
        )


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    out: list[Interval] = []
    for lo, hi in sorted(intervals):
        if out and lo <= out[-1][1]:
            if hi > out[-1][1]:
                out[-1] = (out[-1][0], hi)
        else:
            out.append((lo, hi))
    return out


def intersect(a: Sequence[Interval], b: Sequence[Interval]) -> list[Interval]:
    """Intersection of two sorted, disjoint interval lists."""
    out: list[Interval] = []
    i = j = 0
    while i < len(a) and j < len(b):
        lo, hi = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if lo < hi:
            out.append((lo, hi))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return out


def subtract(a: Sequence[Interval], b: Sequence[Interval]) -> list[Interval]:
    """`a` minus `b`; both sorted and disjoint."""
    out: list[Interval] = []
    j = 0
    for lo, hi in a:
        cur = lo
        while j < len(b) and b[j][1] <= cur:
            j += 1
        k = j
        while k < len(b) and b[k][0] < hi:
            if b[k][0] > cur:
                out.append((cur, b[k][0]))
            cur = max(cur, b[k][1])
            k += 1
        if cur < hi:
            out.append((cur, hi))
    return out


def _ceil_to_step(moment: datetime, step: timedelta) -> datetime:
    steps = -((EPOCH - moment) // step)  # ceiling division on timedeltas
    return EPOCH + steps * step


def free_slots(
    *,
    people: Sequence[WorkingHours],
    busy: Iterable[Interval],
    window_start: datetime,
    window_end: datetime,
    duration: timedelta,
    buffer_before: timedelta = timedelta(0),
    buffer_after: timedelta = timedelta(0),
    step: timedelta = timedelta(minutes=30),
    limit: int = 5,
) -> list[Interval]:
    """The earliest `limit` slots [s, s + duration) on the step grid inside the window such that
    the slot lies in every person's working hours and [s - buffer_before, e + buffer_after)
    overlaps none of the busy intervals."""
    if duration <= timedelta(0) or window_end <= window_start or limit <= 0:
        return []
    common: list[Interval] = [(window_start, window_end)]
    for person in people:
        common = intersect(common, person.intervals(window_start, window_end))
        if not common:
            return []
    blocked = merge((bs - buffer_after, be + buffer_before) for bs, be in busy)
    slots: list[Interval] = []
    for lo, hi in subtract(common, blocked):
        start = _ceil_to_step(lo, step)
        while start + duration <= hi:
            slots.append((start, start + duration))
            if len(slots) == limit:
                return slots
            start += step
    return slots


def busy_intervals(
    *,
    person_ids: Sequence[int],
    start: datetime,
    end: datetime,
    exclude_meeting_id: int | None = None,
) -> list[Interval]:
    """Meetings (not cancelled) any of these people accepted, hold pending or tentative, and
    the busy blocks of their outside calendars, that overlap [start, end). Two queries."""
    rows = Attendee.objects.filter(
        person_id__in=list(person_ids),
        rsvp__in=BUSY_RSVPS,
        meeting__start__lt=end,
        meeting__end__gt=start,
    ).exclude(meeting__status=MeetingStatus.CANCELLED)
    if exclude_meeting_id is not None:
        rows = rows.filter(~Q(meeting_id=exclude_meeting_id))
    meetings = list(rows.values_list("meeting__start", "meeting__end"))
    return meetings + outside_busy(person_ids=person_ids, start=start, end=end)


# How many first-occurrence candidates a recurring search examines before giving up.
MAX_SERIES_CANDIDATES = 200


def _overlaps(
    blocked: Sequence[Interval], starts: Sequence[datetime], s: datetime, e: datetime
) -> bool:
    """Whether [s, e) overlaps one of `blocked` (sorted, disjoint; `starts` their starts)."""
    i = bisect.bisect_left(starts, e)
    return i > 0 and blocked[i - 1][1] > s


def series_free(
    *,
    occurrences: Sequence[Interval],
    people: Sequence[WorkingHours],
    blocked: Sequence[Interval],
) -> bool:
    """Every occurrence lies in everyone's working hours and overlaps nothing blocked (the busy
    intervals already widened by the buffers, merged and sorted)."""
    starts = [lo for lo, _ in blocked]
    return all(
        not _overlaps(blocked, starts, s, e) and all(p.contains(s, e) for p in people)
        for s, e in occurrences
    )


def find_time(
    *,
    person_ids: Sequence[int],
    duration: timedelta,
    window_start: datetime,
    window_end: datetime,
    buffer_before: timedelta = timedelta(0),
    buffer_after: timedelta = timedelta(0),
    step: timedelta = timedelta(minutes=30),
    limit: int = 5,
    exclude_meeting_id: int | None = None,
    rrule: str = "",
    time_zone: str | None = None,
) -> list[Interval]:
    """Load the attendees' hours and busy times and compute `free_slots`.

    With an `rrule` a slot is offered only if every occurrence the booking would create (the
    same expansion and horizon as meeting_schedule, in `time_zone`) is free too, so the form
    accepts what find-a-time offers. Raises ValidationError for an invalid RRULE."""
    people = [WorkingHours.of(p) for p in Person.objects.filter(pk__in=list(person_ids))]
    horizon = conf.recurrence_horizon() if rrule else timedelta(0)
    busy = busy_intervals(
        person_ids=person_ids,
        start=window_start - buffer_before,
        end=window_end + horizon + buffer_after,
        exclude_meeting_id=exclude_meeting_id,
    )
    slots = free_slots(
        people=people,
        busy=busy,
        window_start=window_start,
        window_end=window_end,
        duration=duration,
        buffer_before=buffer_before,
        buffer_after=buffer_after,
        step=step,
        limit=MAX_SERIES_CANDIDATES if rrule else limit,
    )
    if not rrule:
        return slots
    return _series_slots(
        slots=slots,
        people=people,
        blocked=merge((bs - buffer_after, be + buffer_before) for bs, be in busy),
        rrule=rrule,
        time_zone=time_zone or conf.company_time_zone(),
        limit=limit,
    )


def _series_slots(
    *,
    slots: Sequence[Interval],
    people: Sequence[WorkingHours],
    blocked: Sequence[Interval],
    rrule: str,
    time_zone: str,
    limit: int,
) -> list[Interval]:
    now = timezone.now()
    out: list[Interval] = []
    for s, e in slots:
        occurrences = expand(
            rule=rrule,
            start=s,
            end=e,
            time_zone=time_zone,
            until=max(s, now) + conf.recurrence_horizon(),
        )
        if series_free(occurrences=occurrences[1:], people=people, blocked=blocked):
            out.append((s, e))
            if len(out) == limit:
                break
    return out

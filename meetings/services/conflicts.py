"""Who is busy when: attendees' other meetings (and outside calendars), and working hours, with
messages that show another meeting's title only to those who may see it."""

from __future__ import annotations

import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone

from meetings.models import (
    BUSY_RSVPS,
    Attendee,
    MeetingStatus,
)
from meetings.services.findtime import WorkingHours
from salesops.models import Person
from salesops.selectors.scope import AnyUser, scope_for

WEEKDAYS = "MTWTFSS"


@dataclass(frozen=True)
class Conflict:
    person_id: int
    person_name: str
    meeting_id: int
    title: str
    start: datetime
    end: datetime
    # Whether the one scheduling may see the other meeting: if not, the message says "busy" and
    # the time, never the title. find_conflicts sets it from its `viewer`.
    visible: bool = True

    def message(self, time_zone: str) -> str:
        tz = zoneinfo.ZoneInfo(time_zone)
        s, e = self.start.astimezone(tz), self.end.astimezone(tz)
        if not self.visible:
            return f"{self.person_name} is busy on {s:%a %d %b %H:%M}–{e:%H:%M} ({time_zone})."
        return (
            f"{self.person_name} is already in “{self.title}” on {s:%a %d %b %H:%M}–{e:%H:%M} "
            f"({time_zone})."
        )


class ConflictError(ValidationError):
    """Attendees are busy. Carries the conflicts; retry with allow_conflicts=True to override."""

    def __init__(self, conflicts: list[Conflict], time_zone: str) -> None:
        self.conflicts = conflicts
        super().__init__({"attendees": [c.message(time_zone) for c in conflicts]}, code="conflict")


def validate_basics(
    *, title: str, start: datetime, end: datetime, time_zone: str, agenda_minutes: int
) -> None:
    errors: dict[str, str] = {}
    if not title.strip():
        errors["title"] = "Give the meeting a title."
    if timezone.is_naive(start) or timezone.is_naive(end):
        errors["start"] = "Start and end need a time zone."
    elif end <= start:
        errors["end"] = "The meeting must end after it starts."
    if time_zone not in zoneinfo.available_timezones():
        errors["time_zone"] = f"'{time_zone}' is not a known IANA time zone."
    if not errors:
        minutes = int((end - start).total_seconds() // 60)
        if agenda_minutes > minutes:
            errors["agenda"] = (
                f"The agenda needs {agenda_minutes} minutes but the meeting lasts {minutes}."
            )
    if errors:
        raise ValidationError(errors)


def _hours_label(hours: WorkingHours) -> str:
    days = "".join(WEEKDAYS[int(d) - 1] for d in sorted(hours.work_days))
    return f"{hours.work_start:%H:%M}–{hours.work_end:%H:%M} {hours.time_zone}, days {days}"


def _sees_person(viewer: AnyUser | None, person: Person) -> bool:
    if viewer is None:  # a trusted caller (commands, tasks): no user to hide anything from
        return True
    scope = scope_for(viewer)
    return scope.everything or person.pk == scope.person_id or person.team_id in scope.team_ids


def working_hours_problems(
    *,
    people: Sequence[Person],
    occurrences: Sequence[tuple[datetime, datetime]],
    viewer: AnyUser | None = None,
    time_zone: str | None = None,
) -> list[str]:
    """Messages for every person for whom an occurrence falls outside their working hours.

    Someone's hours and zone are named only to a viewer who sees that person (no viewer: a
    trusted caller); to others the message gives the time in the meeting's zone (`time_zone`)
    and says they are unavailable. The API and pages always pass the user as `viewer`."""
    problems: list[str] = []
    for person in people:
        hours = WorkingHours.of(person)
        for start, end in occurrences:
            if not hours.contains(start, end):
                if _sees_person(viewer, person):
                    local = start.astimezone(zoneinfo.ZoneInfo(person.time_zone))
                    problems.append(
                        f"{person.name}: {local:%a %d %b %H:%M} local time is outside their "
                        f"working hours ({_hours_label(hours)})."
                    )
                else:
                    zone = time_zone or person.time_zone
                    shown = start.astimezone(zoneinfo.ZoneInfo(zone))
                    problems.append(
                        f"{person.name} is not available on {shown:%a %d %b %H:%M} ({zone}): "
                        f"outside their working hours."
                    )
                break
    return problems


def _outside_conflicts(
    *, person_ids: Sequence[int], occurrences: Sequence[tuple[datetime, datetime]]
) -> list[Conflict]:
    """Busy blocks of the people's outside calendars (meetings.services.feeds) overlapping an
    occurrence: never titled (meeting_id 0, not visible), so the message says only "busy"."""
    from meetings.selectors.busy import outside_busy_by_person

    lo = min(s for s, _ in occurrences)
    hi = max(e for _, e in occurrences)
    blocks = [
        b
        for b in outside_busy_by_person(person_ids=person_ids, start=lo, end=hi)
        if any(b[1] < e and b[2] > s for s, e in occurrences)
    ]
    names = dict(Person.objects.filter(pk__in={b[0] for b in blocks}).values_list("pk", "name"))
    return [Conflict(pid, names[pid], 0, "", s, e, visible=False) for pid, s, e in blocks]


def find_conflicts(
    *,
    person_ids: Sequence[int],
    occurrences: Sequence[tuple[datetime, datetime]],
    exclude_meeting_ids: Sequence[int] = (),
    viewer: AnyUser | None = None,
) -> list[Conflict]:
    """Meetings (not cancelled) the people accepted, hold pending or tentative, overlapping any
    occurrence. One query over the span, overlaps checked per occurrence. With a `viewer` (the
    API and pages always pass one) a conflict is `visible` (its title may be named) only if the
    viewer sees that meeting."""
    if not person_ids or not occurrences:
        return []
    lo = min(s for s, _ in occurrences)
    hi = max(e for _, e in occurrences)
    rows = (
        Attendee.objects.filter(
            person_id__in=list(person_ids),
            rsvp__in=BUSY_RSVPS,
            meeting__start__lt=hi,
            meeting__end__gt=lo,
        )
        .exclude(meeting__status=MeetingStatus.CANCELLED)
        .exclude(meeting_id__in=list(exclude_meeting_ids))
        .select_related("meeting", "person")
        .order_by("meeting__start", "person__name")
    )
    conflicts: list[Conflict] = []
    for row in rows:
        m = row.meeting
        if any(m.start < e and m.end > s for s, e in occurrences):
            person: Person = row.person  # type: ignore[assignment]
            conflicts.append(Conflict(person.pk, person.name, m.pk, m.title, m.start, m.end))
    conflicts.extend(_outside_conflicts(person_ids=person_ids, occurrences=occurrences))
    if viewer is not None and conflicts:
        from meetings.selectors.meetings import visible_meetings

        seen = set(
            visible_meetings(user=viewer)
            .filter(pk__in={c.meeting_id for c in conflicts})
            .values_list("pk", flat=True)
        )
        conflicts = [replace(c, visible=c.meeting_id in seen) for c in conflicts]
    return conflicts

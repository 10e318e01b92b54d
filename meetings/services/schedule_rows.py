"""What a meeting write is made of, shared by scheduling, editing and series: the inputs
(attendees, agenda), the rows they become (attendees, agenda items, a series' occurrences), and
the check of the people's conflicts and working hours."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone

from meetings.models import AgendaItem, Attendee, Meeting, MeetingType, Rsvp
from meetings.services.conflicts import ConflictError, find_conflicts, working_hours_problems
from salesops.models import Person
from salesops.selectors.scope import AnyUser


@dataclass(frozen=True)
class AttendeeInput:
    person: Person | None = None
    name: str = ""
    email: str = ""
    required: bool = True


@dataclass(frozen=True)
class AgendaInput:
    title: str
    minutes: int
    owner: Person | None = None
    notes: str = ""


@dataclass
class ScheduleResult:
    meeting: Meeting
    warnings: list[str] = field(default_factory=list)


def occurrence_rows(
    *, master: Meeting, occurrences: Sequence[tuple[datetime, datetime]]
) -> list[Meeting]:
    """Unsaved occurrences of a series, each a copy of its first meeting at its own time."""
    return [
        Meeting(
            title=master.title,
            type=master.type,
            organizer=master.organizer,
            start=s,
            end=e,
            duration_minutes=master.duration_minutes,
            time_zone=master.time_zone,
            location=master.location,
            video_link=master.video_link,
            description=master.description,
            account=master.account,
            deal=master.deal,
            series=master,
            original_start=s,
        )
        for s, e in occurrences
    ]


def agenda_rows(agenda: Sequence[AgendaInput]) -> list[AgendaItem]:
    """Unsaved agenda items, numbered in the order given."""
    return [
        AgendaItem(order=i + 1, title=a.title, minutes=a.minutes, owner=a.owner, notes=a.notes)
        for i, a in enumerate(agenda)
    ]


def people_and_agenda_write(
    *, meetings: Sequence[Meeting], attendees: Sequence[Attendee], agenda: Sequence[AgendaItem]
) -> None:
    """Copy the attendees (with their answers) and the agenda onto every meeting given."""
    Attendee.objects.bulk_create(
        [
            Attendee(
                meeting=m,
                person=a.person,
                name=a.name,
                email=a.email,
                required=a.required,
                rsvp=a.rsvp,
                responded_at=a.responded_at,
            )
            for m in meetings
            for a in attendees
        ]
    )
    AgendaItem.objects.bulk_create(
        [
            AgendaItem(meeting=m, order=i.order, title=i.title, owner=i.owner, minutes=i.minutes)
            for m in meetings
            for i in agenda
        ]
    )


def attendee_rows(*, organizer: Person, attendees: Sequence[AttendeeInput]) -> list[Attendee]:
    """The organizer attends (accepted); people once each; externals once per email."""
    now = timezone.now()
    rows = [Attendee(person=organizer, rsvp=Rsvp.ACCEPTED, responded_at=now)]
    seen_people = {organizer.pk}
    seen_emails: set[str] = set()
    errors: list[str] = []
    for a in attendees:
        if a.person is not None:
            if a.person.pk in seen_people:
                continue
            if not a.person.active:
                errors.append(f"{a.person.name} is no longer active.")
            seen_people.add(a.person.pk)
            rows.append(Attendee(person=a.person, required=a.required))
        else:
            email = a.email.strip().lower()
            if not email:
                errors.append("An external attendee needs an email address.")
                continue
            if email in seen_emails:
                continue
            seen_emails.add(email)
            rows.append(Attendee(name=a.name.strip(), email=email, required=a.required))
    if errors:
        raise ValidationError({"attendees": errors})
    return rows


def check_people(
    *,
    meeting_type: str,
    time_zone: str,
    people: Sequence[Person],
    occurrences: Sequence[tuple[datetime, datetime]],
    allow_conflicts: bool,
    exclude_meeting_ids: Sequence[int] = (),
    viewer: AnyUser | None = None,
) -> list[str]:
    """Raise for conflicts (unless allowed) and working hours (internal meetings); return the
    warnings that remain."""
    warnings: list[str] = []
    hours = working_hours_problems(
        people=people, occurrences=occurrences, viewer=viewer, time_zone=time_zone
    )
    if hours and meeting_type != MeetingType.CLIENT:
        raise ValidationError({"start": hours})
    warnings.extend(f"Outside working hours — {msg}" for msg in hours)
    conflicts = find_conflicts(
        person_ids=[p.pk for p in people],
        occurrences=occurrences,
        exclude_meeting_ids=exclude_meeting_ids,
        viewer=viewer,
    )
    if conflicts and not allow_conflicts:
        raise ConflictError(conflicts, time_zone)
    warnings.extend(c.message(time_zone) for c in conflicts)
    return warnings

"""Scheduling meetings: the writes (schedule, update, extend a series, cancel, RSVP). Recurrence
rules live in meetings.services.recurrence, conflicts and working hours in meetings.services.conflicts
(their names are re-exported here for the callers that import them from this module). Past ~400
lines on purpose: the writes of one aggregate (a meeting and its series), each short, read together.

Recurring meetings are materialised within a horizon (conf.recurrence_horizon): the first meeting
carries the RRULE, every later occurrence is a Meeting row with `series` and `original_start`, with
its own attendees and agenda copied from the first. `meeting_series_extend` (daily beat) keeps the
horizon filled.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from meetings import conf
from meetings.models import (
    AgendaItem,
    Attendee,
    Meeting,
    MeetingStatus,
    MeetingType,
    Rsvp,
)
from meetings.services import invitations
from meetings.services.conflicts import (
    Conflict,
    ConflictError,
    find_conflicts,
    validate_basics,
    working_hours_problems,
)
from meetings.services.pursuit import meeting_deals_default
from meetings.services.recurrence import MAX_OCCURRENCES, expand, parse_rrule
from meetings.services.rsvp import rsvp_notify_organizer
from salesops.exceptions import ApplicationError
from salesops.models import Account, Deal, Person
from salesops.selectors.scope import AnyUser

__all__ = [
    "MAX_OCCURRENCES",
    "AgendaInput",
    "AttendeeInput",
    "Conflict",
    "ConflictError",
    "ScheduleResult",
    "attendee_rsvp",
    "expand",
    "find_conflicts",
    "meeting_cancel",
    "meeting_schedule",
    "meeting_series_extend",
    "meeting_update",
    "parse_rrule",
    "working_hours_problems",
]


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


# --- writes -----------------------------------------------------------------------------------


def _occurrence_rows(
    *, master: Meeting, occurrences: Sequence[tuple[datetime, datetime]]
) -> list[Meeting]:
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


def _write_people_and_agenda(
    *, meetings: Sequence[Meeting], attendees: Sequence[Attendee], agenda: Sequence[AgendaItem]
) -> None:
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


def _attendee_rows(*, organizer: Person, attendees: Sequence[AttendeeInput]) -> list[Attendee]:
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


def _check_people(
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


@transaction.atomic
def meeting_schedule(
    *,
    organizer: Person,
    title: str,
    type: str,
    start: datetime,
    end: datetime,
    time_zone: str | None = None,
    location: str = "",
    video_link: str = "",
    description: str = "",
    account: Account | None = None,
    deal: Deal | None = None,
    rrule: str = "",
    attendees: Sequence[AttendeeInput] = (),
    agenda: Sequence[AgendaInput] | None = None,
    allow_conflicts: bool = False,
    viewer: AnyUser | None = None,
) -> ScheduleResult:
    """Schedule a meeting (and, with an RRULE, its occurrences within the horizon).

    Rules: end after start; the agenda fits the meeting; internal attendees' working hours (a
    warning for client meetings); conflicts with meetings attendees accepted or hold pending are
    a ConflictError unless `allow_conflicts`. A kickoff without an agenda gets the proposed one.
    """
    from meetings.selectors.kickoff import kickoff_agenda_proposal, kickoff_warnings

    tz = time_zone or organizer.time_zone
    if type not in MeetingType.values:
        raise ValidationError({"type": f"Unknown meeting type '{type}'."})
    minutes = int((end - start).total_seconds() // 60) if end > start else 0
    if agenda is None and type == MeetingType.KICKOFF and minutes > 0:
        agenda = kickoff_agenda_proposal(start=start, minutes=minutes)
    agenda = list(agenda or [])
    validate_basics(
        title=title,
        start=start,
        end=end,
        time_zone=tz,
        agenda_minutes=sum(i.minutes for i in agenda),
    )
    occurrences = expand(
        rule=rrule,
        start=start,
        end=end,
        time_zone=tz,
        until=max(start, timezone.now()) + conf.recurrence_horizon(),
    )
    attendee_rows = _attendee_rows(organizer=organizer, attendees=attendees)
    people = [a.person for a in attendee_rows if a.person is not None]
    warnings = _check_people(
        meeting_type=type,
        time_zone=tz,
        people=people,
        occurrences=occurrences,
        allow_conflicts=allow_conflicts,
        viewer=viewer,
    )
    master = Meeting(
        title=title.strip(),
        type=type,
        organizer=organizer,
        start=start,
        end=end,
        duration_minutes=minutes,
        time_zone=tz,
        location=location,
        video_link=video_link,
        description=description,
        account=account,
        deal=deal,
        rrule=rrule.strip().removeprefix("RRULE:"),
        original_start=start if rrule else None,
    )
    master.full_clean(exclude=["organizer", "account", "deal", "series"])
    master.save()
    agenda_rows = [
        AgendaItem(order=i + 1, title=a.title, minutes=a.minutes, owner=a.owner, notes=a.notes)
        for i, a in enumerate(agenda)
    ]
    followers = Meeting.objects.bulk_create(
        _occurrence_rows(master=master, occurrences=occurrences[1:])
    )
    _write_people_and_agenda(
        meetings=[master, *followers], attendees=attendee_rows, agenda=agenda_rows
    )
    warnings.extend(kickoff_warnings(meeting=master))
    invitations.invitations_for_booking(meeting=master)
    meeting_deals_default(meeting=master)
    return ScheduleResult(meeting=master, warnings=warnings)


SCHEDULE_FIELDS = frozenset(
    {"title", "type", "start", "end", "time_zone", "location", "video_link", "description"}
)
EDITABLE_FIELDS = SCHEDULE_FIELDS | {"account", "deal", "rrule"}


@transaction.atomic
def meeting_update(
    *,
    meeting: Meeting,
    data: dict[str, Any],
    attendees: Sequence[AttendeeInput] | None = None,
    agenda: Sequence[AgendaInput] | None = None,
    allow_conflicts: bool = False,
    viewer: AnyUser | None = None,
) -> ScheduleResult:
    """Change a meeting; bumps SEQUENCE. On the first meeting of a series, future scheduled
    occurrences are rebuilt from it; on an occurrence, only that occurrence changes."""
    from meetings.selectors.kickoff import kickoff_warnings

    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.status != MeetingStatus.SCHEDULED:
        raise ApplicationError("Only a scheduled meeting can be edited; reopen it first.")
    invited_before = invitations.recipients(meeting)
    unknown = set(data) - EDITABLE_FIELDS
    if unknown:
        raise ValidationError({f: "This field cannot be changed here." for f in sorted(unknown)})
    if "rrule" in data and meeting.series_id is not None and data["rrule"]:
        raise ValidationError({"rrule": "Change the recurrence on the first meeting of a series."})
    for name, value in data.items():
        setattr(meeting, name, value)
    meeting.rrule = meeting.rrule.strip().removeprefix("RRULE:")
    agenda_list = list(agenda) if agenda is not None else None
    agenda_minutes = (
        sum(a.minutes for a in agenda_list)
        if agenda_list is not None
        else sum(meeting.agenda_items.values_list("minutes", flat=True))
    )
    validate_basics(
        title=meeting.title,
        start=meeting.start,
        end=meeting.end,
        time_zone=meeting.time_zone,
        agenda_minutes=agenda_minutes,
    )
    meeting.duration_minutes = int((meeting.end - meeting.start).total_seconds() // 60)
    is_master = meeting.series_id is None and bool(meeting.rrule)
    now = timezone.now()
    occurrences = expand(
        rule=meeting.rrule if meeting.series_id is None else "",
        start=meeting.start,
        end=meeting.end,
        time_zone=meeting.time_zone,
        until=max(meeting.start, now) + conf.recurrence_horizon(),
    )
    if attendees is not None:
        attendee_rows = _attendee_rows(organizer=meeting.organizer, attendees=attendees)
        keep = {a.person_id or a.email: a for a in meeting.attendees.all()}
        for row in attendee_rows:  # keep existing RSVPs
            old = keep.get(row.person.pk if row.person else row.email)
            if old is not None and row.person_id != meeting.organizer_id:
                row.rsvp, row.responded_at = old.rsvp, old.responded_at
    else:
        attendee_rows = list(meeting.attendees.select_related("person"))
    people = [a.person for a in attendee_rows if a.person is not None]
    future = (
        list(meeting.occurrences.filter(status=MeetingStatus.SCHEDULED, start__gt=now))
        if meeting.series_id is None
        else []
    )
    warnings = _check_people(
        meeting_type=meeting.type,
        time_zone=meeting.time_zone,
        people=people,
        occurrences=[o for o in occurrences if o[0] > now] or occurrences[:1],
        allow_conflicts=allow_conflicts,
        exclude_meeting_ids=[meeting.pk, *(o.pk for o in future)],
        viewer=viewer,
    )
    meeting.sequence += 1
    if is_master or meeting.series_id is None:
        meeting.original_start = meeting.start if meeting.rrule else None
    meeting.full_clean(exclude=["organizer", "account", "deal", "series"])
    meeting.save()
    if attendees is not None:
        meeting.attendees.all().delete()
    if agenda_list is not None:
        meeting.agenda_items.all().delete()
    _write_people_and_agenda(
        meetings=[meeting],
        attendees=attendee_rows if attendees is not None else [],
        agenda=[
            AgendaItem(order=i + 1, title=a.title, minutes=a.minutes, owner=a.owner, notes=a.notes)
            for i, a in enumerate(agenda_list or [])
        ],
    )
    if meeting.series_id is None:
        Meeting.objects.filter(pk__in=[o.pk for o in future]).delete()
        if meeting.rrule:
            _materialise(master=meeting, occurrences=[o for o in occurrences[1:] if o[0] > now])
    warnings.extend(kickoff_warnings(meeting=meeting))
    invitations.invitations_for_update(meeting=meeting, before=invited_before)
    return ScheduleResult(meeting=meeting, warnings=warnings)


def _materialise(*, master: Meeting, occurrences: Sequence[tuple[datetime, datetime]]) -> int:
    """Create the missing occurrences of a series, copying its attendees and agenda."""
    existing = set(master.occurrences.values_list("original_start", flat=True))
    missing = [o for o in occurrences if o[0] not in existing and o[0] != master.original_start]
    if not missing:
        return 0
    rows = Meeting.objects.bulk_create(_occurrence_rows(master=master, occurrences=missing))
    _write_people_and_agenda(
        meetings=rows,
        attendees=list(master.attendees.all()),
        agenda=list(master.agenda_items.all()),
    )
    return len(rows)


def meeting_series_extend(*, now: datetime | None = None) -> int:
    """Materialise occurrences up to now + horizon for every live series (daily beat; safe to run
    twice: the unique (series, original_start) turns a racing duplicate into a no-op)."""
    now = now or timezone.now()
    until = now + conf.recurrence_horizon()
    created = 0
    masters = Meeting.objects.filter(series__isnull=True, status=MeetingStatus.SCHEDULED).exclude(
        rrule=""
    )
    for master in masters.iterator():
        occurrences = expand(
            rule=master.rrule,
            start=master.start,
            end=master.end,
            time_zone=master.time_zone,
            until=until,
        )
        try:
            with transaction.atomic():
                created += _materialise(
                    master=master, occurrences=[o for o in occurrences[1:] if o[0] > now]
                )
        except IntegrityError:
            continue
    return created


@transaction.atomic
def meeting_cancel(*, meeting: Meeting, whole_series: bool = False) -> int:
    """Cancel a meeting (STATUS:CANCELLED in calendars, no more reminders). With `whole_series`
    on a series, every future scheduled occurrence too. Returns how many were cancelled."""
    if meeting.status == MeetingStatus.DONE:
        raise ApplicationError("A meeting marked done cannot be cancelled; reopen it first.")
    q = Q(pk=meeting.pk)
    if whole_series:
        master_id = meeting.series_id or meeting.pk
        q |= Q(series_id=master_id, start__gte=meeting.start)
        q |= Q(pk=master_id, start__gte=meeting.start)
    ids = list(
        Meeting.objects.select_for_update()
        .filter(q, status=MeetingStatus.SCHEDULED)
        .values_list("pk", flat=True)
    )
    cancelled = Meeting.objects.filter(pk__in=ids, status=MeetingStatus.SCHEDULED).update(
        status=MeetingStatus.CANCELLED, sequence=F("sequence") + 1, updated_at=timezone.now()
    )
    invitations.invitations_for_cancel(meeting_ids=ids)
    return cancelled


@transaction.atomic
def attendee_rsvp(*, attendee: Attendee, rsvp: str) -> Attendee:
    if rsvp not in Rsvp.values or rsvp == Rsvp.PENDING:
        raise ValidationError({"rsvp": "Answer accepted, declined or tentative."})
    meeting = attendee.meeting
    if meeting.status == MeetingStatus.CANCELLED:
        raise ApplicationError("This meeting was cancelled.")
    if attendee.person_id == meeting.organizer_id and rsvp == Rsvp.DECLINED:
        raise ApplicationError("The organizer cannot decline; cancel the meeting instead.")
    changed = attendee.rsvp != rsvp
    attendee.rsvp = rsvp
    attendee.responded_at = timezone.now()
    attendee.save(update_fields=["rsvp", "responded_at"])
    Meeting.objects.filter(pk=meeting.pk).update(sequence=F("sequence") + 1)
    if changed:
        rsvp_notify_organizer(meeting=meeting, attendee=attendee, answer=rsvp)
    return attendee

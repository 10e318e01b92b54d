"""Scheduling meetings: booking one (`meeting_schedule`, with its series), cancelling
(`meeting_cancel`) and answering (`attendee_rsvp`). The rest of a meeting's writes live by
concern: editing in meetings.services.update (`meeting_update`), the series' horizon in
meetings.services.series (`meeting_series_extend`), the inputs and rows every write shares
(`AttendeeInput`, `AgendaInput`, `ScheduleResult`) in meetings.services.schedule_rows,
recurrence rules in meetings.services.recurrence, conflicts and working hours in
meetings.services.conflicts.

Recurring meetings are materialised within a horizon (conf.recurrence_horizon): the first meeting
carries the RRULE, every later occurrence is a Meeting row with `series` and `original_start`, with
its own attendees and agenda copied from the first.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from meetings import conf
from meetings.models import Attendee, Meeting, MeetingStatus, MeetingType, Rsvp
from meetings.selectors.kickoff import kickoff_agenda_proposal, kickoff_warnings
from meetings.services import invitations
from meetings.services.conflicts import (
    validate_basics,
)
from meetings.services.pursuit import meeting_deals_default
from meetings.services.recurrence import expand
from meetings.services.rsvp import rsvp_notify_organizer
from meetings.services.schedule_rows import (
    AgendaInput,
    AttendeeInput,
    ScheduleResult,
    agenda_rows,
    attendee_rows,
    check_people,
    occurrence_rows,
    people_and_agenda_write,
)
from salesops.exceptions import ApplicationError
from salesops.models import Account, Deal, Person
from salesops.selectors.scope import AnyUser

__all__ = [
    "attendee_rsvp",
    "meeting_cancel",
    "meeting_schedule",
]


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
    rows = attendee_rows(organizer=organizer, attendees=attendees)
    warnings = check_people(
        meeting_type=type,
        time_zone=tz,
        people=[a.person for a in rows if a.person is not None],
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
    followers = Meeting.objects.bulk_create(
        occurrence_rows(master=master, occurrences=occurrences[1:])
    )
    people_and_agenda_write(
        meetings=[master, *followers], attendees=rows, agenda=agenda_rows(agenda)
    )
    warnings.extend(kickoff_warnings(meeting=master))
    invitations.invitations_for_booking(meeting=master)
    meeting_deals_default(meeting=master)
    return ScheduleResult(meeting=master, warnings=warnings)


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

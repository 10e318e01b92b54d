"""Editing a scheduled meeting (`meeting_update`), one concern a step: which fields may change,
the time and recurrence, the attendees (keeping their answers), the people's conflicts and
working hours, the write, the series' future occurrences, and the notifications (kickoff
warnings, updated invitations). Each edit bumps the meeting's SEQUENCE.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from meetings import conf
from meetings.models import Attendee, Meeting, MeetingStatus
from meetings.selectors.kickoff import kickoff_warnings
from meetings.services import invitations
from meetings.services.conflicts import validate_basics
from meetings.services.invitations import Recipient
from meetings.services.recurrence import expand
from meetings.services.schedule_rows import (
    AgendaInput,
    AttendeeInput,
    ScheduleResult,
    agenda_rows,
    attendee_rows,
    check_people,
    people_and_agenda_write,
)
from meetings.services.series import series_materialise
from salesops.exceptions import ApplicationError
from salesops.selectors.scope import AnyUser

SCHEDULE_FIELDS = frozenset(
    {"title", "type", "start", "end", "time_zone", "location", "video_link", "description"}
)
EDITABLE_FIELDS = SCHEDULE_FIELDS | {"account", "deal", "rrule"}
Occurrences = list[tuple[datetime, datetime]]


def _locked_scheduled(meeting: Meeting) -> Meeting:
    locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if locked.status != MeetingStatus.SCHEDULED:
        raise ApplicationError("Only a scheduled meeting can be edited; reopen it first.")
    return locked


def _fields_apply(meeting: Meeting, data: dict[str, Any]) -> None:
    """Fields: only the editable ones, and the recurrence only on the first of a series."""
    unknown = set(data) - EDITABLE_FIELDS
    if unknown:
        raise ValidationError({f: "This field cannot be changed here." for f in sorted(unknown)})
    if "rrule" in data and meeting.series_id is not None and data["rrule"]:
        raise ValidationError({"rrule": "Change the recurrence on the first meeting of a series."})
    for name, value in data.items():
        setattr(meeting, name, value)
    meeting.rrule = meeting.rrule.strip().removeprefix("RRULE:")


def _times_check(
    meeting: Meeting, agenda: Sequence[AgendaInput] | None, now: datetime
) -> Occurrences:
    """Time and recurrence: the meeting's basics (with the new agenda's minutes, or the kept
    one's) and its duration; returns its occurrences within the horizon (itself alone for an
    occurrence or a single meeting)."""
    agenda_minutes = (
        sum(a.minutes for a in agenda)
        if agenda is not None
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
    return expand(
        rule=meeting.rrule if meeting.series_id is None else "",
        start=meeting.start,
        end=meeting.end,
        time_zone=meeting.time_zone,
        until=max(meeting.start, now) + conf.recurrence_horizon(),
    )


def _attendees_change(
    meeting: Meeting, attendees: Sequence[AttendeeInput] | None
) -> list[Attendee]:
    """Attendees: the new list keeps the answers of those already invited (the organizer's is
    always accepted); without a new list, the meeting's own."""
    if attendees is None:
        return list(meeting.attendees.select_related("person"))
    rows = attendee_rows(organizer=meeting.organizer, attendees=attendees)
    keep = {a.person_id or a.email: a for a in meeting.attendees.all()}
    for row in rows:
        old = keep.get(row.person.pk if row.person else row.email)
        if old is not None and row.person_id != meeting.organizer_id:
            row.rsvp, row.responded_at = old.rsvp, old.responded_at
    return rows


def _future_occurrences(meeting: Meeting, now: datetime) -> list[Meeting]:
    """The first meeting of a series: its scheduled occurrences still to come (rebuilt from it)."""
    if meeting.series_id is not None:
        return []
    return list(meeting.occurrences.filter(status=MeetingStatus.SCHEDULED, start__gt=now))


def _save(meeting: Meeting) -> None:
    meeting.sequence += 1
    if meeting.series_id is None:
        meeting.original_start = meeting.start if meeting.rrule else None
    meeting.full_clean(exclude=["organizer", "account", "deal", "series"])
    meeting.save()


def _people_and_agenda_replace(
    meeting: Meeting, attendees: list[Attendee] | None, agenda: Sequence[AgendaInput] | None
) -> None:
    """Replace what was given anew (attendees, agenda); keep the rest."""
    if attendees is not None:
        meeting.attendees.all().delete()
    if agenda is not None:
        meeting.agenda_items.all().delete()
    people_and_agenda_write(
        meetings=[meeting], attendees=attendees or [], agenda=agenda_rows(agenda or [])
    )


def _series_rebuild(
    meeting: Meeting, future: list[Meeting], occurrences: Occurrences, now: datetime
) -> None:
    """Recurrence: the first meeting's future occurrences are made again from it."""
    if meeting.series_id is not None:
        return
    Meeting.objects.filter(pk__in=[o.pk for o in future]).delete()
    if meeting.rrule:
        series_materialise(master=meeting, occurrences=[o for o in occurrences[1:] if o[0] > now])


def _notify(meeting: Meeting, invited_before: dict[str, Recipient]) -> list[str]:
    """Notifications: updated invitations to those invited before and now (on commit); returns
    the kickoff's warnings."""
    warnings = kickoff_warnings(meeting=meeting)
    invitations.invitations_for_update(meeting=meeting, before=invited_before)
    return warnings


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
    occurrences are rebuilt from it; on an occurrence, only that occurrence changes. Locks the
    meeting's row (select_for_update) for the transaction."""
    meeting = _locked_scheduled(meeting)
    invited_before = invitations.recipients(meeting)
    _fields_apply(meeting, data)
    agenda_list = list(agenda) if agenda is not None else None
    now = timezone.now()
    occurrences = _times_check(meeting, agenda_list, now)
    rows = _attendees_change(meeting, attendees)
    future = _future_occurrences(meeting, now)
    warnings = check_people(
        meeting_type=meeting.type,
        time_zone=meeting.time_zone,
        people=[a.person for a in rows if a.person is not None],
        occurrences=[o for o in occurrences if o[0] > now] or occurrences[:1],
        allow_conflicts=allow_conflicts,
        exclude_meeting_ids=[meeting.pk, *(o.pk for o in future)],
        viewer=viewer,
    )
    _save(meeting)
    _people_and_agenda_replace(meeting, rows if attendees is not None else None, agenda_list)
    _series_rebuild(meeting, future, occurrences, now)
    warnings.extend(_notify(meeting, invited_before))
    return ScheduleResult(meeting=meeting, warnings=warnings)

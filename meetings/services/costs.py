"""The price of meeting time, and posting it to the sales-cost ledger.

Cost of one attendee = loaded hourly cost × duration, rounded to the cent (ROUND_HALF_UP);
a meeting's cost is the sum over its internal attendees who have not declined. External contacts
cost nothing. The same rule is written in SQL in meetings.selectors.load (`_attendee_cost_sql`).
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils import timezone

from meetings import conf
from meetings.models import Attendee, Meeting, MeetingStatus, Rsvp
from salesops.exceptions import ApplicationError
from salesops.models import CostCategory, Person
from salesops.services.costs import costs_post_computed, costs_withdraw_computed

CENT = Decimal("0.01")
SIXTY = Decimal(60)


def attendee_cost(*, hourly_cost: Decimal, minutes: int) -> Decimal:
    return (hourly_cost * Decimal(minutes) / SIXTY).quantize(CENT, rounding=ROUND_HALF_UP)


def _costed(attendees: Iterable[Attendee]) -> list[Attendee]:
    return [a for a in attendees if a.person_id is not None and a.rsvp != Rsvp.DECLINED]


def meeting_cost(*, meeting: Meeting, attendees: Iterable[Attendee] | None = None) -> Decimal:
    """Σ internal attendee cost. Pass prefetched attendees (with person) to avoid queries."""
    rows = attendees if attendees is not None else meeting.attendees.select_related("person")
    total = Decimal("0.00")
    for attendee in _costed(rows):
        person: Person = attendee.person  # type: ignore[assignment]
        total += attendee_cost(hourly_cost=person.hourly_cost, minutes=meeting.duration_minutes)
    return total


def meeting_person_hours(
    *, meeting: Meeting, attendees: Iterable[Attendee] | None = None
) -> Decimal:
    """Σ internal attendee hours (the time a meeting takes, without anyone's rate): what people
    who may not see every attendee's rate are shown instead of the cost."""
    rows = attendees if attendees is not None else meeting.attendees.all()
    people = len(_costed(rows))
    return (Decimal(people * meeting.duration_minutes) / SIXTY).quantize(CENT)


def meeting_ledger_ref(meeting: Meeting) -> str:
    return f"meeting:{meeting.pk}"


def meeting_cost_date(meeting: Meeting) -> date:
    return meeting.start.astimezone(zoneinfo.ZoneInfo(conf.company_time_zone())).date()


@transaction.atomic
def meeting_mark_done(*, meeting: Meeting) -> Meeting:
    """Mark a meeting done and post its cost, one ledger entry per internal attendee.

    Exactly once: the ledger upserts on (source, external_ref="meeting:<id>", person), so marking
    done twice, or undoing and redoing, never adds a second entry. A declined attendee who was
    posted before (e.g. on an earlier done) goes to 0.
    """
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.status == MeetingStatus.CANCELLED:
        raise ApplicationError("A cancelled meeting cannot be marked done.")
    if meeting.start > timezone.now():
        raise ApplicationError("A meeting can be marked done once it has started.")
    day = meeting_cost_date(meeting)
    entries = [
        (
            attendee.person,
            day,
            attendee_cost(
                hourly_cost=attendee.person.hourly_cost, minutes=meeting.duration_minutes
            ),
        )
        for attendee in _costed(meeting.attendees.select_related("person"))
        if attendee.person is not None
    ]
    # Zero first, so people removed or declined since an earlier "done" are not charged.
    costs_withdraw_computed(external_ref=meeting_ledger_ref(meeting))
    costs_post_computed(
        external_ref=meeting_ledger_ref(meeting),
        category=CostCategory.MEETING_TIME,
        entries=entries,
        note=f"Meeting time: {meeting.title}"[:255],
    )
    if meeting.status != MeetingStatus.DONE:
        meeting.status = MeetingStatus.DONE
        meeting.done_at = timezone.now()
        meeting.save(update_fields=["status", "done_at", "updated_at"])
    return meeting


@transaction.atomic
def meeting_reopen(*, meeting: Meeting) -> Meeting:
    """Undo "done": the meeting is scheduled again and its ledger entries go to 0."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.status != MeetingStatus.DONE:
        raise ApplicationError("Only a meeting marked done can be reopened.")
    costs_withdraw_computed(external_ref=meeting_ledger_ref(meeting))
    meeting.status = MeetingStatus.SCHEDULED
    meeting.done_at = None
    meeting.save(update_fields=["status", "done_at", "updated_at"])
    return meeting

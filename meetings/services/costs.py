"""The price of meeting time, and posting it to the sales-cost ledger.

Cost of one attendee = loaded hourly cost × duration, rounded to the cent (ROUND_HALF_UP);
a meeting's cost is the sum over its internal attendees who have not declined. External contacts
cost nothing. Marking done posts the cost of the attendees who accepted or were marked attended
(`posts_cost`), and only for meetings of
plausible length and age (MEETING_COST_MAX_HOURS, MEETING_COST_MAX_AGE_DAYS); others wait as a
PendingMeetingCost for sales ops to confirm on /ops/. The same rule is written in SQL in meetings.selectors.load (`_attendee_cost_sql`).
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from meetings import conf
from meetings.models import Attendee, Meeting, MeetingStatus, PendingMeetingCost, Rsvp
from salesops.exceptions import ApplicationError
from salesops.models import CostCategory, Person
from salesops.selectors.scope import AnyUser, sees_everything
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


def implausible_reason(meeting: Meeting, *, now: datetime | None = None) -> str:
    """Why a meeting's cost must not be posted without sales ops' confirmation ("" if none):
    longer than MEETING_COST_MAX_HOURS, or ended more than MEETING_COST_MAX_AGE_DAYS ago."""
    now = now or timezone.now()
    reasons: list[str] = []
    max_hours = conf.cost_max_hours()
    if Decimal(meeting.duration_minutes) > max_hours * SIXTY:
        hours = (Decimal(meeting.duration_minutes) / SIXTY).quantize(CENT)
        reasons.append(f"lasts {hours} h, more than {max_hours} h")
    max_age = conf.cost_max_age_days()
    if meeting.end < now - timedelta(days=max_age):
        reasons.append(f"ended more than {max_age} days ago")
    return "; ".join(reasons)


def posts_cost(attendee: Attendee) -> bool:
    """Whether a held meeting posts this attendee's time: marked attended, or not marked and
    accepted (tentative, pending and declined invitees are not charged unless they attended;
    someone marked absent is not charged even if they accepted)."""
    if attendee.attended is not None:
        return attendee.attended
    return attendee.rsvp == Rsvp.ACCEPTED


@transaction.atomic
def attendee_attendance_set(*, meeting: Meeting, attended: dict[int, bool | None]) -> Meeting:
    """Record who attended (attendee id → True/False, None to clear), after the meeting has
    started; a meeting already done re-posts its cost (the ledger upsert corrects it)."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.status == MeetingStatus.CANCELLED:
        raise ApplicationError("A cancelled meeting has no attendance.")
    if meeting.start > timezone.now():
        raise ApplicationError("Attendance can be recorded once the meeting has started.")
    rows = {a.pk: a for a in meeting.attendees.filter(pk__in=list(attended))}
    for pk, value in attended.items():
        row = rows.get(pk)
        if row is None or row.person_id is None:
            continue
        row.attended = value
        row.save(update_fields=["attended"])
    if meeting.status == MeetingStatus.DONE and not meeting_cost_is_pending(meeting):
        _post_cost(meeting)
    return meeting


def _post_cost(meeting: Meeting) -> None:
    """One ledger entry per internal attendee whose time is posted (`posts_cost`). Exactly once: the ledger upserts on (source,
    external_ref="meeting:<id>", person); zero first, so people removed or declined since an
    earlier "done" go to 0."""
    day = meeting_cost_date(meeting)
    entries = [
        (
            attendee.person,
            day,
            attendee_cost(
                hourly_cost=attendee.person.hourly_cost, minutes=meeting.duration_minutes
            ),
        )
        for attendee in meeting.attendees.select_related("person")
        if attendee.person is not None and posts_cost(attendee)
    ]
    costs_withdraw_computed(external_ref=meeting_ledger_ref(meeting))
    costs_post_computed(
        external_ref=meeting_ledger_ref(meeting),
        category=CostCategory.MEETING_TIME,
        entries=entries,
        note=f"Meeting time: {meeting.title}"[:255],
    )


@transaction.atomic
def meeting_mark_done(*, meeting: Meeting) -> Meeting:
    """Mark a meeting done and post its cost, one ledger entry per attendee who accepted.

    Exactly once (see `_post_cost`). A meeting of implausible length or age (`implausible_reason`)
    posts nothing: it becomes a PendingMeetingCost that sales ops confirms on /ops/
    (`meeting_cost_confirm`); marking it done again keeps it pending.
    """
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.status == MeetingStatus.CANCELLED:
        raise ApplicationError("A cancelled meeting cannot be marked done.")
    if meeting.start > timezone.now():
        raise ApplicationError("A meeting can be marked done once it has started.")
    reason = implausible_reason(meeting)
    pending = PendingMeetingCost.objects.filter(meeting=meeting).first()
    if reason and (pending is None or pending.confirmed_at is None):
        costs_withdraw_computed(external_ref=meeting_ledger_ref(meeting))
        PendingMeetingCost.objects.update_or_create(
            meeting=meeting,
            defaults={"reason": reason[:255], "confirmed_at": None, "confirmed_by": None},
        )
    else:
        _post_cost(meeting)
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
    PendingMeetingCost.objects.filter(meeting=meeting).delete()
    meeting.status = MeetingStatus.SCHEDULED
    meeting.done_at = None
    meeting.save(update_fields=["status", "done_at", "updated_at"])
    return meeting


def meeting_cost_is_pending(meeting: Meeting) -> bool:
    return PendingMeetingCost.objects.filter(meeting=meeting, confirmed_at__isnull=True).exists()


def meeting_costs_pending() -> QuerySet[PendingMeetingCost]:
    """Done meetings whose cost waits for sales ops (listed on /ops/)."""
    return (
        PendingMeetingCost.objects.filter(
            confirmed_at__isnull=True, meeting__status=MeetingStatus.DONE
        )
        .select_related("meeting", "meeting__organizer")
        .order_by("created_at", "id")
    )


@transaction.atomic
def meeting_cost_confirm(*, meeting: Meeting, user: AnyUser) -> Meeting:
    """Sales ops confirms a pending meeting cost: it is posted (attendees who accepted or attended)."""
    if not sees_everything(user):
        raise PermissionDenied("Only sales operations may confirm a meeting's cost.")
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    pending = PendingMeetingCost.objects.filter(meeting=meeting).first()
    if meeting.status != MeetingStatus.DONE or pending is None:
        raise ApplicationError("Only a done meeting whose cost is pending can be confirmed.")
    _post_cost(meeting)
    pending.confirmed_at = timezone.now()
    pending.confirmed_by = user if isinstance(user, User) else None
    pending.save(update_fields=["confirmed_at", "confirmed_by"])
    return meeting

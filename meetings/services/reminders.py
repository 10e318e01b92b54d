"""Reminders, each sent exactly once: plan Delivery rows, claim them, send, mark sent.

1. Plan (idempotent): INSERT … ON CONFLICT DO NOTHING on the unique key (kind, object_ref,
   recipient_key, occurrence). Two workers planning the same minute insert one row.
2. Claim: SELECT … FOR UPDATE SKIP LOCKED on due rows, then a conditional UPDATE to `sending`
   with a lease and attempts + 1. A row is owned by exactly one worker. The lease runs from the
   clock at claim time and is renewed before each message of the batch, so however slow the
   SMTP server, a claim does not lapse while it waits its turn.
3. Send (email through Django's backend), then mark `sent` and add the in-app Notification in one
   transaction — only if the row is still ours (status sending, same attempt number).
4. A failed send goes back to `failed` with `next_attempt_at` = now + backoff; after
   MEETING_DELIVERY_MAX_ATTEMPTS it is `dead`. A worker that dies mid-send leaves `sending` with an
   expired lease, which the next claim takes over: the one window where a message can go twice is
   a crash between the SMTP hand-off and the commit of step 3.
Nothing is planned from uncommitted data, so a meeting created in a rolled-back transaction never
sends anything.
"""

from __future__ import annotations

import logging
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F, Prefetch, Q
from django.utils import timezone

from meetings import conf, display
from meetings.models import (
    ActionItem,
    ActionStatus,
    AgendaItem,
    Attendee,
    Delivery,
    DeliveryKind,
    DeliveryStatus,
    Meeting,
    MeetingStatus,
    Notification,
    Rsvp,
)
from salesops.models import Deal, Stage

logger = logging.getLogger(__name__)
MAX_BACKOFF = timedelta(hours=1)
FOLLOW_UP_CATCH_UP = timedelta(days=7)


@dataclass(frozen=True)
class DispatchResult:
    planned: int
    sent: int
    failed: int


def _meeting_body(meeting: Meeting, tz: str | None) -> str:
    when = display.when(meeting.start, meeting.end, zone=meeting.time_zone, viewer_zone=tz)
    lines = [
        f"{meeting.title}",
        f"When: {when} – {meeting.duration_minutes} minutes",
    ]
    if meeting.location:
        lines.append(f"Where: {meeting.location}")
    if meeting.video_link:
        lines.append(f"Video: {meeting.video_link}")
    items = list(meeting.agenda_items.all())
    lines.append("")
    lines.append("Agenda:" if items else "No agenda yet.")
    for item in items:
        owner = f" — {item.owner.name}" if item.owner else ""
        lines.append(f"{item.order}. {item.title} ({item.minutes} min){owner}")
    lines.append("")
    lines.append(f"{conf.site_url()}/meetings/{meeting.pk}/")
    return "\n".join(lines)


def _plan_meeting_reminders(now: datetime) -> list[Delivery]:
    offsets = conf.reminder_offsets_minutes()
    rows: list[Delivery] = []
    for i, offset in enumerate(offsets):
        # Only the closest due reminder: a meeting booked 30 min ahead gets the 1 h one, not both.
        later = offsets[i + 1] if i + 1 < len(offsets) else 0
        meetings = Meeting.objects.filter(
            status=MeetingStatus.SCHEDULED,
            start__gt=now + timedelta(minutes=later),
            start__lte=now + timedelta(minutes=offset),
        ).prefetch_related(
            Prefetch(
                "attendees",
                queryset=Attendee.objects.exclude(rsvp=Rsvp.DECLINED).select_related("person"),
            ),
            Prefetch("agenda_items", queryset=AgendaItem.objects.select_related("owner")),
        )
        for meeting in meetings:
            for attendee in meeting.attendees.all():
                person = attendee.person
                if person is not None and not person.active:
                    continue
                # The meeting's time in its zone, and in the recipient's when it differs.
                tz = person.time_zone if person else None
                when = display.when(meeting.start, None, zone=meeting.time_zone, viewer_zone=tz)
                rows.append(
                    Delivery(
                        kind=DeliveryKind.MEETING_REMINDER,
                        object_ref=f"meeting:{meeting.pk}",
                        recipient_key=f"person:{person.pk}"
                        if person
                        else f"email:{attendee.email}",
                        recipient=person,
                        occurrence=f"{offset}@{meeting.start.isoformat()}",
                        meeting=meeting,
                        email=person.email if person else attendee.email,
                        subject=f"Reminder: {meeting.title} — {when}",
                        body=_meeting_body(meeting, tz),
                        url=f"/meetings/{meeting.pk}/",
                        next_attempt_at=now,
                    )
                )
    return rows


def _plan_action_digests(now: datetime) -> list[Delivery]:
    local_now = now.astimezone(zoneinfo.ZoneInfo(conf.company_time_zone()))
    if local_now.hour < conf.digest_hour():
        return []
    today = local_now.date()
    tomorrow = today + timedelta(days=1)
    items = (
        ActionItem.objects.filter(
            status=ActionStatus.OPEN, due_date__lte=tomorrow, owner__active=True
        )
        .select_related("owner", "meeting")
        .order_by("owner_id", "due_date", "id")
    )
    by_owner: dict[int, list[ActionItem]] = defaultdict(list)
    for item in items:
        by_owner[item.owner_id].append(item)
    rows: list[Delivery] = []
    for owner_id, owned in by_owner.items():
        owner = owned[0].owner
        overdue = [i for i in owned if i.due_date < today]
        due = [i for i in owned if i.due_date >= today]
        lines = []
        for title, group in (("Overdue", overdue), ("Due today and tomorrow", due)):
            if group:
                lines.append(f"{title}:")
                lines.extend(
                    f"- {i.description} (due {i.due_date}, {i.meeting.title})" for i in group
                )
                lines.append("")
        lines.append(f"{conf.site_url()}/meetings/")
        rows.append(
            Delivery(
                kind=DeliveryKind.ACTION_DIGEST,
                object_ref=f"person:{owner_id}",
                recipient_key=f"person:{owner_id}",
                recipient=owner,
                occurrence=today.isoformat(),
                email=owner.email,
                subject=f"Action items: {len(overdue)} overdue, {len(due)} due soon",
                body="\n".join(lines),
                url="/meetings/",
                next_attempt_at=now,
            )
        )
    return rows


def _plan_follow_ups(now: datetime) -> list[Delivery]:
    today = now.astimezone(zoneinfo.ZoneInfo(conf.company_time_zone())).date()
    days = conf.follow_up_days()
    latest_close = today - timedelta(days=days)
    deals = Deal.objects.filter(
        stage=Stage.WON,
        close_date__lte=latest_close,
        close_date__gt=latest_close - FOLLOW_UP_CATCH_UP,
        owner__active=True,
    ).select_related("owner", "account")
    return [
        Delivery(
            kind=DeliveryKind.FOLLOW_UP,
            object_ref=f"deal:{deal.pk}",
            recipient_key=f"person:{deal.owner_id}",
            recipient=deal.owner,
            occurrence="",
            email=deal.owner.email,
            subject=f"Follow up with {deal.account.name if deal.account else deal.external_id}",
            body=(
                f"Deal {deal.external_id} was won on {deal.close_date}, {days} days ago. "
                "Check in with the customer: satisfaction, referrals, repeat business."
            ),
            url="/meetings/new/",
            next_attempt_at=now,
        )
        for deal in deals
    ]


def reminders_plan(*, now: datetime) -> int:
    """Insert the Delivery rows due at `now`; existing keys are left alone. Returns rows offered."""
    rows = [*_plan_meeting_reminders(now), *_plan_action_digests(now), *_plan_follow_ups(now)]
    Delivery.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
    return len(rows)


def _claimable(due: datetime, clock: datetime) -> Q:
    return Q(
        status__in=[DeliveryStatus.PENDING, DeliveryStatus.FAILED], next_attempt_at__lte=due
    ) | Q(status=DeliveryStatus.SENDING, lease_until__lt=clock)


def deliveries_claim(*, now: datetime | None = None, batch: int = 50) -> list[Delivery]:
    """Take up to `batch` due deliveries for this worker (locked rows are skipped, not waited
    for). The conditional UPDATE re-checks the state, so the claim holds on any backend.

    The lease is computed from the clock at claim time, never from a time the caller read
    earlier: a dispatcher that has been sending for longer than the lease would otherwise hand
    out leases that are already over, and another worker would send those messages again.
    `now` only decides what is due (a test's frozen "now")."""
    claimed_at = timezone.now()
    due = now or claimed_at
    with transaction.atomic():
        ids = list(
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(_claimable(due, claimed_at))
            .order_by("next_attempt_at", "id")
            .values_list("pk", flat=True)[:batch]
        )
        if not ids:
            return []
        Delivery.objects.filter(_claimable(due, claimed_at), pk__in=ids).update(
            status=DeliveryStatus.SENDING,
            lease_until=claimed_at + conf.delivery_lease(),
            attempts=F("attempts") + 1,
        )
        return list(
            Delivery.objects.filter(pk__in=ids, status=DeliveryStatus.SENDING).select_related(
                "meeting", "recipient"
            )
        )


def _leases_renew(deliveries: list[Delivery]) -> set[int]:
    """Extend the lease of the claimed deliveries not sent yet, from the clock now; returns the
    ids still ours (a row whose lease ran out and was taken over is not sent by this worker)."""
    if not deliveries:
        return set()
    owned: set[int] = set()
    until = timezone.now() + conf.delivery_lease()
    with transaction.atomic():
        for attempts in {d.attempts for d in deliveries}:
            ids = [d.pk for d in deliveries if d.attempts == attempts]
            mine = Delivery.objects.filter(
                pk__in=ids, status=DeliveryStatus.SENDING, attempts=attempts
            )
            owned.update(mine.values_list("pk", flat=True))
            mine.update(lease_until=until)
    return owned


def _backoff(attempts: int) -> timedelta:
    return min(timedelta(minutes=2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def _mark_sent(delivery: Delivery, now: datetime) -> bool:
    with transaction.atomic():
        owned = Delivery.objects.filter(
            pk=delivery.pk, status=DeliveryStatus.SENDING, attempts=delivery.attempts
        ).update(status=DeliveryStatus.SENT, sent_at=now, lease_until=None, last_error="")
        if owned and delivery.recipient_id is not None:
            Notification.objects.get_or_create(
                delivery=delivery,
                defaults={
                    "person_id": delivery.recipient_id,
                    "title": delivery.subject,
                    "body": delivery.body,
                    "url": delivery.url,
                },
            )
    return bool(owned)


def _mark_failed(delivery: Delivery, now: datetime, error: str) -> None:
    dead = delivery.attempts >= conf.delivery_max_attempts()
    Delivery.objects.filter(
        pk=delivery.pk, status=DeliveryStatus.SENDING, attempts=delivery.attempts
    ).update(
        status=DeliveryStatus.DEAD if dead else DeliveryStatus.FAILED,
        next_attempt_at=now + _backoff(delivery.attempts),
        lease_until=None,
        last_error=error[:2000],
    )


def _email(delivery: Delivery) -> EmailMessage:
    if delivery.kind == DeliveryKind.INVITATION:  # with its text/calendar part
        from meetings.services.invitations import invitation_email

        return invitation_email(delivery)
    return EmailMessage(subject=delivery.subject, body=delivery.body, to=[delivery.email])


def deliveries_send(
    *, deliveries: Iterable[Delivery], now: datetime | None = None
) -> tuple[int, int]:
    """Send claimed deliveries. Returns (sent, failed).

    Before each message the leases of the batch's unsent rows are renewed from the clock, so a
    slow SMTP server never lets a claim lapse while it waits its turn; a row that was taken over
    meanwhile is skipped. `sent_at` and the retry time are read from the clock as well."""
    sent = failed = 0
    pending = list(deliveries)
    while pending:
        owned = _leases_renew(pending)
        delivery, pending = pending[0], pending[1:]
        if delivery.pk not in owned:
            continue
        if (
            delivery.meeting is not None
            and delivery.meeting.status == MeetingStatus.CANCELLED
            and delivery.kind != DeliveryKind.INVITATION  # a CANCEL must still go out
        ):
            Delivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.SENDING).update(
                status=DeliveryStatus.DEAD, last_error="meeting cancelled", lease_until=None
            )
            continue
        try:
            if delivery.email:
                _email(delivery).send()
        except Exception as exc:  # noqa: BLE001 - any transport error is retried with backoff
            logger.warning("delivery %s failed: %s", delivery.pk, exc)
            _mark_failed(delivery, timezone.now(), f"{type(exc).__name__}: {exc}")
            failed += 1
            continue
        if _mark_sent(delivery, timezone.now()):
            sent += 1
    return sent, failed


def delivery_retry(*, delivery_id: int) -> bool:
    """Make a failed or abandoned delivery due now (the /ops/ retry button). It is claimed and
    sent by the next dispatch like any other, once; a sent or sending one is left alone."""
    return bool(
        Delivery.objects.filter(
            pk=delivery_id, status__in=[DeliveryStatus.FAILED, DeliveryStatus.DEAD]
        ).update(status=DeliveryStatus.PENDING, next_attempt_at=timezone.now(), lease_until=None)
    )


def reminders_dispatch(*, now: datetime | None = None, batch: int | None = None) -> DispatchResult:
    """Plan what is due and send it, batch after batch, until nothing is claimable."""
    now = now or timezone.now()
    batch = batch or conf.delivery_batch()
    planned = reminders_plan(now=now)
    sent = failed = 0
    while True:
        # What is due is decided by the dispatch's `now`; each claim's lease by the clock.
        claimed = deliveries_claim(now=now, batch=batch)
        if not claimed:
            break
        s, f = deliveries_send(deliveries=claimed)
        sent += s
        failed += f
    return DispatchResult(planned=planned, sent=sent, failed=failed)

"""A claim's lease runs from the clock at claim time and is renewed while the batch is sent.

The dispatcher used to read the clock once and give every claim of its loop that deadline: with a
slow SMTP server, batches claimed late got a lease that was already over, and the next dispatch
(another worker) took them and sent them again."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone

from meetings.models import Delivery, DeliveryKind, DeliveryStatus
from meetings.services.reminders import deliveries_claim, reminders_dispatch

SECONDS_PER_MESSAGE = 2
CLOCK: list[Any] = []
LAPSED: list[int] = []


class SlowBackend(BaseEmailBackend):
    """Each message takes two seconds of the test's clock; before each, count the claimed rows
    another worker could take over right now (SENDING with a lease already over)."""

    def send_messages(self, email_messages: Any) -> int:
        for _ in email_messages:
            LAPSED.append(
                Delivery.objects.filter(
                    status=DeliveryStatus.SENDING, lease_until__lt=timezone.now()
                ).count()
            )
            CLOCK[0].shift(dt.timedelta(seconds=SECONDS_PER_MESSAGE))
        return len(email_messages)


def _deliveries(count: int, now: dt.datetime) -> None:
    Delivery.objects.bulk_create(
        Delivery(
            kind=DeliveryKind.FOLLOW_UP,
            object_ref=f"deal:{i}",
            recipient_key=f"email:r{i}@example.com",
            email=f"r{i}@example.com",
            subject=f"Follow up {i}",
            body="…",
            next_attempt_at=now,
        )
        for i in range(count)
    )


@pytest.mark.django_db
def test_no_claim_lapses_while_a_long_dispatch_is_still_sending(settings):
    """400 messages at 2 s each is 800 s of sending with the default 300 s lease and batches of
    50: at no moment may a claimed, unsent delivery be past its lease."""
    settings.EMAIL_BACKEND = "tests.meetings.test_reminders_lease.SlowBackend"
    LAPSED.clear()
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        CLOCK[:] = [traveller]
        _deliveries(400, timezone.now())
        result = reminders_dispatch(now=timezone.now())
    assert result.sent == 400
    assert max(LAPSED) == 0, f"up to {max(LAPSED)} claimed deliveries could be taken over"
    assert set(Delivery.objects.values_list("attempts", flat=True)) == {1}


@pytest.mark.django_db
def test_a_claim_leases_from_the_clock_not_from_the_dispatchs_start(settings):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        start = timezone.now()
        _deliveries(1, start)
        traveller.shift(dt.timedelta(seconds=1000))
        (claimed,) = deliveries_claim(now=start, batch=10)
    assert claimed.lease_until == start + dt.timedelta(
        seconds=1000 + settings.MEETING_DELIVERY_LEASE_SECONDS
    )

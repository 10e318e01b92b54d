"""Each reminder once, with a slow real SMTP server and several real workers.

aiosmtpd on 127.0.0.1 takes a fixed time per message; four `celery worker` processes run the
dispatch task as beat queues it (one every interval). Before claims got their lease from the
clock at claim time, a dispatch that had been sending for longer than the lease handed out leases
that were already over, and the next dispatch sent those reminders again (48 duplicates with the
defaults and a 2 s server)."""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter

import pytest
from django.utils import timezone

from meetings.models import Delivery, DeliveryStatus
from meetings.tasks import reminders_dispatch_task
from tests.factories import PersonFactory
from tests.meetings.factories import AttendeeFactory, MeetingFactory

QUEUE = "faults-smtp"


def _meetings(count: int, attendees: int) -> int:
    people = [PersonFactory(email=f"rep{i}@example.com") for i in range(attendees)]
    now = timezone.now()
    for i in range(count):
        start = now + dt.timedelta(minutes=15, seconds=i)
        meeting = MeetingFactory(
            organizer=people[0],
            title=f"Pipeline review {i}",
            start=start,
            end=start + dt.timedelta(hours=1),
        )
        for person in people:
            AttendeeFactory(meeting=meeting, person=person)
    return count * attendees


def _run(workers, smtp_server, *, delay, expected_per_meeting, meetings, interval, settings):
    server = smtp_server(delay=delay)
    expected = _meetings(meetings, expected_per_meeting)
    workers(count=4, queue=QUEUE, smtp_port=server.port, settings=settings)
    started = time.monotonic()
    limit = started + max(120.0, 3 * expected * delay)
    # Beat: a dispatch every `interval` until everything is sent (and one more after that).
    while time.monotonic() < limit:
        reminders_dispatch_task.apply_async(queue=QUEUE)
        time.sleep(interval)
        open_rows = Delivery.objects.exclude(status=DeliveryStatus.SENT).count()
        if open_rows == 0 and len(server.messages) >= expected:
            break
    reminders_dispatch_task.apply_async(queue=QUEUE)
    time.sleep(interval + 2 * delay)
    received = Counter((m.to, m.subject) for m in server.messages)
    duplicates = sum(n - 1 for n in received.values())
    lost = expected - len(received)
    assert Delivery.objects.count() == expected
    assert (duplicates, lost) == (0, 0), f"{duplicates} duplicates, {lost} lost"
    assert Delivery.objects.filter(status=DeliveryStatus.SENT).count() == expected
    return time.monotonic() - started


@pytest.mark.django_db(transaction=True)
def test_a_slow_smtp_server_and_four_workers_send_each_reminder_once_scaled(workers, smtp_server):
    """The default scenario scaled down 25× in time (0.08 s a message, a 12 s lease, a dispatch
    every 2.4 s): 800 reminders, each received once by the SMTP server."""
    _run(
        workers,
        smtp_server,
        delay=0.08,
        expected_per_meeting=4,
        meetings=200,
        interval=2.4,
        settings={"MEETING_DELIVERY_LEASE_SECONDS": 12},
    )


@pytest.mark.full_only
@pytest.mark.django_db(transaction=True)
def test_a_2s_smtp_server_and_four_workers_send_each_reminder_once_with_the_defaults(
    workers, smtp_server
):
    """The issue's scenario: default settings (batch 50, lease 300 s), a 2 s SMTP server, four
    workers, a dispatch every minute; 800 reminders (a dispatch runs longer than the lease)."""
    _run(
        workers,
        smtp_server,
        delay=2.0,
        expected_per_meeting=4,
        meetings=200,
        interval=60,
        settings={},
    )

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone

from meetings import conf
from meetings.models import Delivery, Notification
from meetings.selectors.meetings import unread_notification_count
from meetings.services.reminders import reminders_dispatch, reminders_plan
from meetings.services.schedule_rows import AttendeeInput
from meetings.services.scheduling import meeting_schedule
from meetings.tasks import reminders_dispatch_task
from salesops import calendar
from tests.factories import PersonFactory, UserFactory, WonDealFactory
from tests.meetings.conftest import RACE_QUEUE
from tests.meetings.factories import (
    ActionItemFactory,
    AgendaItemFactory,
    AttendeeFactory,
    MeetingFactory,
)


def _meeting_in(minutes: int, *people, **kwargs):
    start = timezone.now() + dt.timedelta(minutes=minutes)
    meeting = MeetingFactory(
        organizer=people[0], start=start, end=start + dt.timedelta(hours=1), **kwargs
    )
    for person in people:
        AttendeeFactory(meeting=meeting, person=person)
    return meeting


@pytest.mark.django_db
def test_a_reminder_carries_the_agenda_and_is_sent_once(counting_mail):
    anna = PersonFactory(name="Anna", email="anna@example.com")
    meeting = _meeting_in(50, anna, title="Pipeline review")
    AgendaItemFactory(meeting=meeting, order=1, title="Stuck deals", minutes=20, owner=anna)
    first = reminders_dispatch()
    second = reminders_dispatch()
    assert (first.sent, second.sent, second.planned) == (1, 0, 1)
    assert len(counting_mail) == 1
    body = counting_mail[0].body
    assert "Pipeline review" in body and "1. Stuck deals (20 min) — Anna" in body
    assert Delivery.objects.get().occurrence.startswith("60@")


@pytest.mark.django_db
def test_only_the_closest_due_reminder_goes_out_and_declined_attendees_get_none(counting_mail):
    anna, bert = PersonFactory(), PersonFactory()
    meeting = _meeting_in(30, anna)
    AttendeeFactory(meeting=meeting, person=bert, rsvp="declined")
    AttendeeFactory(meeting=meeting, person=None, name="Cleo", email="cleo@client.example")
    reminders_dispatch()
    assert {m.to[0] for m in counting_mail} == {anna.email, "cleo@client.example"}
    assert set(Delivery.objects.values_list("occurrence", flat=True)) == {
        f"60@{meeting.start.isoformat()}"
    }


@pytest.mark.django_db
def test_a_day_ahead_reminder_then_an_hour_ahead_one(counting_mail):
    anna = PersonFactory()
    meeting = _meeting_in(23 * 60, anna)
    reminders_dispatch()
    reminders_dispatch(now=meeting.start - dt.timedelta(minutes=59))
    assert [
        d.split("@")[0]
        for d in Delivery.objects.order_by("id").values_list("occurrence", flat=True)
    ] == [
        "1440",
        "60",
    ]
    assert len(counting_mail) == 2


@pytest.mark.django_db
def test_cancelled_meetings_are_not_reminded(counting_mail):
    anna = PersonFactory()
    _meeting_in(30, anna, status="cancelled")
    assert reminders_dispatch().sent == 0 and counting_mail == []


@pytest.mark.django_db
def test_a_failed_send_is_retried_with_backoff_and_never_duplicated(counting_mail):
    from tests.meetings.conftest import CountingBackend

    anna = PersonFactory(email="anna@example.com")
    bert = PersonFactory(email="bert@example.com")
    _meeting_in(40, anna, bert)
    CountingBackend.fail_once = {"bert@example.com"}
    first = reminders_dispatch()
    assert (first.sent, first.failed) == (1, 1)
    failed = Delivery.objects.get(status="failed")
    assert failed.next_attempt_at > timezone.now() and "SMTP refused" in failed.last_error
    assert reminders_dispatch().sent == 0  # backoff not over yet
    later = reminders_dispatch(now=timezone.now() + dt.timedelta(minutes=3))
    assert later.sent == 1
    assert Counter(m.to[0] for m in counting_mail) == {"anna@example.com": 1, "bert@example.com": 1}
    assert Delivery.objects.get(recipient=bert).attempts == 2


@pytest.mark.django_db
def test_action_items_come_as_one_digest_per_person(counting_mail, settings):
    settings.MEETING_DIGEST_HOUR = 0
    anna, bert = PersonFactory(), PersonFactory()
    today = calendar.company_today()
    ActionItemFactory(owner=anna, due_date=today - dt.timedelta(days=3), description="Send deck")
    ActionItemFactory(owner=anna, due_date=today + dt.timedelta(days=1), description="Call Acme")
    ActionItemFactory(owner=anna, due_date=today + dt.timedelta(days=5), description="Later")
    ActionItemFactory(
        owner=bert,
        due_date=today - dt.timedelta(days=1),
        status="done",
        completed_at=timezone.now(),
    )
    reminders_dispatch()
    reminders_dispatch()
    assert [m.to[0] for m in counting_mail] == [anna.email]
    body = counting_mail[0].body
    assert "Send deck" in body and "Call Acme" in body and "Later" not in body


@pytest.mark.django_db
def test_the_owner_is_reminded_to_follow_up_thirty_days_after_a_win(counting_mail):
    owner = PersonFactory(email="owner@example.com")
    today = calendar.company_today()
    WonDealFactory(owner=owner, close_date=today - dt.timedelta(days=30), close_value=Decimal(5))
    WonDealFactory(owner=owner, close_date=today - dt.timedelta(days=10), close_value=Decimal(5))
    reminders_dispatch()
    reminders_dispatch()
    assert [m.to[0] for m in counting_mail] == ["owner@example.com"]
    assert Delivery.objects.get().kind == "follow_up"


@pytest.mark.django_db
def test_a_sent_reminder_lands_in_the_in_app_list_with_an_unread_count(counting_mail):
    user = UserFactory()
    anna = PersonFactory(user=user)
    _meeting_in(45, anna)
    reminders_dispatch()
    assert Notification.objects.filter(person=anna).count() == 1
    assert unread_notification_count(user=user) == 1


@pytest.mark.django_db
def test_planning_twice_offers_the_same_rows_but_stores_them_once():
    anna = PersonFactory()
    _meeting_in(45, anna)
    now = timezone.now()
    assert reminders_plan(now=now) == reminders_plan(now=now) == 1
    assert Delivery.objects.count() == 1


def _mail(mailbox) -> list[dict]:
    return [json.loads(line) for line in mailbox.read_text().splitlines()]


@pytest.mark.celery
def test_two_real_workers_racing_deliver_each_reminder_exactly_once(two_workers):
    """Two worker processes run eight dispatch tasks over up to 172 due deliveries, claiming two
    at a time (tests/meetings/race_settings.py): every one is sent, none twice, and both workers
    did send. (Dropping the SKIP LOCKED claim makes this fail with duplicates.)"""
    people = [PersonFactory(email=f"p{i}@example.com") for i in range(42)]
    for i in range(40):
        meeting = _meeting_in(20 + i, *people[i : i + 3])
        AttendeeFactory(
            meeting=meeting, person=None, name="Guest", email=f"guest{i}@client.example"
        )
    today = calendar.company_today()
    for person in people[:12]:
        ActionItemFactory(owner=person, due_date=today - dt.timedelta(days=1))
    local_hour = calendar.company_now().hour
    digests = 12 if local_hour >= conf.digest_hour() else 0
    expected = 40 * 4 + digests

    results = [
        reminders_dispatch_task.apply_async(queue=RACE_QUEUE, ignore_result=False) for _ in range(8)
    ]
    outcomes: list[dict[str, int]] = [r.get(timeout=120) for r in results]
    mail = _mail(two_workers)
    sent = Counter((m["to"][0], m["subject"]) for m in mail)
    assert Delivery.objects.count() == expected
    assert Delivery.objects.filter(status="sent").count() == expected
    assert len(sent) == expected, "a reminder is missing"
    assert max(sent.values()) == 1, f"a reminder went twice: {sent.most_common(3)}"
    assert sum(o["sent"] for o in outcomes) == expected
    assert len({m["pid"] for m in mail}) == 2, "both workers should have sent some"
    assert Notification.objects.count() == 40 * 3 + digests


@pytest.mark.celery
def test_a_meeting_created_in_a_rolled_back_transaction_sends_nothing(two_workers):
    boss = PersonFactory()
    rep = PersonFactory()
    start = timezone.now() + dt.timedelta(minutes=30)
    with pytest.raises(RuntimeError), transaction.atomic():
        meeting_schedule(
            organizer=boss,
            title="Never happened",
            type="client",
            start=start,
            end=start + dt.timedelta(hours=1),
            attendees=[AttendeeInput(person=rep)],
        )
        raise RuntimeError("roll back")
    outcome = reminders_dispatch_task.apply_async(queue=RACE_QUEUE, ignore_result=False)
    assert outcome.get(timeout=60) == {"planned": 0, "sent": 0, "failed": 0}
    assert _mail(two_workers) == []
    assert Delivery.objects.count() == 0

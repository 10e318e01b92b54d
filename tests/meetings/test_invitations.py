"""Invitations by e-mail (issue 24 item 1): iTIP REQUEST / CANCEL over a real SMTP server,
checked against RFC 5546 with `icalendar` and parsed again with `vobject`."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from meetings.models import Delivery, DeliveryKind, DeliveryStatus, Meeting
from meetings.services.conflicts import ConflictError
from meetings.services.invitations import invitations_send
from meetings.services.schedule_rows import AttendeeInput
from meetings.services.scheduling import meeting_cancel, meeting_schedule
from meetings.services.update import meeting_update
from tests.meetings.invitation_mail import CapturingSMTPServer, assert_itip

BERLIN = ZoneInfo("Europe/Berlin")
pytestmark = pytest.mark.django_db
CLIENT = "cleo@client.example"


def next_tuesday(hour: int = 10) -> dt.datetime:
    today = timezone.now().astimezone(BERLIN).date()
    day = today + dt.timedelta(days=(1 - today.weekday()) % 7 + 7)
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=BERLIN)


@pytest.fixture
def smtp(settings):
    with CapturingSMTPServer() as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = server.port
        settings.EMAIL_USE_TLS = False
        settings.EMAIL_HOST_USER = ""
        yield server


def _book(personas, *, rrule: str = "", start: dt.datetime | None = None) -> Meeting:
    start = start or next_tuesday()
    return meeting_schedule(
        organizer=personas.person("rep_a1"),
        title="Pricing call",
        type="client",
        start=start,
        end=start + dt.timedelta(hours=1),
        time_zone="Europe/Berlin",
        rrule=rrule,
        attendees=[
            AttendeeInput(person=personas.person("rep_a2")),
            AttendeeInput(name="Cleo Client", email=CLIENT),
        ],
        allow_conflicts=True,
    ).meeting


def _send(smtp: CapturingSMTPServer) -> list:
    smtp.clear()
    sent, failed = invitations_send()
    assert failed == 0
    return smtp.wait_for(sent)


def test_booking_sends_each_attendee_but_the_organizer_a_request(personas, smtp):
    meeting = _book(personas)
    received = _send(smtp)
    arno = personas.person("rep_a2").email
    assert sorted(r.to[0] for r in received) == sorted([arno, CLIENT])
    for r in received:
        assert r.method_param == "REQUEST"
        [event] = assert_itip(r.icalendar(), "REQUEST")
        assert str(event["UID"]) == f"{meeting.uid}@salesops"
        assert int(event["SEQUENCE"]) == 0
        assert event.decoded("DTSTART") == meeting.start
        assert event["DTSTART"].params["TZID"] == "Europe/Berlin"
        partstats = {str(a): a.params["PARTSTAT"] for a in event["ATTENDEE"]}
        assert partstats[f"mailto:{personas.person('rep_a1').email}"] == "ACCEPTED"
        assert partstats[f"mailto:{CLIENT}"] == "NEEDS-ACTION"
        assert str(event["ORGANIZER"]) == f"mailto:{personas.person('rep_a1').email}"
        # A second, independent parser reads the same event.
        vevent = r.vobject().vevent
        assert vevent.uid.value == str(event["UID"])
        assert vevent.dtstart.value == meeting.start
        assert r.vobject().method.value == "REQUEST"
        assert "/meetings/rsvp/" in r.text


def test_moving_sends_a_request_with_the_next_sequence_and_the_same_uid(personas, smtp):
    meeting = _book(personas)
    first = _send(smtp)[0].icalendar().walk("VEVENT")[0]
    later = meeting.start + dt.timedelta(hours=2)
    meeting_update(
        meeting=meeting,
        data={"start": later, "end": later + dt.timedelta(hours=1)},
        allow_conflicts=True,
    )
    received = _send(smtp)
    assert len(received) == 2
    for r in received:
        [event] = assert_itip(r.icalendar(), "REQUEST")
        assert str(event["UID"]) == str(first["UID"])
        assert int(event["SEQUENCE"]) == int(first["SEQUENCE"]) + 1
        assert event.decoded("DTSTART") == later
        assert r.vobject().vevent.sequence.value == str(int(first["SEQUENCE"]) + 1)


def test_a_removed_attendee_gets_a_cancel_naming_only_them(personas, smtp):
    meeting = _book(personas)
    _send(smtp)
    meeting_update(
        meeting=meeting,
        data={},
        attendees=[AttendeeInput(person=personas.person("rep_a2"))],
        allow_conflicts=True,
    )
    received = _send(smtp)
    cancel = [r for r in received if r.to == (CLIENT,)]
    assert [r.method_param for r in cancel] == ["CANCEL"]
    [event] = assert_itip(cancel[0].icalendar(), "CANCEL")
    assert str(event["ATTENDEE"]) == f"mailto:{CLIENT}"
    assert [r.method_param for r in received if r.to != (CLIENT,)] == ["REQUEST"]


def test_cancelling_sends_a_cancel_with_a_higher_sequence(personas, smtp):
    meeting = _book(personas)
    booked = _send(smtp)[0].icalendar().walk("VEVENT")[0]
    meeting_cancel(meeting=meeting)
    received = _send(smtp)
    assert len(received) == 2
    for r in received:
        assert r.method_param == "CANCEL"
        [event] = assert_itip(r.icalendar(), "CANCEL")
        assert str(event["STATUS"]) == "CANCELLED"
        assert str(event["UID"]) == str(booked["UID"])
        assert int(event["SEQUENCE"]) > int(booked["SEQUENCE"])
        assert r.vobject().vevent.status.value == "CANCELLED"


def test_a_series_carries_its_rrule_and_a_cancelled_occurrence_by_recurrence_id(personas, smtp):
    master = _book(personas, rrule="FREQ=WEEKLY;COUNT=4")
    [request] = [r for r in _send(smtp) if r.to == (CLIENT,)]
    [event] = assert_itip(request.icalendar(), "REQUEST")
    assert event["RRULE"].to_ical() == b"FREQ=WEEKLY;COUNT=4"
    starts = list(request.vobject().vevent.getrruleset())
    assert len(starts) == 4 and starts[0] == master.start

    second = master.occurrences.order_by("start")[0]
    meeting_cancel(meeting=second)
    [cancel] = [r for r in _send(smtp) if r.to == (CLIENT,)]
    [event] = assert_itip(cancel.icalendar(), "CANCEL")
    assert event.decoded("RECURRENCE-ID") == second.original_start
    assert str(event["UID"]) == f"{master.uid}@salesops"

    # The next update of the series leaves the cancelled occurrence out (EXDATE).
    meeting_update(meeting=master, data={"title": "Pricing call (v2)"}, allow_conflicts=True)
    [update] = [r for r in _send(smtp) if r.to == (CLIENT,)]
    events = assert_itip(update.icalendar(), "REQUEST")
    head = next(e for e in events if "RECURRENCE-ID" not in e)
    exdates = [d.dt for d in head["EXDATE"].dts]
    assert exdates == [second.original_start]
    expanded = list(update.vobject().vevent.getrruleset())
    assert second.original_start not in expanded and len(expanded) == 3


def test_moving_one_occurrence_sends_a_request_for_that_recurrence_id(personas, smtp):
    master = _book(personas, rrule="FREQ=WEEKLY;COUNT=3")
    _send(smtp)
    third = master.occurrences.order_by("start")[1]
    moved = third.start + dt.timedelta(hours=1)
    meeting_update(
        meeting=third,
        data={"start": moved, "end": moved + dt.timedelta(hours=1)},
        allow_conflicts=True,
    )
    [request] = [r for r in _send(smtp) if r.to == (CLIENT,)]
    [event] = assert_itip(request.icalendar(), "REQUEST")
    assert event.decoded("RECURRENCE-ID") == third.original_start
    assert event.decoded("DTSTART") == moved
    assert str(event["UID"]) == f"{master.uid}@salesops"
    assert "RRULE" not in event
    assert request.vobject().vevent.recurrence_id.value == third.original_start


def test_sequence_is_monotonic_and_the_uid_stable_across_a_meetings_life(personas, smtp):
    meeting = _book(personas)
    seen: list[int] = []
    uids: set[str] = set()

    def record() -> None:
        for r in _send(smtp):
            event = r.icalendar().walk("VEVENT")[0]
            seen.append(int(event["SEQUENCE"]))
            uids.add(str(event["UID"]))

    record()
    for hours in (1, 2):
        start = meeting.start + dt.timedelta(hours=hours)
        meeting_update(
            meeting=meeting,
            data={"start": start, "end": start + dt.timedelta(hours=1)},
            allow_conflicts=True,
        )
        record()
    meeting_cancel(meeting=meeting)
    record()
    assert seen == sorted(seen) and len(set(seen)) == 4
    assert len(uids) == 1


def test_each_message_is_sent_once_and_a_refused_change_plans_nothing(personas, smtp):
    meeting = _book(personas)
    assert len(_send(smtp)) == 2
    assert invitations_send() == (0, 0)  # nothing left: sent once per natural key
    assert set(
        Delivery.objects.filter(kind=DeliveryKind.INVITATION).values_list("status", flat=True)
    ) == {DeliveryStatus.SENT}
    # A conflicting booking is refused: its transaction plans no invitation.
    with pytest.raises(ConflictError):
        meeting_schedule(
            organizer=personas.person("rep_a2"),
            title="Clash",
            type="client",
            start=meeting.start,
            end=meeting.end,
            attendees=[AttendeeInput(person=personas.person("rep_a1"))],
        )
    assert Delivery.objects.filter(kind=DeliveryKind.INVITATION).count() == 2


def test_the_invitation_task_runs_on_commit_on_a_real_worker(personas, smtp, celery_worker):
    _book(personas)  # committed (transactional test): on_commit queues invitations_send_task
    received = smtp.wait_for(2)
    assert {r.method_param for r in received} == {"REQUEST"}

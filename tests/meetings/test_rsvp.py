"""RSVP (issue 24 item 2): signed single-use expiring links in the invitation, answers stored per
attendee, declines free the slot and reach the organizer."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from meetings.models import Attendee, Delivery, DeliveryKind, Notification, RsvpLinkUse
from meetings.selectors.rsvp import declined_attendee_ids
from meetings.services.conflicts import find_conflicts
from meetings.services.findtime import busy_intervals
from meetings.services.rsvp import rsvp_links
from meetings.services.schedule_rows import AttendeeInput
from meetings.services.scheduling import meeting_schedule

BERLIN = ZoneInfo("Europe/Berlin")
pytestmark = pytest.mark.django_db
CLIENT = "cleo@client.example"


def _start() -> dt.datetime:
    today = timezone.now().astimezone(BERLIN).date() + dt.timedelta(days=7)
    while today.weekday() != 2:
        today += dt.timedelta(days=1)
    return dt.datetime(today.year, today.month, today.day, 11, tzinfo=BERLIN)


@pytest.fixture
def booked(personas):
    start = _start()
    return meeting_schedule(
        organizer=personas.person("rep_a1"),
        title="Demo for Cleo",
        type="client",
        start=start,
        end=start + dt.timedelta(hours=1),
        rrule="",
        attendees=[
            AttendeeInput(person=personas.person("rep_a2")),
            AttendeeInput(name="Cleo Client", email=CLIENT),
        ],
        allow_conflicts=True,
    ).meeting


def _link(recipient_key: str, answer: str) -> str:
    """The link as the invitation e-mail carries it (path and query)."""
    body = Delivery.objects.get(
        kind=DeliveryKind.INVITATION, recipient_key=recipient_key, occurrence="REQUEST:0"
    ).body
    [url] = [u for u in re.findall(r"https?://\S+", body) if f"answer={answer}" in u]
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def test_the_invitation_carries_a_link_per_answer(booked):
    body = Delivery.objects.get(recipient_key=f"email:{CLIENT}").body
    for answer in ("accepted", "declined", "tentative"):
        assert "/meetings/rsvp/" in body and f"answer={answer}" in body


def test_a_link_answers_once_without_login(booked):
    client = Client()
    url = _link(f"email:{CLIENT}", "accepted")
    page = client.get(url)
    assert page.status_code == 200 and b"Demo for Cleo" in page.content
    assert (
        Attendee.objects.get(meeting=booked, email=CLIENT).rsvp == "pending"
    )  # GET changes nothing
    done = client.post(url, {"answer": "accepted"})
    assert done.status_code == 200 and b"Accepted" in done.content
    assert Attendee.objects.get(meeting=booked, email=CLIENT).rsvp == "accepted"
    again = client.post(url, {"answer": "declined"})
    assert again.status_code == 410 and b"already used" in again.content
    assert client.get(url).status_code == 410
    assert Attendee.objects.get(meeting=booked, email=CLIENT).rsvp == "accepted"
    assert RsvpLinkUse.objects.filter(meeting=booked).count() == 1


def test_the_three_links_of_one_email_share_their_single_use(booked):
    client = Client()
    client.post(_link(f"email:{CLIENT}", "tentative"), {"answer": "tentative"})
    declined = client.post(_link(f"email:{CLIENT}", "declined"), {"answer": "declined"})
    assert declined.status_code == 410
    assert Attendee.objects.get(meeting=booked, email=CLIENT).rsvp == "tentative"


def test_a_link_expires(booked, settings):
    settings.MEETING_RSVP_LINK_MAX_AGE_DAYS = 30
    url = _link(f"email:{CLIENT}", "accepted")
    with time_machine.travel(timezone.now() + dt.timedelta(days=31)):
        response = Client().post(url, {"answer": "accepted"})
    assert response.status_code == 410 and b"expired" in response.content
    assert Attendee.objects.get(meeting=booked, email=CLIENT).rsvp == "pending"


def test_a_tampered_link_is_refused(booked):
    url = _link(f"email:{CLIENT}", "accepted")
    path, query = url.split("?")
    forged = path.rstrip("/")[:-3] + "abc/?" + query
    response = Client().post(forged, {"answer": "accepted"})
    assert response.status_code == 410 and b"not valid" in response.content


def test_a_decline_frees_the_slot_and_is_shown_to_the_organizer(personas, booked, client_for):
    arno = personas.person("rep_a2")
    window = dict(person_ids=[arno.pk], start=booked.start, end=booked.end)
    assert busy_intervals(**window) == [(booked.start, booked.end)]
    Client().post(_link(f"person:{arno.pk}", "declined"), {"answer": "declined"})
    assert busy_intervals(**window) == []
    assert find_conflicts(person_ids=[arno.pk], occurrences=[(booked.start, booked.end)]) == []
    assert declined_attendee_ids(meeting_ids=[booked.pk]) == {booked.pk: {arno.pk}}
    note = Notification.objects.get(person=personas.person("rep_a1"))
    assert "declined" in note.title and note.url == f"/meetings/{booked.pk}/"
    page = client_for(personas.rep_a1).get(f"/meetings/{booked.pk}/")
    assert re.search(r"Arno Rep.*?Declined", page.content.decode(), re.S)


def test_a_link_of_someone_removed_from_the_meeting_no_longer_answers(personas, booked):
    from meetings.services.update import meeting_update

    url = _link(f"email:{CLIENT}", "accepted")
    meeting_update(
        meeting=booked,
        data={},
        attendees=[AttendeeInput(person=personas.person("rep_a2"))],
        allow_conflicts=True,
    )
    response = Client().post(url, {"answer": "accepted"})
    assert response.status_code == 410 and b"no longer invited" in response.content


def test_accepting_a_series_answers_its_future_occurrences(personas):
    start = _start()
    master = meeting_schedule(
        organizer=personas.person("rep_a1"),
        title="Weekly pipeline",
        type="team",
        start=start,
        end=start + dt.timedelta(hours=1),
        rrule="FREQ=WEEKLY;COUNT=3",
        attendees=[AttendeeInput(person=personas.person("rep_a2"))],
        allow_conflicts=True,
    ).meeting
    arno = personas.person("rep_a2")
    [url] = [
        u
        for u in rsvp_links(meeting=master, recipient_key=f"person:{arno.pk}").values()
        if "answer=accepted" in u
    ]
    path = "/" + url.split("://", 1)[1].split("/", 1)[1]
    Client().post(path, {"answer": "accepted"})
    answers = set(
        Attendee.objects.filter(
            person=arno, meeting__in=[master, *master.occurrences.all()]
        ).values_list("rsvp", flat=True)
    )
    assert answers == {"accepted"}


def test_a_decline_on_the_meeting_page_also_notifies_the_organizer(personas, booked, client_for):
    response = client_for(personas.rep_a2).post(
        f"/meetings/{booked.pk}/rsvp/", {"rsvp": "declined"}
    )
    assert response.status_code == 302
    arno = personas.person("rep_a2")
    assert Attendee.objects.get(meeting=booked, person=arno).rsvp == "declined"
    [note] = Notification.objects.filter(person=personas.person("rep_a1"))
    assert note.title.startswith("Arno Rep declined")

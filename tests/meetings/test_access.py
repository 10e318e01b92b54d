"""The access matrix with the personas: exact rows per persona, 404 outside scope, writes refused."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from meetings.models import Notification
from tests.factories import PersonFactory
from tests.meetings.factories import ActionItemFactory, AttendeeFactory, MeetingFactory

pytestmark = pytest.mark.django_db

VISIBLE = {
    "admin": {"a1", "b1", "out", "mixed", "ops"},
    "sales_ops": {"a1", "b1", "out", "mixed", "ops"},
    "manager_a": {"a1", "mixed"},
    "rep_a1": {"a1"},
    "rep_a2": {"a1"},
    "rep_a3": {"mixed"},
    "manager_b": {"b1"},
    "rep_b1": {"b1"},
    "outsider": {"out", "mixed"},
}


@pytest.fixture
def world(personas):
    soon = timezone.now() + dt.timedelta(days=2)

    def make(key, organizer, *others):
        m = MeetingFactory(
            title=key, organizer=organizer.person, start=soon, end=soon + dt.timedelta(hours=1)
        )
        for user in (organizer, *others):
            AttendeeFactory(meeting=m, person=user.person)
        return m

    meetings = {
        "a1": make("a1", personas.rep_a1, personas.rep_a2),
        "b1": make("b1", personas.rep_b1),
        "out": make("out", personas.outsider),
        "mixed": make("mixed", personas.outsider, personas.rep_a3),
        "ops": make("ops", personas.sales_ops),
    }
    return personas, meetings


@pytest.mark.parametrize("persona", sorted(VISIBLE))
def test_api_lists_exactly_the_meetings_in_scope(world, api_client_for, persona):
    personas, meetings = world
    client = api_client_for(getattr(personas, persona))
    response = client.get("/api/v1/meetings/")
    assert response.status_code == 200
    assert {r["title"] for r in response.json()["results"]} == VISIBLE[persona]
    for key, meeting in meetings.items():
        detail = client.get(f"/api/v1/meetings/{meeting.pk}/")
        assert detail.status_code == (200 if key in VISIBLE[persona] else 404), key


@pytest.mark.parametrize("persona", sorted(VISIBLE))
def test_pages_show_exactly_the_meetings_in_scope(world, client_for, persona):
    personas, meetings = world
    client = client_for(getattr(personas, persona))
    page = client.get("/meetings/?scope=team")
    assert page.status_code == 200
    shown = {m.title for m in page.context["page"]}
    assert shown == VISIBLE[persona]
    for key, meeting in meetings.items():
        expected = 200 if key in VISIBLE[persona] else 404
        assert client.get(f"/meetings/{meeting.pk}/").status_code == expected, key


def test_anonymous_users_get_nothing(world, api_client_for, client):
    _, meetings = world
    assert api_client_for(None).get("/api/v1/meetings/").status_code in (401, 403)
    assert client.get(f"/meetings/{meetings['a1'].pk}/").status_code == 302


def test_only_the_organizer_their_manager_or_ops_may_change_a_meeting(world, api_client_for):
    personas, meetings = world
    url = f"/api/v1/meetings/{meetings['a1'].pk}/"
    assert (
        api_client_for(personas.rep_a2).patch(url, {"title": "x"}, format="json").status_code == 403
    )
    assert (
        api_client_for(personas.rep_b1).patch(url, {"title": "x"}, format="json").status_code == 404
    )
    assert api_client_for(personas.manager_b).post(url + "cancel/").status_code == 404
    assert api_client_for(personas.rep_a2).post(url + "cancel/").status_code == 403
    assert (
        api_client_for(personas.manager_a).post(url + "cancel/", format="json").status_code == 200
    )
    meetings["a1"].refresh_from_db()
    assert meetings["a1"].status == "cancelled"


def test_an_attendee_answers_for_themselves_only(world, api_client_for):
    personas, meetings = world
    url = f"/api/v1/meetings/{meetings['a1'].pk}/rsvp/"
    assert api_client_for(personas.rep_a2).post(url, {"rsvp": "tentative"}).status_code == 200
    assert meetings["a1"].attendees.get(person=personas.rep_a2.person).rsvp == "tentative"
    # The manager sees the meeting but is not invited.
    assert api_client_for(personas.manager_a).post(url, {"rsvp": "accepted"}).status_code == 403


def test_a_rep_ticks_off_their_own_action_item_but_not_a_colleagues(
    world, api_client_for, client_for
):
    personas, meetings = world
    mine = ActionItemFactory(meeting=meetings["a1"], owner=personas.rep_a2.person)
    theirs = ActionItemFactory(meeting=meetings["a1"], owner=personas.rep_a1.person)
    client = api_client_for(personas.rep_a2)
    assert client.post(f"/api/v1/action-items/{mine.pk}/complete/").status_code == 200
    assert client.post(f"/api/v1/action-items/{theirs.pk}/complete/").status_code == 403
    # Owners may not rewrite the item, only its status.
    response = client.patch(f"/api/v1/action-items/{mine.pk}/", {"description": "x"}, format="json")
    assert response.status_code == 403
    page = client_for(personas.rep_a2).post(f"/meetings/action-items/{mine.pk}/toggle/")
    assert page.status_code == 302
    mine.refresh_from_db()
    assert mine.status == "open" and mine.completed_at is None
    outsider_item = ActionItemFactory(meeting=meetings["out"], owner=personas.outsider.person)
    assert client.post(f"/api/v1/action-items/{outsider_item.pk}/complete/").status_code == 404


def test_action_and_agenda_lists_are_scoped(world, api_client_for):
    personas, meetings = world
    ActionItemFactory(meeting=meetings["a1"], owner=personas.rep_a1.person)
    ActionItemFactory(meeting=meetings["b1"], owner=personas.rep_b1.person)
    rows = api_client_for(personas.manager_a).get("/api/v1/action-items/").json()["results"]
    assert {r["meeting"] for r in rows} == {meetings["a1"].pk}


def test_team_load_is_for_managers_and_shows_only_their_people(world, client_for, api_client_for):
    personas, _ = world
    assert client_for(personas.rep_a1).get("/meetings/team/").status_code == 404
    page = client_for(personas.manager_a).get("/meetings/team/")
    names = {r.person.name for r in page.context["rows"]}
    assert names == {"Maria Manager", "Anna Rep", "Arno Rep", "Ava East"}
    rows = api_client_for(personas.rep_a1).get("/api/v1/meetings/load/").json()
    assert [r["person"]["name"] for r in rows] == ["Anna Rep"]


def test_notifications_are_private(world, api_client_for):
    personas, _ = world
    Notification.objects.create(person=personas.rep_a1.person, title="For Anna")
    Notification.objects.create(person=personas.rep_a2.person, title="For Arno")
    client = api_client_for(personas.rep_a1)
    assert [n["title"] for n in client.get("/api/v1/notifications/").json()["results"]] == [
        "For Anna"
    ]
    assert client.get("/api/v1/notifications/unread-count/").json() == {"unread": 1}
    assert client.post("/api/v1/notifications/read-all/").json() == {"marked": 1}
    assert api_client_for(personas.rep_a2).get("/api/v1/notifications/unread-count/").json() == {
        "unread": 1
    }


def test_my_meetings_page_runs_a_fixed_number_of_queries(personas, client_for):
    rep = personas.rep_a1
    client = client_for(rep)
    soon = timezone.now() + dt.timedelta(days=1)

    def add(n):
        for i in range(n):
            m = MeetingFactory(
                organizer=rep.person,
                start=soon + dt.timedelta(hours=i),
                end=soon + dt.timedelta(hours=i, minutes=30),
            )
            AttendeeFactory(meeting=m, person=rep.person)
            AttendeeFactory(meeting=m, person=PersonFactory())
            ActionItemFactory(meeting=m, owner=rep.person)

    add(2)
    with CaptureQueriesContext(connection) as few:
        assert client.get("/meetings/").status_code == 200
    add(6)
    with CaptureQueriesContext(connection) as many:
        assert client.get("/meetings/").status_code == 200
    assert len(many) == len(few)


def test_meeting_detail_page_runs_a_fixed_number_of_queries(personas, client_for):
    rep = personas.rep_a1
    client = client_for(rep)
    m = MeetingFactory(organizer=rep.person)
    AttendeeFactory(meeting=m, person=rep.person)
    with CaptureQueriesContext(connection) as few:
        client.get(f"/meetings/{m.pk}/")
    for _ in range(5):
        AttendeeFactory(meeting=m, person=PersonFactory())
        ActionItemFactory(meeting=m, owner=rep.person)
    with CaptureQueriesContext(connection) as many:
        client.get(f"/meetings/{m.pk}/")
    assert len(many) == len(few)

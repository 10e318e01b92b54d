"""Issue 20, item 1: a meeting's cost, other people's meetings and working hours stay private.

A meeting's cost is shown only to those who may see every internal attendee's hourly rate (the
attendees' managers up the tree, sales ops); others see hours. Errors about other people's
calendars say "busy" and the time, never the title, hours or zone they cannot see.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from tests.meetings.factories import AttendeeFactory, MeetingFactory

pytestmark = pytest.mark.django_db
BERLIN = ZoneInfo("Europe/Berlin")


def _weekday_at(hour: int, days: int = 7) -> dt.datetime:
    day = timezone.now().astimezone(BERLIN).date() + dt.timedelta(days=days)
    while day.isoweekday() > 5:
        day += dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time(hour), tzinfo=BERLIN)


def _one_hour_with(client, person, start=None):
    start = start or _weekday_at(10)
    return client.post(
        "/api/v1/meetings/",
        {
            "title": "Quick sync",
            "type": "team",
            "start": start.isoformat(),
            "end": (start + dt.timedelta(hours=1)).isoformat(),
            "time_zone": "Europe/Berlin",
            "attendees": [{"person": person.pk}],
        },
        format="json",
    )


@pytest.mark.parametrize("other", ["sales_ops", "manager_a", "rep_b1", "rep_a2"])
def test_a_rep_booking_a_meeting_never_reads_the_other_attendees_hourly_cost(
    personas, api_client_for, other
):
    target = personas.person(other)
    target.hourly_cost = Decimal("123.45")
    target.save()
    rep = api_client_for(personas.rep_a1)

    created = _one_hour_with(rep, target)
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["cost"] is None
    assert body["person_hours"] == "2.00"
    assert "123.45" not in created.content.decode()
    for response in (
        rep.get(f"/api/v1/meetings/{body['id']}/"),
        rep.get("/api/v1/meetings/"),
    ):
        assert "123.45" not in response.content.decode()
        assert "183.45" not in response.content.decode()  # 60 + 123.45: the sum gives it away


def test_the_meeting_pages_show_a_rep_hours_not_money_when_someone_elses_rate_is_in_it(
    personas, api_client_for, client_for
):
    target = personas.person("rep_b1")
    target.hourly_cost = Decimal("123.45")
    target.save()
    created = _one_hour_with(api_client_for(personas.rep_a1), target).json()
    page = client_for(personas.rep_a1)
    for url in (f"/meetings/{created['id']}/", "/meetings/"):
        html = page.get(url).content.decode()
        assert "183.45" not in html and "183,45" not in html
        assert "2.00" in html


def test_managers_up_the_tree_and_sales_ops_see_the_cost_of_their_peoples_meeting(
    personas, api_client_for
):
    start = _weekday_at(11)
    meeting = MeetingFactory(
        organizer=personas.rep_a1.person, start=start, end=start + dt.timedelta(hours=1)
    )
    AttendeeFactory(meeting=meeting, person=personas.rep_a1.person)
    AttendeeFactory(meeting=meeting, person=personas.rep_a3.person)
    for viewer in ("manager_a", "sales_ops", "admin"):
        body = api_client_for(getattr(personas, viewer)).get(f"/api/v1/meetings/{meeting.pk}/")
        assert body.json()["cost"] == "120.00", viewer
    own = api_client_for(personas.rep_a1).get(f"/api/v1/meetings/{meeting.pk}/").json()
    assert own["cost"] is None and own["person_hours"] == "2.00"


def test_a_rep_alone_with_external_contacts_sees_their_own_meetings_cost(personas, api_client_for):
    start = _weekday_at(14)
    meeting = MeetingFactory(
        organizer=personas.rep_a1.person, start=start, end=start + dt.timedelta(hours=1)
    )
    AttendeeFactory(meeting=meeting, person=personas.rep_a1.person)
    AttendeeFactory(meeting=meeting, person=None, name="Client", email="c@client.example")
    body = api_client_for(personas.rep_a1).get(f"/api/v1/meetings/{meeting.pk}/").json()
    assert body["cost"] == "60.00"


def test_a_conflict_error_says_busy_and_the_time_never_a_hidden_meetings_title(
    personas, api_client_for
):
    start = _weekday_at(10)
    hidden = MeetingFactory(
        title="1:1 Bianca / Fernanda",
        type="one_on_one",
        organizer=personas.manager_b.person,
        start=start,
        end=start + dt.timedelta(hours=1),
    )
    AttendeeFactory(meeting=hidden, person=personas.manager_b.person)
    AttendeeFactory(meeting=hidden, person=personas.rep_b1.person)
    rep = api_client_for(personas.rep_a1)
    assert rep.get(f"/api/v1/meetings/{hidden.pk}/").status_code == 404

    refused = _one_hour_with(rep, personas.rep_b1.person, start=start)
    assert refused.status_code == 400
    text = refused.content.decode()
    assert "Bianca" not in text and "1:1" not in text
    assert "busy" in text and "10:00" in text

    allowed = rep.post(
        "/api/v1/meetings/",
        {
            "title": "Quick sync",
            "type": "team",
            "start": start.isoformat(),
            "end": (start + dt.timedelta(hours=1)).isoformat(),
            "time_zone": "Europe/Berlin",
            "attendees": [{"person": personas.rep_b1.person.pk}],
            "allow_conflicts": True,
        },
        format="json",
    )
    assert allowed.status_code == 201
    assert "Bianca" not in allowed.content.decode()


def test_a_working_hours_error_never_shows_someone_elses_hours_or_zone(personas, api_client_for):
    other = personas.person("rep_b1")
    other.time_zone = "America/Los_Angeles"
    other.work_start = dt.time(7, 15)
    other.work_end = dt.time(15, 45)
    other.save()
    rep = api_client_for(personas.rep_a1)

    refused = _one_hour_with(rep, other, start=_weekday_at(9))  # 00:00 in Los Angeles
    assert refused.status_code == 400
    text = refused.content.decode()
    assert "Los_Angeles" not in text and "07:15" not in text and "15:45" not in text
    assert "09:00" in text and "Europe/Berlin" in text

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from meetings.models import Meeting
from salesops.models import SalesCost
from tests.meetings.factories import AttendeeFactory, MeetingFactory

pytestmark = pytest.mark.django_db
BERLIN = ZoneInfo("Europe/Berlin")


def _weekday_at(hour: int, days: int = 7) -> dt.datetime:
    day = timezone.now().astimezone(BERLIN).date() + dt.timedelta(days=days)
    while day.isoweekday() > 5:
        day += dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time(hour), tzinfo=BERLIN)


def test_create_reports_conflicts_as_400_then_accepts_them_when_allowed(personas, api_client_for):
    start = _weekday_at(10)
    busy = MeetingFactory(
        title="QBR",
        organizer=personas.rep_a1.person,
        start=start,
        end=start + dt.timedelta(hours=1),
    )
    AttendeeFactory(meeting=busy, person=personas.rep_a1.person)
    client = api_client_for(personas.manager_a)
    payload = {
        "title": "Coaching",
        "type": "one_on_one",
        "start": start.isoformat(),
        "end": (start + dt.timedelta(minutes=30)).isoformat(),
        "time_zone": "Europe/Berlin",
        "attendees": [
            {"person": personas.rep_a1.person.pk},
            {"name": "Cleo", "email": "cleo@x.example"},
        ],
        "agenda": [{"title": "Pipeline", "minutes": 20, "owner": personas.rep_a1.person.pk}],
    }
    refused = client.post("/api/v1/meetings/", payload, format="json")
    assert refused.status_code == 400
    assert "QBR" in refused.json()["attendees"][0]
    created = client.post("/api/v1/meetings/", {**payload, "allow_conflicts": True}, format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["organizer"]["name"] == "Maria Manager"
    assert len(body["warnings"]) == 1 and len(body["attendees"]) == 3
    assert body["cost"] == "60.00"  # two people at 60/h for 30 minutes


def test_a_rep_cannot_organise_in_someone_elses_name(personas, api_client_for):
    start = _weekday_at(11)
    response = api_client_for(personas.rep_a1).post(
        "/api/v1/meetings/",
        {
            "title": "Call",
            "type": "client",
            "start": start.isoformat(),
            "end": (start + dt.timedelta(minutes=30)).isoformat(),
            "organizer": personas.manager_b.person.pk,
        },
        format="json",
    )
    assert response.status_code == 403  # a refusal, not a silent swap (issue 20)
    assert not Meeting.objects.exists()


def test_find_time_endpoint_returns_the_earliest_free_slots(personas, api_client_for):
    day = _weekday_at(0)
    response = api_client_for(personas.rep_a1).post(
        "/api/v1/meetings/find-time/",
        {
            "attendees": [personas.rep_a1.person.pk, personas.rep_b1.person.pk],
            "duration_minutes": 60,
            "window_start": day.isoformat(),
            "window_end": (day + dt.timedelta(days=1)).isoformat(),
            "count": 3,
        },
        format="json",
    )
    assert response.status_code == 200
    starts = [
        dt.datetime.fromisoformat(s["start"]).astimezone(BERLIN).hour for s in response.json()
    ]
    assert starts[:1] == [9] and len(starts) == 3


def test_done_endpoint_posts_cost_once_and_load_endpoint_flags(personas, api_client_for):
    past = timezone.now() - dt.timedelta(days=1)
    m = MeetingFactory(
        organizer=personas.rep_a1.person, start=past, end=past + dt.timedelta(hours=9)
    )
    AttendeeFactory(meeting=m, person=personas.rep_a1.person)
    client = api_client_for(personas.manager_a)
    assert client.post(f"/api/v1/meetings/{m.pk}/done/").json()["status"] == "done"
    assert client.post(f"/api/v1/meetings/{m.pk}/done/").status_code == 200
    assert list(SalesCost.objects.values_list("amount", flat=True)) == [Decimal("540.00")]
    week = timezone.localtime(past).date().isoformat()
    rows = {
        r["person"]["name"]: r for r in client.get(f"/api/v1/meetings/load/?week={week}").json()
    }
    assert rows["Anna Rep"]["overloaded"] is True and rows["Arno Rep"]["overloaded"] is False


def test_the_api_schema_documents_the_meeting_endpoints(personas, api_client_for):
    response = api_client_for(personas.admin).get("/api/schema/")
    assert response.status_code == 200
    text = response.content.decode()
    for path in (
        "/api/v1/meetings/find-time/",
        "/api/v1/meetings/{id}/rsvp/",
        "/api/v1/action-items/",
        "/api/v1/notifications/",
    ):
        assert path in text


def test_rep_cannot_link_a_meeting_to_a_deal_outside_their_scope(personas, api_client_for):
    import datetime as dt

    from tests.factories import DealFactory

    foreign = DealFactory(owner=personas.person("rep_b1"))
    own = DealFactory(owner=personas.person("rep_a1"))
    start = dt.datetime(2030, 3, 5, 10, tzinfo=dt.UTC)
    payload = {
        "title": "Pitch",
        "type": "client",
        "start": start.isoformat(),
        "end": (start + dt.timedelta(hours=1)).isoformat(),
        "allow_conflicts": True,
    }
    client = api_client_for(personas.rep_a1)
    refused = client.post("/api/v1/meetings/", {**payload, "deal": foreign.pk}, format="json")
    assert refused.status_code == 404  # outside the rep's scope, as GET /deals/{id}/ (issue 20)
    assert "deal" in refused.json()
    absent = client.post("/api/v1/meetings/", {**payload, "deal": 99_999_999}, format="json")
    assert (absent.status_code, absent.json()) == (404, refused.json())  # no existence leak
    accepted = client.post("/api/v1/meetings/", {**payload, "deal": own.pk}, format="json")
    assert accepted.status_code == 201, accepted.json()

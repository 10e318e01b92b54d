"""Recurrence rules are bounded: daily or slower, capped counts, intervals and horizon, and an
expansion that examines a bounded number of days however the rule is written (issue 20)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from meetings.models import Meeting

pytestmark = pytest.mark.django_db
BERLIN = ZoneInfo("Europe/Berlin")


def _payload(rrule: str) -> dict[str, object]:
    day = timezone.now().astimezone(BERLIN).date() + dt.timedelta(days=7)
    while day.isoweekday() > 5:
        day += dt.timedelta(days=1)
    start = dt.datetime.combine(day, dt.time(10), tzinfo=BERLIN)
    return {
        "title": "Stand-up",
        "type": "team",
        "start": start.isoformat(),
        "end": (start + dt.timedelta(minutes=30)).isoformat(),
        "time_zone": "Europe/Berlin",
        "rrule": rrule,
    }


@pytest.mark.parametrize(
    "rrule",
    [
        "FREQ=SECONDLY;BYSETPOS=366;BYYEARDAY=366",
        "FREQ=SECONDLY;BYMONTH=2;BYMONTHDAY=30",
        "FREQ=HOURLY",
        "FREQ=DAILY;INTERVAL=0",
        "FREQ=DAILY;INTERVAL=100000000000",
        "FREQ=DAILY;COUNT=100000",
        "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30",
        "FREQ=DAILY;BYSETPOS=366",
        "FREQ=WEEKLY;BYHOUR=1,2,3",
        "FREQ=WEEKLY;UNTIL=99991231T000000Z",
        "FREQ=WEEKLY;COUNT=3;UNTIL=20990101T000000Z",
        "FREQ=WEEKLY;COUNT=3;COUNT=4",
        "FREQ",
    ],
)
def test_an_unbounded_or_impossible_recurrence_is_a_400_on_the_rrule(
    personas, api_client_for, rrule
):
    client = api_client_for(personas.rep_a1)
    response = client.post("/api/v1/meetings/", _payload(rrule), format="json")
    assert response.status_code == 400, response.content
    assert "rrule" in response.json()
    assert not Meeting.objects.exists()


def test_a_daily_weekday_series_is_still_materialised_to_the_horizon(personas, api_client_for):
    client = api_client_for(personas.rep_a1)
    response = client.post(
        "/api/v1/meetings/", _payload("FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR"), format="json"
    )
    assert response.status_code == 201, response.content
    assert Meeting.objects.count() > 60


def test_a_monthly_last_weekday_series_with_bysetpos_is_accepted(personas, api_client_for):
    payload = _payload("FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1;COUNT=3")
    start = dt.datetime.fromisoformat(str(payload["start"]))
    last = (start.replace(day=1) + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    while last.isoweekday() > 5:
        last -= dt.timedelta(days=1)
    payload["start"] = last.isoformat()
    payload["end"] = (last + dt.timedelta(minutes=30)).isoformat()
    response = api_client_for(personas.rep_a1).post("/api/v1/meetings/", payload, format="json")
    assert response.status_code == 201, response.content
    assert Meeting.objects.count() == 3

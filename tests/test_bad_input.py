"""Every date, number and id is parsed at the edge: hand-made hostile inputs get a 4xx, never a
500 (issue 20, "Bad input → 500")."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from tests.territories.factories import make_model, make_territory

pytestmark = pytest.mark.django_db
BERLIN = ZoneInfo("Europe/Berlin")


def _meeting_payload(start: str, end: str) -> dict[str, Any]:
    return {"title": "x", "type": "team", "start": start, "end": end, "time_zone": "UTC"}


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/meetings/abc/",
        "/api/v1/meetings/abc/attendees/",
        "/api/v1/meetings/abc/ics/",
        "/api/v1/compensation/quotas/abc/",
        "/api/v1/compensation/plans/abc/",
        "/api/v1/compensation/plan-versions/abc/",
        "/api/v1/compensation/assignments/abc/",
        "/api/v1/compensation/statements/abc/",
        "/api/v1/compensation/disputes/abc/",
        "/api/v1/imports/abc/",
    ],
)
def test_a_non_numeric_id_in_the_path_is_a_404(personas, api_client_for, path):
    assert api_client_for(personas.sales_ops).get(path).status_code == 404


def test_a_reversal_for_an_unknown_deal_is_a_400_on_deal(personas, api_client_for):
    response = api_client_for(personas.sales_ops).post(
        "/api/v1/compensation/reversals/",
        {"deal": 987654321, "reversed_on": "2026-01-05", "reason": "refund"},
        format="json",
    )
    assert response.status_code == 400
    assert "deal" in response.json()


@pytest.mark.parametrize(
    "query",
    [
        {"start_after": "2026-01-01T00:00:00+19:46"},
        {"start_before": "2725-02-04T09:15:28+21:50"},
        {"start_after": "0001-01-01T00:00:00+05:00"},
        {"start_before": "9999-12-31T23:59:59-05:00"},
    ],
)
def test_an_impossible_offset_or_year_in_the_meetings_filter_is_a_400(
    personas, api_client_for, query
):
    response = api_client_for(personas.rep_a1).get("/api/v1/meetings/", query)
    assert response.status_code == 400


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("0001-01-01T09:00:00Z", "0001-01-01T10:00:00Z"),
        ("9999-12-31T22:00:00Z", "9999-12-31T23:00:00Z"),
        ("2026-05-04T09:00:00+19:46", "2026-05-04T10:00:00+19:46"),
    ],
)
def test_a_meeting_in_year_1_or_9999_is_a_400(personas, api_client_for, start, end):
    response = api_client_for(personas.rep_a1).post(
        "/api/v1/meetings/", _meeting_payload(start, end), format="json"
    )
    assert response.status_code == 400


@pytest.mark.parametrize(
    ("window_start", "window_end"),
    [
        ("0001-01-01T00:00:00Z", "0001-01-20T00:00:00Z"),
        ("9999-12-20T00:00:00Z", "9999-12-31T00:00:00Z"),
    ],
)
def test_find_a_time_in_year_1_or_9999_is_a_400(personas, api_client_for, window_start, window_end):
    response = api_client_for(personas.rep_a1).post(
        "/api/v1/meetings/find-time/",
        {
            "attendees": [personas.rep_a1.person.pk],
            "duration_minutes": 30,
            "window_start": window_start,
            "window_end": window_end,
        },
        format="json",
    )
    assert response.status_code == 400


@pytest.mark.parametrize("week", ["0001-01-01", "9999-12-31"])
def test_the_meeting_load_of_year_1_or_9999_is_a_400(personas, api_client_for, week):
    response = api_client_for(personas.manager_a).get("/api/v1/meetings/load/", {"week": week})
    assert response.status_code == 400


@pytest.mark.parametrize("path", ["/dashboard/", "/me/", "/dashboard/people.csv"])
@pytest.mark.parametrize(
    "dates",
    [("0001-01-01", "0001-01-31"), ("9999-12-01", "9999-12-31"), ("0001-01-01", "9999-12-31")],
)
def test_pages_with_year_1_or_9999_fall_back_to_the_default_period(
    personas, client_for, path, dates
):
    response = client_for(personas.manager_a).get(
        path, {"period": "custom", "start": dates[0], "end": dates[1]}
    )
    assert response.status_code == 200


def test_json_nested_a_thousand_deep_is_a_400(personas, api_client_for):
    body = '{"title": ' + "[" * 1000 + "]" * 1000 + "}"
    response = api_client_for(personas.rep_a1).post(
        "/api/v1/meetings/", body, content_type="application/json"
    )
    assert response.status_code == 400


@pytest.mark.parametrize(
    "definition",
    [
        {"base_rate": "1E+30"},
        {"base_rate": "1e999999"},
        {"tiers": [{"from": "0", "to": None, "rate": "1e999999"}]},
        {"base_rate": "5", "cap": {"kind": "absolute", "value": "1E+30"}},
        {"base_rate": "5", "draw": {"amount": "1e999999", "recoverable": True}},
        {"base_rate": "5", "spifs": [{"name": "x", "amount": "1E+30"}]},
        {"base_rate": "5", "product_rates": {"a\u0000b": "5"}},
        {"base_rate": "5", "product_rates": {"GTX": "5\u0000"}},
    ],
)
def test_huge_numbers_and_nuls_in_a_plan_are_a_400(personas, api_client_for, definition):
    client = api_client_for(personas.sales_ops)
    created = client.post(
        "/api/v1/compensation/plans/",
        {"name": "Hostile", "definition": definition, "effective_from": "2026-01-01"},
        format="json",
    )
    assert created.status_code == 400
    simulated = client.post(
        "/api/v1/compensation/simulate/", {"plan": definition, "deals": []}, format="json"
    )
    assert simulated.status_code == 400


def test_a_rule_priority_of_2_to_the_40_is_a_400(personas, api_client_for):
    territory = make_territory(make_model(), "North")
    response = api_client_for(personas.sales_ops).post(
        "/api/v1/territories/rules/",
        {"territory": territory.pk, "priority": 2**40, "countries": ["DE"]},
        format="json",
    )
    assert response.status_code == 400
    assert "priority" in response.json()


def test_the_meetings_filter_still_takes_a_real_offset(personas, api_client_for):
    start = (timezone.now() + dt.timedelta(days=1)).astimezone(BERLIN).replace(microsecond=0)
    response = api_client_for(personas.rep_a1).get(
        "/api/v1/meetings/", {"start_after": start.isoformat()}
    )
    assert response.status_code == 200


@pytest.mark.parametrize("start", ["0001-01-01T09:00", "9999-12-31T22:00"])
def test_the_meeting_form_refuses_year_1_or_9999_as_a_field_error(personas, client_for, start):
    end = start[:11] + "23:00"
    response = client_for(personas.rep_a1).post(
        "/meetings/new/",
        {"title": "x", "type": "team", "time_zone": "Europe/Berlin", "start": start, "end": end},
    )
    assert response.status_code == 200
    assert "Use a date between" in response.content.decode()


@pytest.mark.parametrize(
    "query",
    [{"start_after": "2026-01-01T00:00:00+19:46"}, {"start_before": "9999-12-31T23:00:00-05:00"}],
)
def test_the_meetings_page_survives_an_impossible_filter(personas, client_for, query):
    assert client_for(personas.rep_a1).get("/meetings/", query).status_code in (200, 400)

"""The statement API says, per line, who entered the deal, the plan component and the measure
period (issue 18 item 7 / 19); the simulator runs format-2 plans (per-tier mix, period
components, measures); OpenAPI documents every new field."""

from __future__ import annotations

import datetime as dt

import pytest

from compensation.services import statements as svc
from salesops import calendar
from tests.compensation.factories import FLAT_5, approved_plan, assign, won_deal

pytestmark = pytest.mark.django_db
MONTH = calendar.month_containing(dt.date(2026, 3, 15))
MIXED_TIERS = [
    {"from": "0", "to": "50", "rate": "5", "method": "retroactive"},
    {"from": "50", "to": "100", "rate": "10", "method": "retroactive"},
    {"from": "100", "to": None, "rate": "20", "method": "marginal"},
]


def test_statement_lines_say_who_entered_the_deal_and_what_they_measure(personas, api_client_for):
    rep = personas.person("rep_a1")
    assign(rep, approved_plan("Flat", FLAT_5, MONTH.start), MONTH.start)
    won_deal(rep, "10000", MONTH.start + dt.timedelta(days=1), external_id="IMPORTED")
    won_deal(
        rep, "20000", MONTH.start + dt.timedelta(days=2), external_id="MINE", entered_by_owner=True
    )
    statement = svc.statement_generate(person=rep, period=MONTH)
    assert statement is not None
    response = api_client_for(personas.rep_a1).get(
        f"/api/v1/compensation/statements/{statement.pk}/"
    )
    assert response.status_code == 200
    lines = {line["ref"]: line for line in response.json()["lines"]}
    imported, mine = lines["IMPORTED"], lines["MINE"]
    assert imported["entered_by"] == {
        "entered_as": "imported_or_team",
        "owner": rep.name,
        "confirmed": None,
        "confirmed_at": None,
    }
    assert mine["entered_by"]["entered_as"] == "rep_entered"
    assert mine["entered_by"]["confirmed"] is False
    for line in (imported, mine):
        assert line["component"] == "commission"
        assert line["plan_component"] == ""
        assert line["measure"] == "revenue"
        assert line["measure_period"] == MONTH.start.isoformat()
    # Outside the caller's scope the statement is 404, as before.
    other = api_client_for(personas.rep_b1).get(f"/api/v1/compensation/statements/{statement.pk}/")
    assert other.status_code == 404


def test_simulator_explains_a_per_tier_mix(personas, api_client_for):
    response = api_client_for(personas.rep_a1).post(
        "/api/v1/compensation/simulate/",
        {
            "plan": {"tier_basis": "attainment", "tiers": MIXED_TIERS},
            "quota": "100000",
            "deals": [{"amount": "130000", "date": "2026-03-01"}],
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["total"] == "16000.00"
    (line,) = body["lines"]
    assert "retroactive: the band reached tier 2" in line["formula"]
    assert [s["rate"] for s in line["slices"]] == ["10", "10", "20"]


def test_simulator_runs_period_components_and_measures(personas, api_client_for):
    plan = {
        "version": 2,
        "components": [
            {
                "name": "Revenue",
                "period": "quarter",
                "advance_percent": "50",
                "tier_basis": "attainment",
                "weight": "70",
                "tiers": [
                    {"from": "0", "to": "100", "rate": "5"},
                    {"from": "100", "to": None, "rate": "10"},
                ],
            },
            {
                "name": "SE",
                "credit": ["overlay"],
                "period": "quarter",
                "base_rate": "1",
                "weight": "10",
            },
            {
                "name": "MBO",
                "measure": "mbo",
                "period": "quarter",
                "weight": "20",
                "base_rate": "100",
            },
        ],
    }
    response = api_client_for(personas.sales_ops).post(
        "/api/v1/compensation/simulate/",
        {
            "plan": plan,
            "quota": "300000",
            "target_incentive": "1000",
            "measures": {"mbo": "50"},
            "deals": [
                {"amount": "300000", "date": "2026-03-01", "ref": "Q"},
                {"amount": "40000", "date": "2026-03-02", "ref": "OV", "credit_type": "overlay"},
            ],
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    lines = {line["plan_component"]: line for line in response.json()["lines"]}
    # The quarter's single computation: 300,000 × 5 % (the 25,000 of a monthly plan is gone).
    assert lines["Revenue"]["amount"] == "15000.00" and lines["Revenue"]["kind"] == "true_up"
    assert lines["SE"]["amount"] == "400.00"  # 40,000 overlay × 1 %; the split deal is not counted
    # MBO: 50 % × (1,000 × 3 months × 20 %) = 300.
    assert lines["MBO"]["amount"] == "300.00" and lines["MBO"]["measure"] == "mbo"
    assert response.json()["total"] == "15700.00"
    bad = api_client_for(personas.sales_ops).post(
        "/api/v1/compensation/simulate/",
        {"plan": plan, "deals": [], "measures": {"calls": "3"}},
        format="json",
    )
    assert bad.status_code == 400 and "measures" in bad.json()


def test_openapi_documents_the_new_fields(personas, api_client_for):
    schema = api_client_for(personas.sales_ops).get("/api/schema/?format=json").json()
    parts = schema["components"]["schemas"]
    simulate = parts["SimulateInput"]["properties"]
    assert {"measures", "measure_quotas"} <= set(simulate)
    component = simulate["plan"]["properties"]["components"]["items"]["properties"]
    assert {"measure", "credit", "period", "advance_percent", "weight", "pay", "tiers"} <= set(
        component
    )
    assert "method" in component["tiers"]["items"]["properties"]
    assert "credit_type" in parts["SimulatedDealInput"]["properties"]
    assert {"plan_component", "measure", "measure_period", "deal_id"} <= set(
        parts["SimulatedLineOutput"]["properties"]
    )
    line = parts["StatementLineOutput"]["properties"]
    assert {"component", "plan_component", "measure", "measure_period", "entered_by"} <= set(line)
    assert "entered_as" in parts["EnteredByOutput"]["properties"]


def test_overlay_credit_and_mbo_scores_through_the_api(personas, api_client_for):
    rep, se = personas.person("rep_a1"), personas.person("rep_a2")
    deal = won_deal(rep, "50000", MONTH.start + dt.timedelta(days=1))
    body = {"deal": deal.pk, "person": se.pk, "role": "solutions_engineer", "percent": "100"}
    manager = api_client_for(personas.manager_a)
    created = manager.post("/api/v1/compensation/overlay-credits/", body, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["role"] == "solutions_engineer"
    again = manager.post("/api/v1/compensation/overlay-credits/", body, format="json")
    assert again.status_code == 400 and "person" in again.json()
    # A rep cannot credit themselves (403); another team's manager does not see the person.
    own = api_client_for(personas.rep_a1).post(
        "/api/v1/compensation/overlay-credits/",
        {**body, "person": rep.pk, "percent": "50"},
        format="json",
    )
    assert own.status_code == 403
    other = api_client_for(personas.manager_b).post(
        "/api/v1/compensation/overlay-credits/", body, format="json"
    )
    assert other.status_code == 404  # outside their scope: like GET /people/{id}/ (issue 20)
    score = {"person": rep.pk, "component": "MBO", "period_start": MONTH.start.isoformat()}
    ok = manager.post("/api/v1/compensation/mbo-scores/", {**score, "score": "80"}, format="json")
    assert ok.status_code == 200 and ok.json()["score"] == "80.00"
    too_high = manager.post(
        "/api/v1/compensation/mbo-scores/", {**score, "score": "250"}, format="json"
    )
    assert too_high.status_code == 400 and "score" in too_high.json()
    self_scored = api_client_for(personas.rep_a1).post(
        "/api/v1/compensation/mbo-scores/", {**score, "score": "200"}, format="json"
    )
    assert self_scored.status_code == 403

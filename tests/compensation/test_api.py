"""The pay API: the access matrix on every pay endpoint (exact rows, 404 outside scope, writes
refused), the simulator, the payroll CSV and the audit user through requests."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from compensation.models import Dispute, Quota, Statement
from compensation.services import statements as svc
from salesops import calendar
from tests.compensation.factories import (
    MARGINAL_ATTAINMENT,
    approved_plan,
    assign,
    month_quota,
    territory,
    won_deal,
)

pytestmark = pytest.mark.django_db
MAR = calendar.month_containing(dt.date(2026, 3, 15))
PAID = ("rep_a1", "rep_a2", "rep_a3", "rep_b1", "outsider")
VISIBLE = {
    "admin": set(PAID),
    "sales_ops": set(PAID),
    "manager_a": {"rep_a1", "rep_a2", "rep_a3"},
    "manager_b": {"rep_b1"},
    "rep_a1": {"rep_a1"},
    "rep_a2": {"rep_a2"},
    "rep_b1": {"rep_b1"},
    "outsider": {"outsider"},
}


@pytest.fixture
def paydata(personas):
    version = approved_plan(
        "Accelerated", MARGINAL_ATTAINMENT, calendar.month_containing(dt.date(2026, 1, 15)).start
    )
    for name in PAID:
        person = personas.person(name)
        assign(person, version, dt.date(2026, 1, 1), target_incentive=D(5000))
        month_quota(person, MAR, "100000")
        won_deal(person, "150000", dt.date(2026, 3, 10))
    svc.statements_generate(period=MAR)
    return version


def _names(personas, ids):
    by_pk = {personas.person(n).pk: n for n in PAID}
    return {by_pk[i] for i in ids}


@pytest.mark.parametrize("who", sorted(VISIBLE))
def test_statement_list_shows_exactly_the_callers_scope(personas, paydata, api_client_for, who):
    response = api_client_for(getattr(personas, who)).get("/api/v1/compensation/statements/")
    assert response.status_code == 200
    assert _names(personas, [r["person"] for r in response.json()["results"]]) == VISIBLE[who]


@pytest.mark.parametrize("who", sorted(VISIBLE))
def test_statement_detail_is_404_outside_scope(personas, paydata, api_client_for, who):
    client = api_client_for(getattr(personas, who))
    for name in PAID:
        statement = Statement.objects.get(person=personas.person(name))
        response = client.get(f"/api/v1/compensation/statements/{statement.pk}/")
        expected = 200 if name in VISIBLE[who] else 404
        assert response.status_code == expected, (who, name)
        if expected == 200:
            assert response.json()["payable"] == "8250.00"
            assert len(response.json()["lines"]) == 1


@pytest.mark.parametrize("who", sorted(VISIBLE))
def test_quota_and_attainment_follow_the_scope(personas, paydata, api_client_for, who):
    client = api_client_for(getattr(personas, who))
    quotas = client.get("/api/v1/compensation/quotas/").json()["results"]
    assert _names(personas, {q["person"] for q in quotas}) == VISIBLE[who]
    rows = client.get(f"/api/v1/compensation/attainment/?period={MAR.name}").json()
    paid_rows = [r for r in rows if r["quota"] is not None]
    assert _names(personas, {r["person_id"] for r in paid_rows}) == VISIBLE[who]
    assert {r["percent"] for r in paid_rows} == {"150.00"}
    assert {r["club_tier"] for r in paid_rows} == {"chairmans"}


def test_a_quota_outside_scope_is_404(personas, paydata, api_client_for):
    other = Quota.objects.filter(person=personas.person("rep_b1")).first()
    response = api_client_for(personas.rep_a1).get(f"/api/v1/compensation/quotas/{other.pk}/")
    assert response.status_code == 404


@pytest.mark.parametrize("who", ["manager_a", "rep_a1", "outsider"])
def test_pay_writes_are_refused_to_everyone_but_sales_ops(personas, paydata, api_client_for, who):
    client = api_client_for(getattr(personas, who))
    own = Statement.objects.filter(person=personas.person(who)).first() or Statement.objects.get(
        person=personas.person("rep_a1")
    )
    attempts = [
        client.post(
            "/api/v1/compensation/quotas/",
            {"person": personas.person("rep_a1").pk, "period": "FY2026", "amount": "1"},
            format="json",
        ),
        client.post(f"/api/v1/compensation/statements/{own.pk}/approve/"),
        client.post("/api/v1/compensation/statements/generate/", {"period": "FY2026-M03"}),
        client.get("/api/v1/compensation/statements/export/?period=FY2026-M03"),
        client.post(
            "/api/v1/compensation/plans/",
            {"name": "x", "definition": {}, "effective_from": "2026-01-01"},
            format="json",
        ),
        client.post(
            "/api/v1/compensation/adjustments/",
            {"person": personas.person("rep_a1").pk, "amount": "5", "reason": "x"},
            format="json",
        ),
    ]
    assert [r.status_code for r in attempts] == [403] * len(attempts)


def test_sales_ops_sets_an_annual_quota_and_history_records_them(personas, api_client_for):
    rep = personas.person("rep_b1")
    response = api_client_for(personas.sales_ops).post(
        "/api/v1/compensation/quotas/",
        {"person": rep.pk, "period": "FY2026", "amount": "120000", "apply_ramp": False},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert len(response.json()) == 12
    assert {h.history_user for h in Quota.history.filter(person_id=rep.pk)} == {personas.sales_ops}


def test_rep_disputes_own_line_and_manager_resolves(personas, paydata, api_client_for):
    statement = Statement.objects.get(person=personas.person("rep_a1"))
    line = statement.lines.get()
    other_line = Statement.objects.get(person=personas.person("rep_b1")).lines.get()
    rep = api_client_for(personas.rep_a1)
    assert (
        rep.post(
            "/api/v1/compensation/disputes/", {"line": other_line.pk, "comment": "x"}
        ).status_code
        == 404
    )
    created = rep.post("/api/v1/compensation/disputes/", {"line": line.pk, "comment": "too low"})
    assert created.status_code == 201
    dispute_id = created.json()["id"]
    assert (
        api_client_for(personas.manager_b)
        .post(f"/api/v1/compensation/disputes/{dispute_id}/resolve/", {"accept": True})
        .status_code
        == 404
    )
    assert (
        rep.post(
            f"/api/v1/compensation/disputes/{dispute_id}/resolve/",
            {"accept": True, "resolution": "self-service"},
        ).status_code
        == 403
    )
    resolved = api_client_for(personas.manager_a).post(
        f"/api/v1/compensation/disputes/{dispute_id}/resolve/",
        {"accept": False, "resolution": "the rate is right"},
    )
    assert resolved.status_code == 200
    dispute = Dispute.objects.get()
    assert dispute.status == "rejected"
    assert dispute.history.first().history_user == personas.manager_a


def test_ops_approve_pay_and_export_payroll_csv(personas, paydata, api_client_for):
    ops = api_client_for(personas.sales_ops)
    statement = Statement.objects.get(person=personas.person("rep_a1"))
    assert ops.post(f"/api/v1/compensation/statements/{statement.pk}/approve/").status_code == 200
    assert ops.post(f"/api/v1/compensation/statements/{statement.pk}/pay/").status_code == 200
    response = ops.get(f"/api/v1/compensation/statements/export/?period={MAR.name}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = response.content.decode().strip().splitlines()
    assert rows[0].startswith("person_id,name,email,period,status,payable")
    assert len(rows) == 2 and f",{MAR.name},paid,8250.00," in rows[1]
    assert Statement.history.filter(id=statement.pk).first().history_user == personas.sales_ops


def test_simulator_returns_the_domain_examples_and_saves_nothing(personas, api_client_for):
    before = Statement.objects.count()
    client = api_client_for(personas.rep_a1)
    response = client.post(
        "/api/v1/compensation/simulate/",
        {
            "plan": {
                "method": "retroactive",
                "tiers": [
                    {"from": "0", "to": "10000", "rate": "1"},
                    {"from": "10000", "to": "50000", "rate": "2"},
                    {"from": "50000", "to": "100000", "rate": "3"},
                    {"from": "100000", "to": None, "rate": "4"},
                ],
            },
            "deals": [{"amount": "60000", "date": "2026-03-01"}],
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["payable"] == "1800.00"
    split = client.post(
        "/api/v1/compensation/simulate/",
        {
            "plan": {"base_rate": "10"},
            "deals": [{"amount": "1000", "date": "2026-03-01", "split_percent": "50"}],
        },
        format="json",
    )
    assert split.json()["payable"] == "50.00"
    # the what-if sends credited shares, which are not always whole cents
    share = client.post(
        "/api/v1/compensation/simulate/",
        {"plan": {"base_rate": "10"}, "deals": [{"amount": "33.33333333", "date": "2026-03-01"}]},
        format="json",
    )
    assert share.status_code == 200 and share.json()["payable"] == "3.33"
    bad = client.post(
        "/api/v1/compensation/simulate/",
        {"plan": {"method": "sideways"}, "deals": []},
        format="json",
    )
    assert bad.status_code == 400 and "/method" in bad.json()
    assert Statement.objects.count() == before


def test_openapi_documents_the_simulator_plan_schema(personas, api_client_for):
    response = api_client_for(personas.sales_ops).get("/api/schema/?format=json")
    assert response.status_code == 200
    schema = response.json()
    assert "/api/v1/compensation/simulate/" in schema["paths"]
    plan = schema["components"]["schemas"]["SimulateInput"]["properties"]["plan"]
    assert set(plan["properties"]) >= {"method", "tier_basis", "tiers", "cap", "spifs", "draw"}


def test_anonymous_gets_nothing(api_client_for, personas):
    assert api_client_for(None).get("/api/v1/compensation/statements/").status_code in (401, 403)


def test_team_and_territory_quotas_via_the_api(personas, api_client_for):
    west = territory("West")
    ops = api_client_for(personas.sales_ops)
    team = ops.post(
        "/api/v1/compensation/quotas/",
        {"team": personas.team_a.pk, "period": "FY2026-Q1", "amount": "30000"},
        format="json",
    )
    territorial = ops.post(
        "/api/v1/compensation/quotas/",
        {"territory_id": west.pk, "period": "FY2026-M01", "amount": "500"},
        format="json",
    )
    assert team.status_code == 201 and len(team.json()) == 3
    assert territorial.status_code == 201 and territorial.json()[0]["assignee"] == "Territory West"
    both = ops.post(
        "/api/v1/compensation/quotas/",
        {"team": personas.team_a.pk, "territory_id": west.pk, "period": "FY2026", "amount": "1"},
        format="json",
    )
    unknown = ops.post(
        "/api/v1/compensation/quotas/",
        {"territory_id": west.pk + 1000, "period": "FY2026", "amount": "1"},
        format="json",
    )
    assert both.status_code == 400 and unknown.status_code == 404  # unknown: like the object
    manager_a = api_client_for(personas.manager_a).get("/api/v1/compensation/quotas/").json()
    assert {q["team"] for q in manager_a["results"]} == {personas.team_a.pk}
    manager_b = api_client_for(personas.manager_b).get("/api/v1/compensation/quotas/").json()
    assert manager_b["results"] == []
    rollup = api_client_for(personas.manager_a).get(
        "/api/v1/compensation/attainment/teams/?period=FY2026-Q1"
    )
    rows = {r["team_id"]: r for r in rollup.json()}
    assert rows[personas.team_a.pk]["own_quota"] == "30000.00"
    assert set(rows) == {personas.team_a.pk, personas.team_a_east.pk}

"""Plan documents and rep acknowledgement (issue 19 item 4): the printable plan summary per
person and version, the rep accepting it from their pay page, and sales ops (or the manager)
seeing who has not — with the pay scope on every page."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from compensation.models import PlanAcknowledgement
from compensation.services import plans as plan_services
from tests.compensation.factories import approved_plan, assign

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("january_berlin")]
TODAY = dt.datetime(2026, 3, 20, 12, tzinfo=dt.UTC)
MIXED = {
    "version": 2,
    "components": [
        {
            "name": "New business",
            "tier_basis": "attainment",
            "tiers": [
                {"from": "0", "to": "50", "rate": "5", "method": "retroactive"},
                {"from": "50", "to": "100", "rate": "10", "method": "retroactive"},
                {"from": "100", "to": None, "rate": "20", "method": "marginal"},
            ],
        }
    ],
    "cap": {"kind": "absolute", "value": "50000"},
    "clawback_days": 60,
}


@pytest.fixture
def on_plan(personas):
    version = approved_plan("AE mixed", MIXED, dt.date(2026, 1, 1))
    for name in ("rep_a1", "rep_a2", "rep_b1"):
        assign(personas.person(name), version, dt.date(2026, 1, 1))
    return version


def _doc(personas, name, version):
    return f"/compensation/people/{personas.person(name).pk}/plans/{version.pk}/"


@time_machine.travel(TODAY, tick=False)
def test_plan_document_explains_the_per_tier_mix_and_terms(personas, client_for, on_plan):
    response = client_for(personas.rep_a1).get(_doc(personas, "rep_a1", on_plan))
    assert response.status_code == 200
    html = response.content.decode()
    assert "AE mixed" in html and "Anna Rep" in html and "version 1" in html
    assert html.count("retroactive: the reached rate on everything in its band") == 2
    assert html.count("marginal: on its own slice") == 1
    assert "50000 per period" in html and "within 60 days" in html
    assert "print.css" in html and "I have read and accept this plan" in html


@time_machine.travel(TODAY, tick=False)
def test_plan_document_follows_pay_scope(personas, client_for, on_plan):
    url = _doc(personas, "rep_a1", on_plan)
    for who in ("rep_a1", "manager_a", "sales_ops", "admin"):
        assert client_for(getattr(personas, who)).get(url).status_code == 200, who
    for who in ("rep_a2", "manager_b", "outsider", "rep_b1"):
        assert client_for(getattr(personas, who)).get(url).status_code == 404, who
    # the manager sees the document but cannot accept it for the rep
    html = client_for(personas.manager_a).get(url).content.decode()
    assert "I have read and accept" not in html


def test_plan_document_of_a_plan_the_person_is_not_on_is_404(personas, client_for, on_plan):
    other = approved_plan("Other", MIXED, dt.date(2026, 1, 1))
    url = _doc(personas, "rep_a1", other)
    assert client_for(personas.sales_ops).get(url).status_code == 404


@time_machine.travel(TODAY, tick=False)
def test_rep_acknowledges_from_the_pay_page_once(personas, client_for, on_plan):
    client = client_for(personas.rep_a1)
    html = client.get("/compensation/").content.decode()
    assert "Please review your plan" in html
    url = f"/compensation/plan-versions/{on_plan.pk}/acknowledge/"
    assert client.post(url).status_code == 302
    assert client.post(url).status_code == 302  # a second click changes nothing
    ack = PlanAcknowledgement.objects.get()
    assert ack.person == personas.person("rep_a1") and ack.version == on_plan
    assert ack.history.count() == 1 and ack.history.get().history_user == personas.rep_a1
    html = client.get("/compensation/").content.decode()
    assert "Plan acknowledged" in html


def test_nobody_acknowledges_for_someone_else_or_a_plan_they_are_not_on(
    personas, client_for, on_plan
):
    other = approved_plan("Other", MIXED, dt.date(2026, 1, 1))
    assert (
        client_for(personas.outsider)
        .post(f"/compensation/plan-versions/{other.pk}/acknowledge/")
        .status_code
        == 404
    )
    client_for(personas.manager_a).post(f"/compensation/plan-versions/{on_plan.pk}/acknowledge/")
    assert not PlanAcknowledgement.objects.exists()  # the manager is not on the plan


def test_a_draft_version_cannot_be_acknowledged(personas, client_for, on_plan):
    draft = plan_services.plan_version_create(
        user=None, plan=on_plan.plan, definition=MIXED, effective_from=dt.date(2026, 6, 1)
    )
    client_for(personas.rep_a1).post(f"/compensation/plan-versions/{draft.pk}/acknowledge/")
    assert not PlanAcknowledgement.objects.exists()


@time_machine.travel(TODAY, tick=False)
def test_sales_ops_and_managers_see_who_has_not_acknowledged(personas, client_for, on_plan):
    client_for(personas.rep_a1).post(f"/compensation/plan-versions/{on_plan.pk}/acknowledge/")
    ops = client_for(personas.sales_ops).get("/compensation/ops/acknowledgements/?missing=1")
    rows = ops.context["page"].object_list
    assert [r.person_name for r in rows] == ["Arno Rep", "Bert Rep"]
    assert ops.context["missing_count"] == 2
    manager = client_for(personas.manager_a).get("/compensation/ops/acknowledgements/")
    assert {(r.person_name, r.acknowledged_at is not None) for r in manager.context["page"]} == {
        ("Anna Rep", True),
        ("Arno Rep", False),
    }


@time_machine.travel(TODAY, tick=False)
def test_acknowledgement_and_pay_ops_pages_run_a_fixed_number_of_queries(personas, client_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    version = approved_plan("AE mixed", MIXED, dt.date(2026, 1, 1))
    assign(personas.person("rep_a1"), version, dt.date(2026, 1, 1))
    client = client_for(personas.sales_ops)
    urls = ["/compensation/ops/acknowledgements/", "/compensation/ops/"]
    for url in urls:
        client.get(url)
    few = {}
    for url in urls:
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        few[url] = len(queries)
    for name in ("rep_a2", "rep_b1", "manager_a"):
        assign(personas.person(name), version, dt.date(2026, 1, 1))
    client_for(personas.rep_a1).post(f"/compensation/plan-versions/{version.pk}/acknowledge/")
    client = client_for(personas.sales_ops)
    for url in urls:
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        assert len(queries) == few[url], url

"""Territory pages: scope (404 outside), sales-ops-only actions, fixed query counts, the editor."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from territories.models import AssignmentRule, Pin
from territories.services import territory_assignments_run, territory_model_clone
from tests.factories import AccountFactory
from tests.territories.conftest import VISIBLE

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("persona", sorted(VISIBLE))
def test_pages_follow_the_scope(persona, personas, world, client_for):
    model, terr = world
    client = client_for(getattr(personas, persona))
    sees_model = bool(VISIBLE[persona])
    index = client.get("/territories/")
    assert index.status_code == 200
    assert (model.name in index.content.decode()) == sees_model
    for url in ("", "rules/", "balance/"):
        response = client.get(f"/territories/models/{model.pk}/{url}")
        assert response.status_code == (200 if sees_model else 404)
    for name, territory in terr.items():
        response = client.get(f"/territories/t/{territory.pk}/")
        assert response.status_code == (200 if name in VISIBLE[persona] else 404)
    if sees_model:
        tree = client.get(f"/territories/models/{model.pk}/").content.decode()
        shown = {name for name in terr if f">{name}</a>" in tree}
        assert shown == VISIBLE[persona]


@pytest.mark.parametrize("persona", ["manager_a", "rep_a1"])
def test_planning_actions_are_for_sales_ops_only(persona, personas, world, client_for):
    model, terr = world
    client = client_for(getattr(personas, persona))
    assert client.get(f"/territories/models/{model.pk}/pins/").status_code == 404
    assert client.post(f"/territories/models/{model.pk}/run/").status_code == 404
    assert client.post(f"/territories/models/{model.pk}/clone/").status_code == 404
    response = client.post(
        f"/territories/models/{model.pk}/rules/", {"territory": terr["A"].pk, "priority": 1}
    )
    assert response.status_code == 200 and not AssignmentRule.objects.filter(priority=1).exists()


def test_tree_page_runs_a_fixed_number_of_queries(personas, world, client_for):
    model, _terr = world
    client = client_for(personas.sales_ops)
    url = f"/territories/models/{model.pk}/"
    AccountFactory.create_batch(2, country="US")
    territory_assignments_run(model=model)
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    AccountFactory.create_batch(30, country="DE")
    AccountFactory.create_batch(40, country="US")
    territory_assignments_run(model=model)
    with CaptureQueriesContext(connection) as big:
        assert client.get(url).status_code == 200
    assert len(big) == len(small)


def test_rule_editor_creates_and_edits_rules(personas, world, client_for):
    model, terr = world
    client = client_for(personas.sales_ops)
    response = client.post(
        f"/territories/models/{model.pk}/rules/",
        {"territory": terr["B"].pk, "priority": 300, "countries": "es, pt", "name": "Iberia"},
    )
    assert response.status_code == 302
    rule = AssignmentRule.objects.get(name="Iberia")
    assert rule.countries == ["ES", "PT"]
    response = client.post(
        f"/territories/models/{model.pk}/rules/?edit={rule.pk}",
        {"territory": terr["B"].pk, "priority": 301, "countries": "ES", "name": "Iberia"},
    )
    assert response.status_code == 302
    rule.refresh_from_db()
    assert (rule.priority, rule.countries) == (301, ["ES"])
    bad = client.post(
        f"/territories/models/{model.pk}/rules/",
        {"territory": terr["B"].pk, "priority": 1, "countries": "Spain"},
    )
    assert bad.status_code == 200 and "two-letter country code" in bad.content.decode()
    page = client.get(f"/territories/models/{model.pk}/rules/").content.decode()
    assert "Iberia" in page and "country ES" in page


def test_preview_balance_and_rebalance_pages_for_a_plan(personas, world, client_for):
    model, _terr = world
    plan = territory_model_clone(source=model, name="Plan")
    client = client_for(personas.sales_ops)
    preview = client.get(f"/territories/models/{plan.pk}/preview/")
    assert (
        preview.status_code == 200 and "0</strong> accounts would move" in preview.content.decode()
    )
    assert client.get(f"/territories/models/{model.pk}/preview/").status_code == 404
    balance = client.get(f"/territories/models/{plan.pk}/balance/?max_moves=5")
    assert balance.status_code == 200
    body = balance.content.decode()
    assert "vendor/chart.umd.js" in body and "Before and after" in body
    applied = client.post(f"/territories/models/{plan.pk}/balance/", {"max_moves": 5})
    assert applied.status_code == 302
    assert not Pin.objects.filter(model=model, source="rebalance").exists()


def test_admin_pages_load(personas, world, client_for):
    client = client_for(personas.admin)
    for name in (
        "territorymodel",
        "territory",
        "assignmentrule",
        "pin",
        "territoryassignment",
        "accountterritory",
    ):
        assert client.get(f"/admin/territories/{name}/").status_code == 200
        if name not in ("accountterritory",):
            assert client.get(f"/admin/territories/{name}/add/").status_code == 200

"""The admin's territory pages work for the sales-ops group (not superuser), through the services."""

from __future__ import annotations

import pytest

from territories.models import (
    AccountTerritory,
    AssignmentBatch,
    AssignmentRule,
    Territory,
    TerritoryModel,
)

pytestmark = pytest.mark.django_db

LISTS = [
    "territorymodel",
    "territory",
    "assignmentrule",
    "pin",
    "territoryassignment",
    "accountterritory",
    "assignmentbatch",
]


@pytest.mark.parametrize("name", LISTS)
def test_sales_ops_opens_every_territory_admin_list_and_change_page(
    name, personas, world, client_for
):
    model, terr = world
    client = client_for(personas.sales_ops)
    assert not personas.sales_ops.is_superuser
    assert client.get(f"/admin/territories/{name}/").status_code == 200
    obj = {
        "territorymodel": model,
        "territory": terr["A"],
        "assignmentrule": AssignmentRule.objects.filter(territory=terr["A"]).first(),
        "pin": model.pins.first(),
        "territoryassignment": terr["A"].coverage.first(),
        "accountterritory": AccountTerritory.objects.filter(model=model).first(),
        "assignmentbatch": AssignmentBatch.objects.create(model=model),
    }[name]
    assert client.get(f"/admin/territories/{name}/{obj.pk}/change/").status_code == 200


def test_sales_ops_adds_a_model_a_territory_and_a_rule_in_the_admin(personas, world, client_for):
    client = client_for(personas.sales_ops)
    response = client.post(
        "/admin/territories/territorymodel/add/",
        {
            "name": "FY28 plan",
            "description": "",
            "territories-TOTAL_FORMS": "0",
            "territories-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    plan = TerritoryModel.objects.get(name="FY28 plan")
    response = client.post(
        "/admin/territories/territory/add/",
        {
            "model": plan.pk,
            "name": "North",
            "type": "geographic",
            **_empty_inlines(),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    north = Territory.objects.get(model=plan, name="North")
    assert north.path == f"/{north.pk}/"
    response = client.post(
        "/admin/territories/assignmentrule/add/",
        {
            "territory": north.pk,
            "name": "Nordics",
            "priority": "50",
            "countries": '["SE", "NO"]',
            "regions": "[]",
            "sectors": "[]",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert AssignmentRule.objects.get(name="Nordics").countries == ["SE", "NO"]


def test_sales_ops_cannot_edit_an_archived_models_rule_in_the_admin(personas, world, client_for):
    model, terr = world
    TerritoryModel.objects.filter(pk=model.pk).update(state="archived")
    rule = AssignmentRule.objects.filter(territory=terr["A"]).first()
    client = client_for(personas.sales_ops)
    client.post(
        f"/admin/territories/assignmentrule/{rule.pk}/change/",
        {
            "territory": terr["A"].pk,
            "name": "changed",
            "priority": "1",
            "countries": "[]",
            "regions": "[]",
            "sectors": "[]",
        },
    )
    rule.refresh_from_db()
    assert rule.name != "changed"


def _empty_inlines():
    return {
        "rules-TOTAL_FORMS": "0",
        "rules-INITIAL_FORMS": "0",
        "coverage-TOTAL_FORMS": "0",
        "coverage-INITIAL_FORMS": "0",
    }


def test_rep_gets_no_territory_admin(personas, world, client_for):
    client = client_for(personas.rep_a1)
    response = client.get("/admin/territories/assignmentrule/")
    assert response.status_code in (302, 403, 404)


def _model_form(name):
    return {
        "name": name,
        "description": "",
        "territories-TOTAL_FORMS": "0",
        "territories-INITIAL_FORMS": "0",
    }


def test_admin_renaming_an_archived_model_is_refused_by_the_service(personas, world, client_for):
    model, _ = world
    TerritoryModel.objects.filter(pk=model.pk).update(state="archived")
    client = client_for(personas.sales_ops)
    response = client.post(
        f"/admin/territories/territorymodel/{model.pk}/change/", _model_form("Renamed"), follow=True
    )
    assert "archived and read-only" in response.content.decode()
    model.refresh_from_db()
    assert model.name == "Live"


def test_admin_deletes_planning_models_only(personas, world, client_for):
    live, _ = world
    plan = TerritoryModel.objects.create(name="What-if")
    client = client_for(personas.sales_ops)
    assert (
        client.post(
            f"/admin/territories/territorymodel/{live.pk}/delete/", {"post": "yes"}
        ).status_code
        == 403
    )
    client.post(f"/admin/territories/territorymodel/{plan.pk}/delete/", {"post": "yes"})
    assert list(TerritoryModel.objects.values_list("name", flat=True)) == ["Live"]

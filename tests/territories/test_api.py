"""The territories API: access matrix (exact rows, 404 outside scope, writes refused) and actions."""

from __future__ import annotations

import pytest

from territories.models import AccountTerritory, ModelState, Pin, TerritoryModel
from territories.services import territory_assignments_run
from tests.factories import AccountFactory
from tests.territories.conftest import VISIBLE

pytestmark = pytest.mark.django_db


def names(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {row["name"] for row in response.json()["results"]}


@pytest.mark.parametrize("persona", sorted(VISIBLE))
def test_territory_list_and_detail_follow_the_scope(persona, personas, world, api_client_for):
    model, terr = world
    client = api_client_for(getattr(personas, persona))
    assert names(client.get("/api/v1/territories/")) == VISIBLE[persona]
    for name, territory in terr.items():
        expected = 200 if name in VISIBLE[persona] else 404
        assert client.get(f"/api/v1/territories/{territory.pk}/").status_code == expected
        accounts = client.get(f"/api/v1/territories/{territory.pk}/accounts/")
        assert accounts.status_code == expected
    models = client.get("/api/v1/territory-models/").json()["results"]
    assert [m["id"] for m in models] == ([model.pk] if VISIBLE[persona] else [])
    rules = client.get("/api/v1/territories/rules/").json()["results"]
    assert {r["name"] for r in rules} == {f"rule {n}" for n in VISIBLE[persona]}
    pins = client.get("/api/v1/territories/pins/").json()["results"]
    assert {p["account_name"] for p in pins} == {f"Pinned {n}" for n in VISIBLE[persona]}
    coverage = client.get("/api/v1/territories/assignments/").json()["results"]
    assert {c["territory"] for c in coverage} == {
        terr[n].pk for n in VISIBLE[persona] if n not in ("Empty",)
    }


@pytest.mark.parametrize("persona", ["manager_a", "rep_a1", "outsider"])
def test_only_sales_ops_write(persona, personas, world, api_client_for):
    model, terr = world
    client = api_client_for(getattr(personas, persona))
    assert client.post("/api/v1/territories/", {"model": model.pk, "name": "X"}).status_code == 403
    assert client.post("/api/v1/territories/rules/", {"territory": terr["A"].pk}).status_code == 403
    assert client.patch(f"/api/v1/territories/{terr['A'].pk}/", {"name": "Y"}).status_code == 403
    assert client.post(f"/api/v1/territory-models/{model.pk}/activate/").status_code == 403
    assert client.get(f"/api/v1/territory-models/{model.pk}/rebalance/").status_code == 403


def test_anonymous_is_refused(world, api_client_for):
    assert api_client_for(None).get("/api/v1/territories/").status_code in (401, 403)


def test_territory_accounts_lists_the_subtree(personas, world, api_client_for):
    _model, terr = world
    rows = api_client_for(personas.rep_a1).get(f"/api/v1/territories/{terr['A'].pk}/accounts/")
    assert {r["account_name"] for r in rows.json()["results"]} == {
        "Acc A",
        "Acc A East",
        "Pinned A",
        "Pinned A East",
    }


def test_sales_ops_plans_previews_rebalances_and_activates(personas, world, api_client_for):
    model, terr = world
    client = api_client_for(personas.sales_ops)
    clone = client.post(f"/api/v1/territory-models/{model.pk}/clone/", {"name": "Plan"})
    assert clone.status_code == 201, clone.content
    plan_id = clone.json()["id"]
    plan_b = client.get(f"/api/v1/territories/?model={plan_id}&name=B").json()["results"][0]
    rule = client.post(
        "/api/v1/territories/rules/",
        {"territory": plan_b["id"], "countries": ["es"], "priority": 500},
        format="json",
    )
    assert rule.status_code == 201, rule.content
    assert rule.json()["countries"] == ["ES"]

    preview = client.get(f"/api/v1/territory-models/{plan_id}/preview/").json()
    assert preview["moves"] == 1
    assert preview["sample"][0]["account_name"] == "Acc Empty"

    balance = client.get(f"/api/v1/territory-models/{plan_id}/balance/")
    assert balance.status_code == 200 and len(balance.json()["territories"]) == 5
    proposal = client.get(f"/api/v1/territory-models/{plan_id}/rebalance/?max_moves=3")
    assert proposal.status_code == 200, proposal.content
    assert client.post(f"/api/v1/territory-models/{model.pk}/rebalance/", {}).status_code == 400

    activated = client.post(f"/api/v1/territory-models/{plan_id}/activate/")
    assert activated.status_code == 200 and activated.json()["state"] == "active"
    assert TerritoryModel.objects.get(pk=model.pk).state == ModelState.ARCHIVED
    renamed = client.patch(f"/api/v1/territory-models/{model.pk}/", {"name": "Old"})
    assert renamed.status_code == 400
    archived_rule = client.post(
        "/api/v1/territories/rules/", {"territory": terr["A"].pk}, format="json"
    )
    assert archived_rule.status_code == 400


def test_pinning_through_the_api_reassigns_the_account(personas, world, api_client_for):
    model, terr = world
    account = AccountFactory(country="DE", name="Mover")
    territory_assignments_run(model=model)
    client = api_client_for(personas.sales_ops)
    response = client.post(
        "/api/v1/territories/pins/",
        {"model": model.pk, "account": account.pk, "territory": terr["C"].pk},
    )
    assert response.status_code == 201, response.content
    row = AccountTerritory.objects.get(account=account, valid_to__isnull=True)
    assert (row.territory_id, row.source) == (terr["C"].pk, "pin")
    bad = client.post(
        "/api/v1/territories/pins/", {"model": model.pk, "account": account.pk, "kind": "pin"}
    )
    assert bad.status_code == 400
    client.delete(f"/api/v1/territories/pins/{Pin.objects.get(account=account).pk}/")
    row = AccountTerritory.objects.get(account=account, valid_to__isnull=True)
    assert (row.territory_id, row.source) == (terr["A"].pk, "rule")


def test_overlapping_owner_via_api_is_a_400(personas, world, api_client_for):
    _model, terr = world
    response = api_client_for(personas.sales_ops).post(
        "/api/v1/territories/assignments/",
        {
            "territory": terr["A"].pk,
            "person": personas.person("rep_a2").pk,
            "effective_from": "2026-05-01",
        },
    )
    assert response.status_code == 400

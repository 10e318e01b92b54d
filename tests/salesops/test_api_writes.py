"""Writes through the core API follow role, go through the services, and answer 400 with field
messages on bad input. Every refused write is checked against the database afterwards."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group

from salesops import hooks
from salesops.api.serializers import ONLY_SALES_OPS, UNKNOWN_FIELD
from salesops.models import Account, CostSource, Deal, Person, Product, SalesCost, Team
from tests.factories import SalesCostFactory
from tests.salesops.core_api_world import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(personas):
    return build_world(personas)


def _splits(deal):
    return sorted((s.person.name, s.percent) for s in deal.splits.select_related("person"))


# --- a rep and their own deals --------------------------------------------------------------


def test_rep_moves_their_own_deal_through_stages_and_sets_values(personas, world, api_client_for):
    deal = world.deals["A1"]
    client = api_client_for(personas.rep_a1)
    response = client.patch(
        f"/api/v1/deals/{deal.pk}/",
        {"stage": "presentation", "amount": "2500.00", "account": world.accounts[1].pk},
        format="json",
    )
    assert response.status_code == 200, response.content
    deal.refresh_from_db()
    assert (deal.stage, deal.amount, deal.account) == (
        "presentation",
        Decimal("2500.00"),
        world.accounts[1],
    )
    assert deal.stage_entered_at is not None
    assert response.json()["stage"] == "presentation"


def test_rep_wins_their_deal_through_the_stage_action(personas, world, api_client_for):
    deal = world.deals["A1"]
    response = api_client_for(personas.rep_a1).post(
        f"/api/v1/deals/{deal.pk}/stage/",
        {"stage": "won", "close_date": "2026-04-01", "close_value": "1800.00"},
        format="json",
    )
    assert response.status_code == 200, response.content
    deal.refresh_from_db()
    assert (deal.stage, deal.close_date, deal.close_value) == (
        "won",
        dt.date(2026, 4, 1),
        Decimal("1800.00"),
    )


@pytest.mark.parametrize(
    "payload,field",
    [
        ({"owner": "OTHER"}, "owner"),
        ({"product": "PRODUCT"}, "product"),
        ({"splits": "SPLITS"}, "splits"),
        ({"external_id": "HIJACK"}, "external_id"),
    ],
)
def test_rep_cannot_change_owner_product_or_splits_of_their_deal(
    personas, world, api_client_for, payload, field
):
    deal = world.deals["A1"]
    other = personas.person("rep_a2")
    value = {
        "OTHER": other.pk,
        "PRODUCT": world.products[1].pk,
        "SPLITS": [{"person": other.pk, "percent": "100"}],
        "HIJACK": "HIJACK",
    }[next(iter(payload.values()))]
    body = {field: value, "stage": "closing"}
    response = api_client_for(personas.rep_a1).patch(
        f"/api/v1/deals/{deal.pk}/", body, format="json"
    )
    assert response.status_code == 403
    assert response.json() == {field: [ONLY_SALES_OPS]}
    fresh = Deal.objects.get(pk=deal.pk)
    assert (fresh.owner_id, fresh.product_id, fresh.external_id, fresh.stage) == (
        deal.owner_id,
        deal.product_id,
        "A1",
        "prospecting",
    )
    assert _splits(fresh) == [("Anna Rep", Decimal("100.00"))]


@pytest.mark.parametrize("field,value", [("team", "TEAM"), ("role", "sales_ops_manager")])
def test_rep_sending_team_or_role_on_a_deal_gets_400_and_nothing_changes(
    personas, world, api_client_for, field, value
):
    deal = world.deals["A1"]
    if value == "TEAM":
        value = personas.team_b.pk
    response = api_client_for(personas.rep_a1).patch(
        f"/api/v1/deals/{deal.pk}/", {field: value, "amount": "1.00"}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {field: [UNKNOWN_FIELD]}
    assert Deal.objects.get(pk=deal.pk).amount == Decimal("1000.00")
    person = Person.objects.get(pk=personas.person("rep_a1").pk)
    assert (person.role, person.team_id) == ("account_executive", personas.team_a.pk)


@pytest.mark.parametrize(
    "payload",
    [{"role": "sales_ops_manager"}, {"team": "TEAM_B"}, {"manager": None}, {"name": "Boss"}],
)
def test_rep_cannot_change_their_own_person_record(personas, api_client_for, payload):
    me = personas.person("rep_a1")
    if payload.get("team") == "TEAM_B":
        payload = {"team": personas.team_b.pk}
    response = api_client_for(personas.rep_a1).patch(
        f"/api/v1/people/{me.pk}/", payload, format="json"
    )
    assert response.status_code == 403
    fresh = Person.objects.get(pk=me.pk)
    assert (fresh.role, fresh.team_id, fresh.manager_id, fresh.name) == (
        "account_executive",
        personas.team_a.pk,
        personas.person("manager_a").pk,
        "Anna Rep",
    )
    assert list(personas.rep_a1.groups.values_list("name", flat=True)) in (
        [],
        ["account_executive"],
    )


def test_rep_cannot_change_a_deal_they_only_hold_a_split_in(personas, world, api_client_for):
    deal = world.deals["A2"]
    response = api_client_for(personas.rep_b1).patch(
        f"/api/v1/deals/{deal.pk}/", {"stage": "closing"}, format="json"
    )
    assert response.status_code == 403
    assert Deal.objects.get(pk=deal.pk).stage == "prospecting"


def test_rep_gets_404_for_a_deal_outside_their_scope(personas, world, api_client_for):
    deal = world.deals["B1"]
    client = api_client_for(personas.rep_a1)
    assert client.patch(f"/api/v1/deals/{deal.pk}/", {"stage": "closing"}).status_code == 404
    assert client.post(f"/api/v1/deals/{deal.pk}/stage/", {"stage": "closing"}).status_code == 404
    assert Deal.objects.get(pk=deal.pk).stage == "prospecting"


def test_manager_cannot_change_their_reps_deals(personas, world, api_client_for):
    deal = world.deals["A1"]
    response = api_client_for(personas.manager_a).patch(
        f"/api/v1/deals/{deal.pk}/", {"stage": "closing"}, format="json"
    )
    assert response.status_code == 403
    assert Deal.objects.get(pk=deal.pk).stage == "prospecting"


def test_rep_creates_a_deal_of_their_own_credited_100_percent(personas, world, api_client_for):
    response = api_client_for(personas.rep_a1).post(
        "/api/v1/deals/",
        {"product": world.products[0].pk, "account": world.accounts[0].pk, "amount": "900"},
        format="json",
    )
    assert response.status_code == 201, response.content
    deal = Deal.objects.get(pk=response.json()["id"])
    assert deal.owner == personas.person("rep_a1")
    assert deal.external_id.startswith("SO-")
    assert _splits(deal) == [("Anna Rep", Decimal("100.00"))]


def test_rep_cannot_create_a_deal_for_someone_else_or_with_splits(personas, world, api_client_for):
    client = api_client_for(personas.rep_a1)
    other = personas.person("rep_a2")
    before = Deal.objects.count()
    response = client.post(
        "/api/v1/deals/", {"product": world.products[0].pk, "owner": other.pk}, format="json"
    )
    assert response.status_code == 403
    assert "owner" in response.json()
    response = client.post(
        "/api/v1/deals/",
        {"product": world.products[0].pk, "splits": [{"person": other.pk, "percent": "100"}]},
        format="json",
    )
    assert response.status_code == 403
    assert response.json() == {"splits": [ONLY_SALES_OPS]}
    assert Deal.objects.count() == before


def test_rep_cannot_set_splits_through_the_splits_action(personas, world, api_client_for):
    deal = world.deals["A1"]
    response = api_client_for(personas.rep_a1).post(
        f"/api/v1/deals/{deal.pk}/splits/",
        {"splits": [{"person": personas.person("rep_a2").pk, "percent": "100"}]},
        format="json",
    )
    assert response.status_code == 403
    assert _splits(deal) == [("Anna Rep", Decimal("100.00"))]


# --- validation -----------------------------------------------------------------------------


def test_winning_without_a_close_date_is_400_on_close_date(personas, world, api_client_for):
    deal = world.deals["A1"]
    client = api_client_for(personas.rep_a1)
    response = client.patch(
        f"/api/v1/deals/{deal.pk}/", {"stage": "won", "close_value": "10"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["close_date"] == ["A won deal needs a close date."]
    response = client.post(f"/api/v1/deals/{deal.pk}/stage/", {"stage": "won"}, format="json")
    assert response.status_code == 400
    assert "close_date" in response.json()
    assert Deal.objects.get(pk=deal.pk).stage == "prospecting"


def test_splits_that_do_not_sum_to_100_are_400_and_change_nothing(personas, world, api_client_for):
    deal = world.deals["A1"]
    response = api_client_for(personas.sales_ops).post(
        f"/api/v1/deals/{deal.pk}/splits/",
        {
            "splits": [
                {"person": personas.person("rep_a1").pk, "percent": "60"},
                {"person": personas.person("rep_a2").pk, "percent": "30"},
            ]
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"splits": ["Splits must sum to 100 %; these sum to 90.00 %."]}
    assert _splits(deal) == [("Anna Rep", Decimal("100.00"))]


def test_bad_patch_with_splits_rolls_back_the_field_changes(personas, world, api_client_for):
    deal = world.deals["A1"]
    response = api_client_for(personas.sales_ops).patch(
        f"/api/v1/deals/{deal.pk}/",
        {"amount": "5.00", "splits": [{"person": personas.person("rep_a1").pk, "percent": "50"}]},
        format="json",
    )
    assert response.status_code == 400
    assert "splits" in response.json()
    assert Deal.objects.get(pk=deal.pk).amount == Decimal("1000.00")


def test_bad_field_values_are_400_with_field_messages(personas, world, api_client_for):
    client = api_client_for(personas.sales_ops)
    response = client.post(
        "/api/v1/deals/",
        {"owner": personas.person("rep_a1").pk, "product": 999999, "amount": "-5", "stage": "x"},
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()) == {"product", "stage"}
    response = client.post(
        "/api/v1/deals/",
        {"owner": personas.person("rep_a1").pk, "product": world.products[0].pk, "amount": "-5"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"amount": ["The amount cannot be negative."]}


# --- sales ops and admin --------------------------------------------------------------------


@pytest.mark.parametrize("who", ["sales_ops", "admin"])
def test_sales_ops_and_admin_reassign_a_deal_and_split_it(personas, world, api_client_for, who):
    deal = world.deals["A1"]
    rep_a2, rep_b1 = personas.person("rep_a2"), personas.person("rep_b1")
    response = api_client_for(getattr(personas, who)).patch(
        f"/api/v1/deals/{deal.pk}/",
        {
            "owner": rep_a2.pk,
            "splits": [
                {"person": rep_a2.pk, "percent": "70"},
                {"person": rep_b1.pk, "percent": "30"},
            ],
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    deal.refresh_from_db()
    assert deal.owner == rep_a2
    assert _splits(deal) == [("Arno Rep", Decimal("70.00")), ("Bert Rep", Decimal("30.00"))]
    assert [s["percent"] for s in response.json()["splits"]] == ["70.00", "30.00"]


def test_sales_ops_creates_a_deal_for_a_rep_with_splits(personas, world, api_client_for):
    rep_a1, rep_a3 = personas.person("rep_a1"), personas.person("rep_a3")
    response = api_client_for(personas.sales_ops).post(
        "/api/v1/deals/",
        {
            "external_id": "NEW-1",
            "owner": rep_a1.pk,
            "product": world.products[1].pk,
            "stage": "won",
            "close_date": "2026-02-01",
            "close_value": "300.00",
            "splits": [
                {"person": rep_a1.pk, "percent": "50"},
                {"person": rep_a3.pk, "percent": "50"},
            ],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    deal = Deal.objects.get(external_id="NEW-1")
    assert _splits(deal) == [("Anna Rep", Decimal("50.00")), ("Ava East", Decimal("50.00"))]


def test_role_change_moves_the_user_to_the_role_group(personas, api_client_for):
    rep = personas.person("rep_a1")
    response = api_client_for(personas.sales_ops).patch(
        f"/api/v1/people/{rep.pk}/", {"role": "sales_manager"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert Person.objects.get(pk=rep.pk).role == "sales_manager"
    assert list(personas.rep_a1.groups.values_list("name", flat=True)) == ["sales_manager"]
    response = api_client_for(personas.sales_ops).patch(
        f"/api/v1/people/{rep.pk}/", {"role": "sales_ops_manager"}, format="json"
    )
    assert response.status_code == 200
    personas.rep_a1.refresh_from_db()
    assert personas.rep_a1.is_staff
    assert Group.objects.get(name="sales_ops_manager").user_set.filter(pk=personas.rep_a1.pk)


def test_sales_ops_creates_a_person_and_names_are_unique_ignoring_case(personas, api_client_for):
    client = api_client_for(personas.sales_ops)
    response = client.post(
        "/api/v1/people/",
        {"name": "Nina New", "role": "sdr", "team": personas.team_b.pk, "hourly_cost": "55.00"},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert Person.objects.get(name="Nina New").team == personas.team_b
    response = client.post("/api/v1/people/", {"name": "nina new", "role": "sdr"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"name": ["A person named 'nina new' already exists."]}


def test_person_input_rejects_unknown_fields_and_bad_values(personas, api_client_for):
    client = api_client_for(personas.sales_ops)
    response = client.post(
        "/api/v1/people/", {"name": "X", "role": "sdr", "is_superuser": True}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"is_superuser": [UNKNOWN_FIELD]}
    response = client.post(
        "/api/v1/people/",
        {"name": "X", "role": "sdr", "time_zone": "Mars/Base", "work_days": "189"},
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()) == {"time_zone"}
    assert not Person.objects.filter(name="X").exists()


def test_delete_deactivates_a_person_and_keeps_the_row(personas, world, api_client_for):
    rep = personas.person("rep_a1")
    response = api_client_for(personas.sales_ops).delete(f"/api/v1/people/{rep.pk}/")
    assert response.status_code == 204
    fresh = Person.objects.get(pk=rep.pk)
    assert not fresh.active
    assert not fresh.user.is_active
    assert Deal.objects.filter(owner=fresh).exists()


def test_rep_and_manager_cannot_delete_people(personas, api_client_for):
    rep = personas.person("rep_a1")
    for who in ("rep_a1", "manager_a"):
        response = api_client_for(getattr(personas, who)).delete(f"/api/v1/people/{rep.pk}/")
        assert response.status_code == 403
    assert Person.objects.get(pk=rep.pk).active


@pytest.mark.parametrize("who", ["rep_a1", "manager_a"])
@pytest.mark.parametrize(
    "url,payload",
    [
        ("/api/v1/teams/", {"name": "Rogue"}),
        ("/api/v1/products/", {"name": "Rogue"}),
        ("/api/v1/accounts/", {"name": "Rogue"}),
        ("/api/v1/costs/", {"date": "2026-01-01", "category": "tools", "amount": "1"}),
        ("/api/v1/people/", {"name": "Rogue", "role": "sdr"}),
    ],
)
def test_reps_and_managers_cannot_create_reference_data(
    personas, api_client_for, who, url, payload
):
    response = api_client_for(getattr(personas, who)).post(url, payload, format="json")
    assert response.status_code == 403
    assert not Team.objects.filter(name="Rogue").exists()
    assert not Product.objects.filter(name="Rogue").exists()
    assert not Account.objects.filter(name="Rogue").exists()
    assert not Person.objects.filter(name="Rogue").exists()


def test_manager_cannot_rename_their_own_team(personas, api_client_for):
    response = api_client_for(personas.manager_a).patch(
        f"/api/v1/teams/{personas.team_a.pk}/", {"name": "Mine"}, format="json"
    )
    assert response.status_code == 403
    assert Team.objects.get(pk=personas.team_a.pk).name == "Team A"


def test_team_cannot_move_under_its_own_sub_team(personas, api_client_for):
    client = api_client_for(personas.sales_ops)
    response = client.patch(
        f"/api/v1/teams/{personas.team_a.pk}/", {"parent": personas.team_a_east.pk}, format="json"
    )
    assert response.status_code == 400
    assert "parent" in response.json()
    response = client.post(
        "/api/v1/teams/", {"name": "Team D", "parent": personas.team_b.pk}, format="json"
    )
    assert response.status_code == 201
    assert Team.objects.get(name="Team D").parent == personas.team_b


def test_account_writes_notify_listeners_after_commit(
    personas, api_client_for, monkeypatch, django_capture_on_commit_callbacks
):
    heard: list[list[int]] = []
    monkeypatch.setattr(hooks, "_account_listeners", [heard.append])
    client = api_client_for(personas.sales_ops)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(
            "/api/v1/accounts/", {"name": "Initech", "country": "de"}, format="json"
        )
    assert response.status_code == 201, response.content
    assert heard == []  # nothing before the commit
    for callback in callbacks:
        callback()
    account = Account.objects.get(name="Initech")
    assert account.country == "DE"
    assert heard == [[account.pk]]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.patch(f"/api/v1/accounts/{account.pk}/", {"employees": 42}, format="json")
    assert response.status_code == 200
    assert heard == [[account.pk], [account.pk]]


def test_account_validation_messages(personas, world, api_client_for):
    client = api_client_for(personas.sales_ops)
    response = client.post("/api/v1/accounts/", {"name": "ACME", "country": "XX"}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"country"}
    response = client.post("/api/v1/accounts/", {"name": "ACME"}, format="json")
    assert response.json() == {"name": ["An account named 'ACME' already exists."]}


def test_sales_ops_books_and_corrects_a_cost(personas, api_client_for):
    client = api_client_for(personas.sales_ops)
    rep = personas.person("rep_b1")
    response = client.post(
        "/api/v1/costs/",
        {"date": "2026-03-01", "person": rep.pk, "category": "travel", "amount": "120.50"},
        format="json",
    )
    assert response.status_code == 201, response.content
    cost_id = response.json()["id"]
    response = client.patch(f"/api/v1/costs/{cost_id}/", {"amount": "99.00"}, format="json")
    assert response.status_code == 200
    assert SalesCost.objects.get(pk=cost_id).amount == Decimal("99.00")


def test_cost_rules_are_400_with_field_messages(personas, api_client_for):
    client = api_client_for(personas.sales_ops)
    rep = personas.person("rep_b1")
    response = client.post(
        "/api/v1/costs/",
        {
            "date": "2026-03-01",
            "person": rep.pk,
            "team": personas.team_b.pk,
            "category": "travel",
            "amount": "-1",
        },
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()) == {"person", "amount", "note"}
    assert not SalesCost.objects.exists()


def test_computed_costs_cannot_be_edited_by_hand(personas, api_client_for):
    cost = SalesCostFactory(
        person=personas.person("rep_a1"), source=CostSource.COMPUTED, external_ref="meeting:1"
    )
    response = api_client_for(personas.sales_ops).patch(
        f"/api/v1/costs/{cost.pk}/", {"amount": "1.00"}, format="json"
    )
    assert response.status_code == 400
    assert "non_field_errors" in response.json()
    assert SalesCost.objects.get(pk=cost.pk).amount == Decimal("5000.00")


def test_products_are_written_by_sales_ops(personas, api_client_for):
    client = api_client_for(personas.sales_ops)
    response = client.post(
        "/api/v1/products/", {"name": "MG Special", "list_price": "55.00"}, format="json"
    )
    assert response.status_code == 201
    product_id = response.json()["id"]
    response = client.patch(f"/api/v1/products/{product_id}/", {"list_price": "-1"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"list_price": ["The list price cannot be negative."]}


def test_reassigning_a_deal_moves_a_sole_owner_credit_to_the_new_owner(
    personas, world, api_client_for
):
    deal = world.deals["A1"]
    response = api_client_for(personas.sales_ops).patch(
        f"/api/v1/deals/{deal.pk}/", {"owner": personas.person("rep_a3").pk}, format="json"
    )
    assert response.status_code == 200
    assert _splits(deal) == [("Ava East", Decimal("100.00"))]


def test_reassigning_a_shared_deal_keeps_its_agreed_splits(personas, world, api_client_for):
    deal = world.deals["A2"]
    response = api_client_for(personas.sales_ops).patch(
        f"/api/v1/deals/{deal.pk}/", {"owner": personas.person("rep_a3").pk}, format="json"
    )
    assert response.status_code == 200
    assert _splits(deal) == [("Arno Rep", Decimal("50.00")), ("Bert Rep", Decimal("50.00"))]

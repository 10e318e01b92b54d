"""Pagination, filtering, ordering, search, the schema, token auth and query counts of the core
API."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.urls import include, path
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema

from salesops.selectors.core import deal_get_for_user, deal_list
from tests.factories import (
    PASSWORD,
    AccountFactory,
    DealFactory,
    PersonFactory,
    ProductFactory,
    SalesCostFactory,
    TeamFactory,
    WonDealFactory,
)
from tests.salesops.core_api_world import build_world

pytestmark = pytest.mark.django_db


def test_lists_paginate_with_page_size(personas, api_client_for):
    for i in range(7):
        ProductFactory(name=f"P{i}")
    client = api_client_for(personas.rep_a1)
    first = client.get("/api/v1/products/", {"page_size": 3}).json()
    assert first["count"] == 7
    assert [p["name"] for p in first["results"]] == ["P0", "P1", "P2"]
    assert first["next"] is not None
    last = client.get("/api/v1/products/", {"page_size": 3, "page": 3}).json()
    assert [p["name"] for p in last["results"]] == ["P6"]
    assert last["next"] is None


def test_deals_filter_by_stage_owner_person_and_close_date(personas, api_client_for):
    rep_a1, rep_a2 = personas.person("rep_a1"), personas.person("rep_a2")
    won = WonDealFactory(external_id="W1", owner=rep_a1, close_date=dt.date(2026, 3, 15))
    WonDealFactory(external_id="W2", owner=rep_a2, close_date=dt.date(2026, 6, 1))
    DealFactory(external_id="O1", owner=rep_a1)
    shared = DealFactory(external_id="S1", owner=rep_a2, with_owner_split=False)
    shared.splits.create(person=rep_a1, percent=Decimal(100))
    client = api_client_for(personas.manager_a)

    def ext(params):
        response = client.get("/api/v1/deals/", params)
        assert response.status_code == 200, response.content
        return sorted(d["external_id"] for d in response.json()["results"])

    assert ext({"stage": "won"}) == ["W1", "W2"]
    assert ext({"stage": ["won", "prospecting"], "owner": rep_a1.pk}) == ["O1", "W1"]
    assert ext({"person": rep_a1.pk}) == ["O1", "S1", "W1"]
    assert ext({"closed_after": "2026-04-01"}) == ["W2"]
    assert ext({"closed_before": "2026-04-01", "stage": "won"}) == [won.external_id]
    assert ext({"search": "S1"}) == ["S1"]


def test_a_bad_filter_value_is_400_naming_the_filter(personas, api_client_for):
    response = api_client_for(personas.sales_ops).get("/api/v1/deals/", {"closed_after": "soon"})
    assert response.status_code == 400
    assert "closed_after" in response.json()


def test_lists_order_by_the_requested_field(personas, api_client_for):
    ProductFactory(name="Cheap", list_price=Decimal(1))
    ProductFactory(name="Dear", list_price=Decimal(900))
    ProductFactory(name="Mid", list_price=Decimal(50))
    client = api_client_for(personas.rep_a1)
    names = [
        p["name"] for p in client.get("/api/v1/products/?ordering=-list_price").json()["results"]
    ]
    assert names == ["Dear", "Mid", "Cheap"]
    people = client.get("/api/v1/people/?ordering=name", HTTP_ACCEPT="application/json")
    assert people.status_code == 200


def test_people_and_costs_filter(personas, api_client_for):
    SalesCostFactory(person=personas.person("rep_a1"), category="travel", date=dt.date(2026, 1, 9))
    SalesCostFactory(person=personas.person("rep_a1"), category="salary", date=dt.date(2026, 2, 9))
    client = api_client_for(personas.sales_ops)
    people = client.get("/api/v1/people/", {"role": "sales_manager"}).json()["results"]
    assert sorted(p["name"] for p in people) == ["Ben Boss", "Maria Manager"]
    people = client.get("/api/v1/people/", {"team": personas.team_a_east.pk}).json()["results"]
    assert [p["name"] for p in people] == ["Ava East"]
    costs = client.get("/api/v1/costs/", {"category": "travel"}).json()["results"]
    assert [c["date"] for c in costs] == ["2026-01-09"]
    costs = client.get("/api/v1/costs/", {"date_from": "2026-02-01"}).json()["results"]
    assert [c["category"] for c in costs] == ["salary"]


def test_the_core_api_schema_generates_without_warnings_or_errors():
    patterns = [path("api/v1/", include("salesops.api.core_urls"))]
    GENERATOR_STATS.reset()
    with GENERATOR_STATS.silence():
        schema = SchemaGenerator(patterns=patterns).get_schema(request=None, public=True)
    assert not GENERATOR_STATS._warn_cache, list(GENERATOR_STATS._warn_cache)
    assert not GENERATOR_STATS._error_cache, list(GENERATOR_STATS._error_cache)
    validate_schema(schema)
    for entity in ("people", "teams", "accounts", "products", "deals", "costs"):
        assert f"/api/v1/{entity}/" in schema["paths"]
    deal_params = {p["name"] for p in schema["paths"]["/api/v1/deals/"]["get"]["parameters"]}
    assert {"stage", "owner", "closed_after", "ordering", "search", "page"} <= deal_params


def test_the_schema_endpoint_serves(personas, api_client_for):
    assert api_client_for(personas.admin).get("/api/schema/").status_code == 200


def test_an_api_user_gets_a_token_and_uses_it(personas, api_client_for):
    client = api_client_for(None)
    response = client.post(
        "/api/v1/auth/token/", {"username": "rep_a1", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200
    token = response.json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    deals = client.get("/api/v1/people/")
    assert deals.status_code == 200
    assert [p["name"] for p in deals.json()["results"]] == ["Anna Rep"]


def test_a_wrong_password_gets_no_token(personas, api_client_for):
    response = api_client_for(None).post(
        "/api/v1/auth/token/", {"username": "rep_a1", "password": "nope"}, format="json"
    )
    assert response.status_code == 400
    assert "token" not in response.json()


# --- query counts ---------------------------------------------------------------------------


def _rows(n: int, personas) -> None:
    """n rows of every core entity, visible to manager_a and sales ops."""
    team_a = personas.team_a
    for _ in range(n):
        team = TeamFactory(parent=team_a, manager=PersonFactory(team=team_a, role="sales_manager"))
        rep = PersonFactory(team=team, manager=personas.person("manager_a"))
        account = AccountFactory(owner=rep, parent=AccountFactory())
        deal = DealFactory(owner=rep, account=account)
        deal.splits.create(person=personas.person("rep_a1"), percent=Decimal(1))
        deal.splits.filter(person=rep).update(percent=Decimal(99))
        SalesCostFactory(person=rep)
        SalesCostFactory(person=None, team=team)


def _count(client_factory, user, url: str) -> int:
    fresh = get_user_model().objects.get(pk=user.pk)  # no per-request memo carried over
    client = client_factory(fresh)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, {"page_size": 100})
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("who", ["sales_ops", "manager_a", "rep_a1"])
@pytest.mark.parametrize("entity", ["people", "teams", "accounts", "products", "deals", "costs"])
def test_list_endpoints_run_a_fixed_number_of_queries(
    personas, api_client_for, django_assert_max_num_queries, who, entity
):
    user = getattr(personas, who)
    url = f"/api/v1/{entity}/"
    _rows(3, personas)
    small = _count(api_client_for, user, url)
    _rows(27, personas)
    large = _count(api_client_for, user, url)
    assert small == large
    client = api_client_for(get_user_model().objects.get(pk=user.pk))
    # person, (a manager: managed teams, team tree), count, rows, prefetched splits
    with django_assert_max_num_queries(6):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("entity", ["people", "teams", "accounts", "products", "deals", "costs"])
def test_the_browsable_api_renders_lists_and_details(personas, api_client_for, entity):
    world = build_world(personas)
    ids = {
        "people": personas.person("rep_a1").pk,
        "teams": personas.team_a.pk,
        "accounts": world.accounts[0].pk,
        "products": world.products[0].pk,
        "deals": world.deals["A1"].pk,
        "costs": world.costs["rep_a1"].pk,
    }
    client = api_client_for(personas.sales_ops)
    assert client.get(f"/api/v1/{entity}/", HTTP_ACCEPT="text/html").status_code == 200
    detail = client.get(f"/api/v1/{entity}/{ids[entity]}/", HTTP_ACCEPT="text/html")
    assert detail.status_code == 200


def test_selectors_filter_and_hide_what_is_out_of_scope(personas):
    world = build_world(personas)
    rep = personas.rep_b1
    assert sorted(d.external_id for d in deal_list(user=rep, filters=None)) == ["A2", "B1"]
    owned = deal_list(user=rep, filters={"owner": personas.person("rep_b1").pk})
    assert [d.external_id for d in owned] == ["B1"]
    with pytest.raises(Http404):
        deal_get_for_user(user=rep, deal_id=world.deals["A1"].pk)
    with pytest.raises(ValidationError):
        deal_list(user=rep, filters={"closed_after": "tomorrow-ish"})

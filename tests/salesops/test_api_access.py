"""The access matrix of the core API: every list and detail, for every persona, exact rows."""

from __future__ import annotations

import pytest

from tests.factories import UserFactory
from tests.salesops.core_api_world import build_world

pytestmark = pytest.mark.django_db

ALL_PEOPLE = [
    "Anna Rep",
    "Arno Rep",
    "Ava East",
    "Ben Boss",
    "Bert Rep",
    "Maria Manager",
    "Olivia Ops",
    "Otto Outsider",
]
TEAM_A_PEOPLE = ["Anna Rep", "Arno Rep", "Ava East", "Maria Manager"]

EXPECTED_PEOPLE = {
    "admin": ALL_PEOPLE,
    "sales_ops": ALL_PEOPLE,
    "manager_a": TEAM_A_PEOPLE,
    "manager_b": ["Ben Boss", "Bert Rep"],
    "rep_a1": ["Anna Rep"],
    "rep_a2": ["Arno Rep"],
    "rep_a3": ["Ava East"],
    "rep_b1": ["Bert Rep"],
    "outsider": ["Otto Outsider"],
}
ALL_TEAMS = ["Team A", "Team A East", "Team B", "Team C"]
EXPECTED_TEAMS = {
    "admin": ALL_TEAMS,
    "sales_ops": ALL_TEAMS,
    "manager_a": ["Team A", "Team A East"],
    "manager_b": ["Team B"],
    "rep_a1": [],
    "rep_a2": [],
    "rep_a3": [],
    "rep_b1": [],
    "outsider": [],
}
ALL_DEALS = ["A1", "A2", "A3", "B1", "OUT"]
EXPECTED_DEALS = {
    "admin": ALL_DEALS,
    "sales_ops": ALL_DEALS,
    "manager_a": ["A1", "A2", "A3"],
    # A2 is owned in team A but rep_b1 holds half of it.
    "manager_b": ["A2", "B1"],
    "rep_a1": ["A1"],
    "rep_a2": ["A2"],
    "rep_a3": ["A3"],
    "rep_b1": ["A2", "B1"],
    "outsider": ["OUT"],
}
ALL_COSTS = [
    "manager_a",
    "outsider",
    "rep_a1",
    "rep_a3",
    "rep_b1",
    "team_a",
    "team_a_east",
    "team_b",
    "team_c",
]
EXPECTED_COSTS = {
    "admin": ALL_COSTS,
    "sales_ops": ALL_COSTS,
    "manager_a": ["manager_a", "rep_a1", "rep_a3", "team_a", "team_a_east"],
    "manager_b": ["rep_b1", "team_b"],
    "rep_a1": ["rep_a1"],
    "rep_a2": [],
    "rep_a3": ["rep_a3"],
    "rep_b1": ["rep_b1"],
    "outsider": ["outsider"],
}
PERSONAS = list(EXPECTED_PEOPLE)


@pytest.fixture
def world(personas):
    return build_world(personas)


def _all_rows(client, url):
    response = client.get(url, {"page_size": 500})
    assert response.status_code == 200, response.content
    return response.json()["results"]


def _check_details(client, url, ids_by_label, expected):
    for label, pk in ids_by_label.items():
        response = client.get(f"{url}{pk}/")
        want = 200 if label in expected else 404
        assert response.status_code == want, (label, response.status_code)


@pytest.mark.parametrize("who", PERSONAS)
def test_people_list_and_detail_follow_scope(personas, world, api_client_for, who):
    client = api_client_for(getattr(personas, who))
    names = sorted(row["name"] for row in _all_rows(client, "/api/v1/people/"))
    assert names == EXPECTED_PEOPLE[who]
    ids = {p.name: p.pk for p in (personas.person(n) for n in PERSONAS if n != "admin")}
    _check_details(client, "/api/v1/people/", ids, EXPECTED_PEOPLE[who])


@pytest.mark.parametrize("who", PERSONAS)
def test_teams_list_and_detail_follow_scope(personas, world, api_client_for, who):
    client = api_client_for(getattr(personas, who))
    names = sorted(row["name"] for row in _all_rows(client, "/api/v1/teams/"))
    assert names == EXPECTED_TEAMS[who]
    teams = [personas.team_a, personas.team_a_east, personas.team_b, personas.team_c]
    _check_details(client, "/api/v1/teams/", {t.name: t.pk for t in teams}, EXPECTED_TEAMS[who])


@pytest.mark.parametrize("who", PERSONAS)
def test_deals_list_and_detail_follow_scope(personas, world, api_client_for, who):
    client = api_client_for(getattr(personas, who))
    ext_ids = sorted(row["external_id"] for row in _all_rows(client, "/api/v1/deals/"))
    assert ext_ids == EXPECTED_DEALS[who]
    ids = {ext: deal.pk for ext, deal in world.deals.items()}
    _check_details(client, "/api/v1/deals/", ids, EXPECTED_DEALS[who])


@pytest.mark.parametrize("who", PERSONAS)
def test_costs_list_and_detail_follow_scope(personas, world, api_client_for, who):
    client = api_client_for(getattr(personas, who))
    notes = sorted(row["note"] for row in _all_rows(client, "/api/v1/costs/"))
    assert notes == EXPECTED_COSTS[who]
    ids = {label: cost.pk for label, cost in world.costs.items()}
    _check_details(client, "/api/v1/costs/", ids, EXPECTED_COSTS[who])


@pytest.mark.parametrize("who", PERSONAS)
@pytest.mark.parametrize("entity", ["accounts", "products"])
def test_accounts_and_products_are_reference_data_for_the_whole_org(
    personas, world, api_client_for, who, entity
):
    client = api_client_for(getattr(personas, who))
    objects = world.accounts if entity == "accounts" else world.products
    names = sorted(row["name"] for row in _all_rows(client, f"/api/v1/{entity}/"))
    assert names == sorted(o.name for o in objects)
    for obj in objects:
        assert client.get(f"/api/v1/{entity}/{obj.pk}/").status_code == 200


ENDPOINTS = ["people", "teams", "accounts", "products", "deals", "costs"]


@pytest.mark.parametrize("entity", ENDPOINTS)
def test_anonymous_callers_are_refused(world, api_client_for, entity):
    assert api_client_for(None).get(f"/api/v1/{entity}/").status_code in (401, 403)


@pytest.mark.parametrize("entity", ENDPOINTS)
def test_a_user_outside_the_sales_org_is_refused(world, api_client_for, entity):
    stranger = UserFactory(username="stranger")
    assert api_client_for(stranger).get(f"/api/v1/{entity}/").status_code == 403


def test_a_deactivated_rep_is_refused(personas, world, api_client_for):
    person = personas.person("rep_a1")
    person.active = False
    person.save()
    user = type(personas.rep_a1).objects.get(pk=personas.rep_a1.pk)
    assert api_client_for(user).get("/api/v1/deals/").status_code == 403


def test_deal_output_nests_its_splits(personas, world, api_client_for):
    client = api_client_for(personas.rep_b1)
    body = client.get(f"/api/v1/deals/{world.deals['A2'].pk}/").json()
    assert body["owner_name"] == "Arno Rep"
    assert sorted((s["person_name"], s["percent"]) for s in body["splits"]) == [
        ("Arno Rep", "50.00"),
        ("Bert Rep", "50.00"),
    ]


def test_unknown_ids_are_404_not_500(personas, api_client_for):
    client = api_client_for(personas.sales_ops)
    assert client.get("/api/v1/deals/999999/").status_code == 404
    assert client.get("/api/v1/deals/abc/").status_code == 404

"""The team chooser (/choose/teams/): searched by name, scoped like the teams a user may see, so
the pay-ops forms list no ~600-team <select> at 5,000 people (issue 23 item 1)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def _names(client, q: str = "") -> list[str]:
    response = client.get("/choose/teams/", {"q": q})
    assert response.status_code == 200
    return [row["text"] for row in response.json()["results"]]


def test_sales_ops_search_every_team_by_name(personas, client_for):
    client = client_for(personas.sales_ops)
    assert _names(client, "east") == ["Team A East · Team A"]
    assert set(_names(client)) == {"Team A", "Team A East · Team A", "Team B", "Team C"}


def test_a_manager_finds_only_their_teams_and_a_rep_none(personas, client_for):
    assert _names(client_for(personas.manager_a), "team") == ["Team A", "Team A East · Team A"]
    assert _names(client_for(personas.manager_b), "team") == ["Team B"]
    assert _names(client_for(personas.rep_b1), "team") == []


def test_the_pay_ops_team_fields_are_choosers_not_lists(personas, client_for):
    body = client_for(personas.sales_ops).get("/compensation/ops/").content.decode()
    assert body.count('data-chooser="/choose/teams/"') == 2  # the people search and the assign form
    assert 'data-chooser="/choose/plans/"' in body
    assert ">Team C</option>" not in body

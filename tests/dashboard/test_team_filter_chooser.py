"""The dashboard's scope filter is a team chooser (issue 23): it lists the whole-scope choice and
the picked team, and the other teams are searched as the user types — never a <select> of every
team (about 600 on the large demo)."""

from __future__ import annotations

import re
from typing import Any

from django.urls import reverse

from salesops.models import Team

SELECT = re.compile(r'<select id="id_team"([^>]*)>(.*?)</select>', re.S)


def _team_select(response: Any) -> tuple[str, list[str]]:
    match = SELECT.search(response.content.decode())
    assert match, "the dashboard shows its scope filter"
    return match.group(1), re.findall(r'<option value="([^"]*)"', match.group(2))


def test_sales_ops_scope_filter_lists_the_company_not_every_team(
    personas: Any, client_for: Any
) -> None:
    response = client_for(personas.sales_ops).get("/dashboard/")
    attrs, values = _team_select(response)
    assert values == ["company"]
    assert f'data-chooser="{reverse("choose-teams")}"' in attrs


def test_a_picked_team_stays_shown_and_selected(personas: Any, client_for: Any) -> None:
    team_b = Team.objects.get(name="Team B")
    response = client_for(personas.sales_ops).get(f"/dashboard/?team={team_b.pk}")
    _, values = _team_select(response)
    assert values == ["company", str(team_b.pk)]
    assert f'<option value="{team_b.pk}" selected>' in response.content.decode()


def test_the_team_search_offers_a_manager_only_their_teams(personas: Any, client_for: Any) -> None:
    client = client_for(personas.manager_a)
    _, values = _team_select(client.get("/dashboard/"))
    assert values == ["mine"]
    found = client.get(reverse("choose-teams"), {"q": "Team"}).json()["results"]
    assert sorted(row["text"] for row in found) == ["Team A", "Team A East · Team A"]

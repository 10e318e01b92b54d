"""Pages per persona: who gets what, nobody else's data, 404 outside scope, the CSV."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

DASHBOARD = "/dashboard/"


def test_anonymous_is_sent_to_login(client: Any) -> None:
    for url in (DASHBOARD, "/me/", "/ops/", "/dashboard/people.csv"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name", ["rep_a1", "rep_b1", "outsider"])
def test_a_rep_is_redirected_from_the_dashboard_to_their_workspace(
    personas: Any, client_for: Any, name: str
) -> None:
    client = client_for(getattr(personas, name))
    for url in (DASHBOARD, "/dashboard/people.csv"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == "/me/"


@pytest.mark.usefixtures("january_berlin")  # dates are worked examples of the January calendar
def test_manager_dashboard_shows_their_teams_and_nobody_elses(
    personas: Any, book: Any, client_for: Any
) -> None:
    response = client_for(personas.manager_a).get(DASHBOARD)
    assert response.status_code == 200
    html = response.content.decode()
    assert "All my teams" in html
    for name in ("Anna Rep", "Arno Rep", "Ava East"):
        assert name in html
    for name in ("Bert Rep", "Otto Outsider", "Team B", "Team C"):
        assert name not in html
    assert "USD 22,000" in html and "733.3" in html


def test_manager_b_sees_only_team_b(personas: Any, book: Any, client_for: Any) -> None:
    html = client_for(personas.manager_b).get(DASHBOARD).content.decode()
    assert "Bert Rep" in html and "USD 99,999" in html
    for name in ("Anna Rep", "Ava East", "Otto Outsider", "Team A"):
        assert name not in html


@pytest.mark.parametrize("team", ["team_b", "team_c"])
def test_manager_asking_for_a_team_outside_their_scope_gets_404(
    personas: Any, book: Any, client_for: Any, team: str
) -> None:
    client = client_for(personas.manager_a)
    pk = getattr(personas, team).pk
    assert client.get(DASHBOARD, {"team": pk}).status_code == 404
    assert client.get("/dashboard/people.csv", {"team": pk}).status_code == 404
    assert client.get(DASHBOARD, {"team": "company"}).status_code == 200  # falls back to own teams


def test_manager_can_pick_a_sub_team(personas: Any, book: Any, client_for: Any) -> None:
    html = (
        client_for(personas.manager_a)
        .get(DASHBOARD, {"team": personas.team_a_east.pk})
        .content.decode()
    )
    assert "Ava East" in html and "Anna Rep" not in html


@pytest.mark.parametrize("name", ["sales_ops", "admin"])
def test_sales_ops_and_admin_see_the_company_and_any_team(
    personas: Any, book: Any, client_for: Any, name: str
) -> None:
    client = client_for(getattr(personas, name))
    html = client.get(DASHBOARD).content.decode()
    assert "Whole company" in html
    for person in ("Anna Rep", "Bert Rep", "Otto Outsider"):
        assert person in html
    html = client.get(DASHBOARD, {"team": personas.team_c.pk}).content.decode()
    assert "Otto Outsider" in html and "Bert Rep" not in html
    assert client.get(DASHBOARD, {"team": 999999}).status_code == 404
    assert client.get(DASHBOARD, {"team": "drop table"}).status_code == 404


def test_period_picker_changes_the_figures(personas: Any, book: Any, client_for: Any) -> None:
    client = client_for(personas.manager_a)
    mtd = client.get(DASHBOARD, {"period": "mtd"})
    assert mtd.context["tiles"].revenue == 10000  # only the split deal closed in March
    custom = client.get(DASHBOARD, {"period": "custom", "start": "2025-11-01", "end": "2025-11-30"})
    assert custom.context["tiles"].revenue == 5000
    bad = client.get(DASHBOARD, {"period": "custom", "start": "2026-03-01", "end": "2026-01-01"})
    assert bad.status_code == 200
    assert bad.context["period"].key == "qtd"
    assert "The end date is before the start date." in bad.content.decode()


def test_csv_export_has_the_people_table(personas: Any, book: Any, client_for: Any) -> None:
    response = client_for(personas.manager_a).get("/dashboard/people.csv", {"period": "qtd"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.getvalue().decode())))
    by_name = {row["person"]: row for row in rows}
    assert set(by_name) == {"Maria Manager", "Anna Rep", "Arno Rep", "Ava East"}
    assert by_name["Anna Rep"]["revenue"] == "12000.00"
    assert by_name["Anna Rep"]["cost"] == "2000.00"
    assert by_name["Anna Rep"]["efficiency_ratio"] == "600.0"
    assert by_name["Ava East"]["efficiency_ratio"] == ""


def test_rep_workspace_shows_own_figures_and_deals_only(
    personas: Any, book: Any, client_for: Any
) -> None:
    response = client_for(personas.rep_a2).get("/me/")
    assert response.status_code == 200
    html = response.content.decode()
    assert response.context["tiles"].revenue == 5000
    assert book.fresh_deal.external_id in html
    assert book.stuck_deal.external_id not in html  # rep_a1's deal
    assert "Anna Rep" not in html and "Bert Rep" not in html


def test_workspace_for_a_login_without_a_person_explains_why_it_is_empty(
    personas: Any, client_for: Any
) -> None:
    response = client_for(personas.admin).get("/me/")
    assert response.status_code == 200
    assert b'data-testid="no-person"' in response.content


def test_empty_install_tells_what_to_do_next(personas: Any, client_for: Any) -> None:
    html = client_for(personas.sales_ops).get(DASHBOARD).content.decode()
    assert 'data-testid="empty-dashboard"' in html
    assert "seed_demo" in html


def test_panels_of_apps_not_set_up_say_so(personas: Any, book: Any, client_for: Any) -> None:
    html = client_for(personas.manager_a).get(DASHBOARD).content.decode()
    for marker in ("territories-inactive", "attainment-missing", "trend-empty"):
        assert f'data-testid="{marker}"' in html


def test_dashboard_without_efficiency_history_asks_nobody_to_run_a_command(
    personas: Any, book: Any, client_for: Any
) -> None:
    for user in (personas.manager_a, personas.sales_ops):
        html = client_for(user).get(DASHBOARD).content.decode()
        note = html[html.index('data-testid="trend-empty"') :].split("</p>")[0]
        assert "nightly" in note
        assert "compute_efficiency" not in html and "backfill" not in html


def test_charts_load_from_local_static_files_not_a_cdn(
    personas: Any, book: Any, client_for: Any
) -> None:
    html = client_for(personas.manager_a).get(DASHBOARD).content.decode()
    assert "/static/vendor/chart.umd.js" in html
    assert "cdn" not in html.lower()
    assert 'id="monthly-data"' in html and 'id="funnel-data"' in html

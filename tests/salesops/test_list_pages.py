"""Table pages (salesops.listing): search, filters in the query string, whitelisted sorting,
page sizes, CSV of the same rows; and the deal page (dashboard.deals), scoped."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest

from compensation.models import OverlayCredit
from tests.factories import DealFactory, PersonFactory, WonDealFactory

pytestmark = pytest.mark.django_db


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_deals_page_searches_sorts_and_downloads_the_same_rows(personas, client_for):
    anna = personas.person("rep_a1")
    DealFactory(external_id="SRCH-2", owner=anna, amount=Decimal("500.00"))
    DealFactory(external_id="SRCH-1", owner=anna, amount=Decimal("900.00"))
    DealFactory(external_id="OTHER-1", owner=anna)
    DealFactory(external_id="SRCH-9", owner=personas.person("rep_b1"))  # outside her scope
    client = client_for(personas.rep_a1)
    html = client.get("/deals/", {"q": "srch", "sort": "-amount"}).content.decode()
    assert html.index("SRCH-1") < html.index("SRCH-2")
    assert "OTHER-1" not in html and "SRCH-9" not in html
    rows = _csv(client.get("/deals/", {"q": "srch", "sort": "id", "format": "csv"}))
    assert [r[0] for r in rows[1:]] == ["SRCH-1", "SRCH-2"]


def test_unknown_sort_key_falls_back_to_the_default_and_page_size_is_whitelisted(
    personas, client_for
):
    for i in range(30):
        DealFactory(external_id=f"PG-{i:03d}", owner=personas.person("rep_a1"))
    client = client_for(personas.rep_a1)
    response = client.get("/deals/", {"sort": "owner__user__password", "per_page": "100000"})
    assert response.status_code == 200
    assert response.context["listing"].page.paginator.per_page == 25
    response = client.get("/deals/", {"per_page": "50"})
    assert len(response.context["listing"].page.object_list) == 30


def test_deal_filters_live_in_the_query_string_and_a_bad_value_is_a_field_error(
    personas, client_for
):
    DealFactory(external_id="WONISH", owner=personas.person("rep_a1"), stage="closing")
    client = client_for(personas.sales_ops)
    html = client.get("/deals/", {"stage": "closing"}).content.decode()
    assert "WONISH" in html
    assert "WONISH" not in client.get("/deals/", {"stage": "won"}).content.decode()
    bad = client.get("/deals/", {"closed_after": "not-a-date"})
    assert bad.status_code == 200
    assert "Enter a valid date" in bad.content.decode()


def test_people_page_is_scoped_and_sorts_by_team(personas, client_for):
    PersonFactory(name="Zoe Stranger", team=personas.team_c)
    manager = client_for(personas.manager_a)
    html = manager.get("/people/", {"sort": "-team"}).content.decode()
    assert "Anna Rep" in html and "Zoe Stranger" not in html
    rows = _csv(client_for(personas.sales_ops).get("/people/", {"q": "zoe", "format": "csv"}))
    assert [r[1] for r in rows[1:]] == ["Zoe Stranger"]


def test_csv_download_neutralises_formula_cells(personas, client_for):
    PersonFactory(name="=HYPERLINK(1)", team=personas.team_c)
    rows = _csv(client_for(personas.sales_ops).get("/people/", {"q": "hyperlink", "format": "csv"}))
    assert rows[1][1].startswith("'=")


def test_deal_page_shows_splits_overlay_history_and_is_404_outside_scope(personas, client_for):
    anna = personas.person("rep_a1")
    deal = WonDealFactory(external_id="PAGE-1", owner=anna, close_value=Decimal("50000.00"))
    OverlayCredit.objects.create(
        deal=deal, person=personas.person("rep_a2"), role="solutions_engineer", percent=100
    )
    manager = client_for(personas.manager_a)
    response = manager.get(f"/deals/{deal.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Anna Rep" in html and "Won" in html
    assert "Arno Rep" in html  # overlay credit, visible to their manager
    assert "Solutions engineer" in html
    assert 'data-testid="deal-history"' in html and "Created" in html
    assert client_for(personas.manager_b).get(f"/deals/{deal.pk}/").status_code == 404
    assert client_for(personas.rep_a2).get(f"/deals/{deal.pk}/").status_code == 404
    assert client_for(personas.rep_a1).get("/deals/999999/").status_code == 404


def test_deal_list_links_each_deal_to_its_page(personas, client_for):
    deal = DealFactory(external_id="LINKED-1", owner=personas.person("rep_a1"))
    html = client_for(personas.rep_a1).get("/deals/").content.decode()
    assert f'href="/deals/{deal.pk}/"' in html


def test_meetings_page_sorts_keeps_its_filters_and_downloads_csv(personas, client_for):
    from datetime import timedelta

    from django.utils import timezone

    from tests.meetings.factories import meeting_with

    anna = personas.person("rep_a1")
    soon = timezone.now() + timedelta(days=2)
    for title, hours in (("Bravo sync", 1), ("Alpha sync", 3), ("Other", 2)):
        start = soon + timedelta(hours=hours)
        meeting_with(anna, title=title, start=start, end=start + timedelta(minutes=30))
    client = client_for(personas.rep_a1)
    page = client.get("/meetings/", {"q": "sync", "sort": "title"})
    assert [m.title for m in page.context["listing"].page] == ["Alpha sync", "Bravo sync"]
    assert ("q", "sync") in page.context["listing"].hidden_filters  # kept by page-size changes
    rows = _csv(client.get("/meetings/", {"q": "sync", "sort": "-start", "format": "csv"}))
    assert [r[1] for r in rows[1:]] == ["Alpha sync", "Bravo sync"]


def test_territory_models_page_searches_sorts_and_downloads(personas, client_for):
    from territories.models import TerritoryModel

    for name in ("FY27 West", "FY27 East", "Legacy"):
        TerritoryModel.objects.create(name=name)
    client = client_for(personas.sales_ops)
    page = client.get("/territories/", {"q": "fy27", "sort": "-name"})
    assert [m.name for m in page.context["listing"].page] == ["FY27 West", "FY27 East"]
    rows = _csv(client.get("/territories/", {"q": "fy27", "sort": "name", "format": "csv"}))
    assert [r[1] for r in rows[1:]] == ["FY27 East", "FY27 West"]

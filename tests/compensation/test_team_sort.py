"""Team attainment sorts by ratio, attainment, revenue and cost across every row (not one page),
searches by name, and downloads the same rows as CSV (compensation.team_page)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest

from salesops import calendar
from tests.factories import SalesCostFactory, WonDealFactory

pytestmark = pytest.mark.django_db
MAR = calendar.month_containing(dt.date(2026, 3, 15))


@pytest.fixture
def figures(personas):
    # revenue / cost: Anna 10,000 / 1,000 = 1000 %; Arno 6,000 / 3,000 = 200 %; Ava 0 cost.
    for rep, value, cost in (("rep_a1", "10000", "1000"), ("rep_a2", "6000", "3000")):
        person = personas.person(rep)
        WonDealFactory(owner=person, close_value=Decimal(value), close_date=dt.date(2026, 3, 10))
        SalesCostFactory(person=person, team=None, amount=Decimal(cost), date=dt.date(2026, 3, 5))
    WonDealFactory(
        owner=personas.person("rep_a3"), close_value=Decimal("8000"), close_date=MAR.start
    )


def _names(response) -> list[str]:
    assert response.status_code == 200
    return [r.person.name for r in response.context["rows"]]


def test_team_sorts_by_ratio_with_undefined_last(personas, figures, client_for):
    client = client_for(personas.manager_a)
    names = _names(client.get("/compensation/team/", {"period": MAR.name, "sort": "-ratio"}))
    assert names[:2] == ["Anna Rep", "Arno Rep"]
    assert names.index("Ava East") > 1  # no cost: ratio undefined, listed after the others
    names = _names(client.get("/compensation/team/", {"period": MAR.name, "sort": "ratio"}))
    assert names[:2] == ["Arno Rep", "Anna Rep"]


def test_team_sorts_by_revenue_and_cost(personas, figures, client_for):
    client = client_for(personas.manager_a)
    by_revenue = _names(client.get("/compensation/team/", {"period": MAR.name, "sort": "-revenue"}))
    assert by_revenue[:3] == ["Anna Rep", "Ava East", "Arno Rep"]
    by_cost = _names(client.get("/compensation/team/", {"period": MAR.name, "sort": "-cost"}))
    assert by_cost[:2] == ["Arno Rep", "Anna Rep"]


def test_team_search_and_csv_keep_the_same_rows_and_order(personas, figures, client_for):
    client = client_for(personas.manager_a)
    assert _names(client.get("/compensation/team/", {"period": MAR.name, "q": "arno"})) == [
        "Arno Rep"
    ]
    response = client.get(
        "/compensation/team/", {"period": MAR.name, "sort": "-ratio", "format": "csv"}
    )
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][0] == "person" and "efficiency_ratio" in rows[0]
    assert [r[0] for r in rows[1:3]] == ["Anna Rep", "Arno Rep"]
    assert rows[1][rows[0].index("efficiency_ratio")] == "1000.0000"
    assert "Bert Rep" not in response.content.decode()  # outside manager A's teams

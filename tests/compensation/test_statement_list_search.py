"""The statements table: search by person, sort by payable, CSV of the same rows."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from compensation.services import statements as svc
from salesops import calendar
from tests.compensation.factories import (
    MARGINAL_ATTAINMENT,
    approved_plan,
    assign,
    month_quota,
    won_deal,
)

pytestmark = pytest.mark.django_db
MAR = calendar.month_containing(dt.date(2026, 3, 15))


@pytest.fixture
def paid(personas):
    version = approved_plan("Accelerated", MARGINAL_ATTAINMENT, dt.date(2026, 1, 1))
    for name, value in (("rep_a1", "150000"), ("rep_a2", "50000"), ("rep_b1", "90000")):
        person = personas.person(name)
        assign(person, version, dt.date(2026, 1, 1))
        month_quota(person, MAR, "100000")
        won_deal(person, value, dt.date(2026, 3, 10))
    svc.statements_generate(period=MAR)


def test_statements_search_sort_and_csv(personas, paid, client_for):
    client = client_for(personas.manager_a)
    page = client.get("/compensation/statements/", {"sort": "-payable"})
    names = [s.person.name for s in page.context["listing"].page]
    assert names == ["Anna Rep", "Arno Rep"]  # Bert is outside manager A's teams
    page = client.get("/compensation/statements/", {"q": "arno"})
    assert [s.person.name for s in page.context["listing"].page] == ["Arno Rep"]
    response = client.get("/compensation/statements/", {"sort": "payable", "format": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert [r[1] for r in rows[1:]] == ["Arno Rep", "Anna Rep"]

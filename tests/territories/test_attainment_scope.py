"""Issue 20, item 1: territory attainment is scoped like the territories themselves."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from compensation.models import Metric, Quota
from territories.models import TerritoryAssignment
from tests.territories.factories import make_model, make_territory

pytestmark = pytest.mark.django_db


def test_a_manager_reads_no_quota_of_a_territory_that_is_404_to_them(personas, api_client_for):
    live = make_model("Live", state="active")
    west = make_territory(live, "West")
    east = make_territory(live, "East")
    TerritoryAssignment.objects.create(
        territory=east, person=personas.rep_a1.person, effective_from=dt.date(2026, 1, 1)
    )
    for territory in (west, east):
        Quota.objects.create(
            territory=territory, metric=Metric.REVENUE, fiscal_year=2026,
            period_start=dt.date(2026, 3, 1), period_end=dt.date(2026, 3, 31),
            amount=Decimal("987654.00"),
        )  # fmt: skip
    manager = api_client_for(personas.manager_a)
    assert manager.get(f"/api/v1/territories/territories/{west.pk}/").status_code == 404

    url = "/api/v1/compensation/attainment/territories/?period=FY2026&territory={}"
    hidden = manager.get(url.format(west.pk))
    assert hidden.status_code == 200
    assert hidden.json() == []
    assert "987654" not in hidden.content.decode()

    own = manager.get(url.format(east.pk)).json()
    assert [row["territory_id"] for row in own] == [east.pk]
    everything = api_client_for(personas.sales_ops).get(url.format(west.pk)).json()
    assert [row["territory_id"] for row in everything] == [west.pk]

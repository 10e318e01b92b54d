"""The nightly balance snapshot: the dashboard reads it instead of aggregating every deal, with the
same figures as a live computation to the snapshot's date; a snapshot does not move when the deals
change during the day, and a date without one is computed live."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from territories.models import ModelState, TerritoryBalanceSnapshot, TerritoryModel
from territories.selectors import territory_metrics
from territories.services.balance import (
    territory_balance_snapshot_write,
    territory_balance_snapshots_nightly,
)
from territories.tasks import territory_balance_snapshots_nightly_task
from tests.factories import DealFactory
from tests.territories.test_balance import TODAY, fixture_model  # noqa: F401

pytestmark = pytest.mark.django_db
AS_OF = TODAY - timedelta(days=1)


def _figures(balance) -> dict[str, tuple]:
    return {
        r.territory.name: (r.accounts, r.potential, r.pipeline, r.won_ytd, r.people, r.quota)
        for r in balance.rows
    }


def test_snapshot_figures_equal_a_live_computation_to_its_date(fixture_model, personas):  # noqa: F811
    model = fixture_model[0]
    written = territory_balance_snapshot_write(model=model, as_of=AS_OF)
    assert written == TerritoryBalanceSnapshot.objects.filter(model=model, as_of=AS_OF).count() > 0
    live = territory_metrics(user=personas.sales_ops, model=model, today=AS_OF)
    snap = territory_metrics(user=personas.sales_ops, model=model, today=TODAY, as_of=AS_OF)
    assert _figures(snap) == _figures(live)
    assert _figures(snap)["South"][3] > 0  # won revenue of the year to date


def test_reading_the_snapshot_reads_no_deals_and_ignores_todays_changes(fixture_model, personas):  # noqa: F811
    model, north = fixture_model[0], fixture_model[1]
    territory_balance_snapshot_write(model=model, as_of=AS_OF)
    before = _figures(
        territory_metrics(user=personas.sales_ops, model=model, today=TODAY, as_of=AS_OF)
    )
    account = DealFactory._meta.model.objects.filter(amount=Decimal(1000)).first().account
    DealFactory(account=account, amount=Decimal(5))  # a new open deal in North today
    with CaptureQueriesContext(connection) as captured:
        after = territory_metrics(user=personas.sales_ops, model=model, today=TODAY, as_of=AS_OF)
    assert _figures(after) == before
    assert not any("salesops_deal" in q["sql"] for q in captured.captured_queries)
    live = territory_metrics(user=personas.sales_ops, model=model, today=TODAY)
    assert _figures(live)["North"][2] == before["North"][2] + 5
    # No snapshot of that date: live.
    other = territory_metrics(
        user=personas.sales_ops, model=model, today=TODAY, as_of=AS_OF - timedelta(days=3)
    )
    assert _figures(other) == _figures(live)
    assert north.pk in {r.territory.pk for r in other.rows}


def test_nightly_task_writes_every_active_model_and_replaces_a_date(fixture_model):  # noqa: F811
    model = fixture_model[0]
    TerritoryModel.objects.filter(pk=model.pk).update(state=ModelState.ACTIVE)
    first = territory_balance_snapshots_nightly_task(business_date=AS_OF.isoformat())
    again = territory_balance_snapshots_nightly(as_of=AS_OF)
    assert first == again > 0
    assert TerritoryBalanceSnapshot.objects.filter(as_of=AS_OF).count() == first
    old = date(2020, 1, 1)
    territory_balance_snapshot_write(model=model, as_of=old)
    territory_balance_snapshot_write(model=model, as_of=AS_OF)
    assert not TerritoryBalanceSnapshot.objects.filter(as_of=old).exists()  # kept a week

"""Properties of the engine over random ledgers (hypothesis)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import transaction
from django.db.models import Sum
from hypothesis import given, settings
from hypothesis import strategies as st

from salesops.formulas import efficiency_ratio
from salesops.models import DealSplit, EfficiencySnapshot, SalesCost
from salesops.selectors.credit import credited_splits
from salesops.services.efficiency import efficiency_snapshots_compute
from salesops.services.efficiency.snapshot_writes import RATIO_SQL
from tests.salesops.efficiency_ledgers import (
    HYPO,
    cost_st,
    deal_st,
    load_ledger,
    mutate_ledger,
    mutations_st,
)
from tests.salesops.test_efficiency_support import table_for, won

pytestmark = pytest.mark.django_db
AS_OF = dt.date(2026, 4, 10)


class Rollback(Exception):
    pass


@HYPO
@given(
    deals=st.lists(deal_st, max_size=8),
    costs=st.lists(cost_st, max_size=8),
    mutations=mutations_st(),
)
def test_incremental_equals_full_and_recompute_is_idempotent(personas, deals, costs, mutations):
    # In one transaction the second run sees every row as changed and publishes in full; the
    # committed-night property (real incremental nights) is in test_efficiency_rolling.py.
    with pytest.raises(Rollback), transaction.atomic():
        people = load_ledger(personas, deals, costs)
        efficiency_snapshots_compute(as_of=AS_OF)
        mutate_ledger(personas, people, mutations)
        efficiency_snapshots_compute(as_of=AS_OF)
        incremental = table_for(AS_OF)
        efficiency_snapshots_compute(as_of=AS_OF, full=True)
        assert table_for(AS_OF) == incremental
        efficiency_snapshots_compute(as_of=AS_OF, full=True)
        assert table_for(AS_OF) == incremental
        raise Rollback


@HYPO
@given(deals=st.lists(deal_st, max_size=8), costs=st.lists(cost_st, max_size=8))
def test_ratio_null_iff_cost_zero_and_scopes_are_sums(personas, deals, costs):
    with pytest.raises(Rollback), transaction.atomic():
        load_ledger(personas, deals, costs)
        efficiency_snapshots_compute(as_of=AS_OF)
        rows = EfficiencySnapshot.objects.all()
        for row in rows:
            assert (row.ratio is None) == (row.cost == 0)
            assert row.ratio == efficiency_ratio(row.revenue, row.cost)
        for row in rows.filter(scope_type="company"):
            credit = (
                credited_splits(start=row.period_start, end=row.period_end).aggregate(
                    t=Sum("credit")
                )["t"]
                or 0
            )
            ledger = (
                SalesCost.objects.filter(
                    date__gte=row.period_start, date__lte=row.period_end
                ).aggregate(t=Sum("amount"))["t"]
                or 0
            )
            assert (row.revenue, row.cost) == (credit, ledger)
            people = rows.filter(
                scope_type="person",
                period=row.period,
                period_start=row.period_start,
                period_end=row.period_end,
            )
            assert row.revenue == sum((p.revenue for p in people), Decimal(0))
            team_a = rows.filter(
                scope_type="team",
                scope_id=personas.team_a.pk,
                period=row.period,
                period_start=row.period_start,
                period_end=row.period_end,
            ).first()
            members = people.filter(
                scope_id__in=[personas.person(n).pk for n in ("rep_a1", "rep_a2", "rep_a3")]
            )
            expected = sum((p.revenue for p in members), Decimal(0))
            assert (team_a.revenue if team_a else Decimal(0)) == expected
        raise Rollback


@settings(max_examples=200, deadline=None)
@given(
    revenue=st.decimals(min_value=-(10**9), max_value=10**9, places=4, allow_nan=False),
    spend=st.decimals(min_value=-(10**7), max_value=10**7, places=2, allow_nan=False),
)
def test_sql_ratio_matches_the_formula(revenue, spend):
    from django.db import connection

    sql = "SELECT " + RATIO_SQL.format(revenue="%s::numeric", cost="%s::numeric")
    with connection.cursor() as cur:
        cur.execute(sql, [spend, revenue, spend])  # placeholders: cost, revenue, cost
        (value,) = cur.fetchone()
    assert value == efficiency_ratio(revenue, spend)


def test_split_rows_are_untouched_by_the_engine(personas):
    rep = personas.person("rep_a1")
    won(rep, "10", dt.date(2026, 3, 1))
    before = list(DealSplit.objects.values_list("pk", "percent"))
    efficiency_snapshots_compute(as_of=AS_OF)
    assert list(DealSplit.objects.values_list("pk", "percent")) == before

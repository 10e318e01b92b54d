"""Properties of the engine over random ledgers (hypothesis)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import transaction
from django.db.models import Max, Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from salesops.formulas import efficiency_ratio
from salesops.models import Deal, DealSplit, EfficiencySnapshot, SalesCost
from salesops.selectors.credit import credited_splits
from salesops.services.efficiency import efficiency_snapshots_compute
from salesops.services.efficiency.snapshots import RATIO_SQL
from tests.salesops.test_efficiency_support import cost, table_for, won

pytestmark = pytest.mark.django_db
AS_OF = dt.date(2026, 4, 10)
PEOPLE = ("rep_a1", "rep_a2", "rep_a3", "rep_b1", "outsider", "sales_ops")
FIRST = dt.date(2025, 1, 1)

days = st.integers(min_value=0, max_value=(AS_OF - FIRST).days + 20).map(
    lambda n: FIRST + dt.timedelta(days=n)
)
money = st.decimals(min_value=0, max_value=1_000_000, places=2, allow_nan=False)
deal_st = st.tuples(
    st.integers(0, len(PEOPLE) - 1),
    money,
    days,
    st.sampled_from(["none", "half", "thirds"]),
)
cost_st = st.tuples(
    st.integers(-1, len(PEOPLE) - 1),  # -1: booked to a team
    st.decimals(min_value=-5000, max_value=200_000, places=2, allow_nan=False),
    days,
)
mutation_st = st.lists(
    st.tuples(
        st.sampled_from(["lose", "move", "resplit", "delete_cost", "move_team", "add"]),
        st.integers(0, 50),
        days,
    ),
    max_size=6,
)

HYPO = settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


class Rollback(Exception):
    pass


def _load(personas, deals, costs):
    people = [personas.person(n) for n in PEOPLE]
    for who, value, day, split in deals:
        owner = people[who]
        other = people[(who + 1) % len(people)]
        third = people[(who + 2) % len(people)]
        splits = {
            "none": None,
            "half": [(owner, "50"), (other, "50")],
            "thirds": [(owner, "33.34"), (other, "33.33"), (third, "33.33")],
        }[split]
        won(owner, value, day, splits=splits)
    for who, amount, day in costs:
        kwargs = {"team": personas.team_a_east} if who < 0 else {"person": people[who]}
        if amount < 0:
            cost(amount, day, category="adjustment", note="correction", **kwargs)
        else:
            cost(amount, day, **kwargs)
    return people


def _mutate(personas, people, mutations):
    from salesops.services.deals import deal_splits_set, deal_update
    from salesops.services.people import person_move_team

    deals = list(Deal.objects.order_by("pk"))
    costs = list(SalesCost.objects.order_by("pk"))
    for kind, index, day in mutations:
        if kind == "lose" and deals:
            deal_update(deal=deals[index % len(deals)], data={"stage": "lost"})
        elif kind == "move" and deals:
            deal_update(deal=deals[index % len(deals)], data={"close_date": day})
        elif kind == "resplit" and deals:
            deal = deals[index % len(deals)]
            deal_splits_set(deal=deal, splits=[(people[index % len(people)], Decimal(100))])
        elif kind == "delete_cost" and costs:
            costs.pop(index % len(costs)).delete()
        elif kind == "move_team":
            person = people[index % 4]
            latest = person.memberships.aggregate(m=Max("valid_from"))["m"]
            if latest is None or latest < day:
                person_move_team(person=person, team=personas.team_b, on=day)
        elif kind == "add":
            won(people[index % len(people)], "123.45", day)


@HYPO
@given(
    deals=st.lists(deal_st, max_size=8), costs=st.lists(cost_st, max_size=8), mutations=mutation_st
)
def test_incremental_equals_full_and_recompute_is_idempotent(personas, deals, costs, mutations):
    with pytest.raises(Rollback), transaction.atomic():
        people = _load(personas, deals, costs)
        efficiency_snapshots_compute(as_of=AS_OF)
        _mutate(personas, people, mutations)
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
        _load(personas, deals, costs)
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

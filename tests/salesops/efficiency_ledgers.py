"""Random ledgers for the efficiency properties (hypothesis strategies and helpers; no tests)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Max
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from salesops.models import Deal, SalesCost
from tests.salesops.test_efficiency_support import cost, won

PEOPLE = ("rep_a1", "rep_a2", "rep_a3", "rep_b1", "outsider", "sales_ops")
FIRST = dt.date(2025, 1, 1)
LAST = dt.date(2026, 4, 30)
MUTATIONS = ("lose", "move", "resplit", "delete_cost", "move_team", "add")

days = st.integers(min_value=0, max_value=(LAST - FIRST).days).map(
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


def mutations_st(kinds: tuple[str, ...] = MUTATIONS, max_size: int = 6) -> st.SearchStrategy:
    return st.lists(st.tuples(st.sampled_from(kinds), st.integers(0, 50), days), max_size=max_size)


HYPO = settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def load_ledger(personas, deals, costs):
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


def mutate_ledger(personas, people, mutations):
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

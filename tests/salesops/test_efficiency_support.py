"""Helpers for the efficiency tests (no tests here)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from salesops.models import Deal, DealSplit, EfficiencySnapshot, Person, SalesCost, Team
from tests.factories import ProductFactory

_counter = {"n": 0}


def won(
    person: Person,
    value: str | Decimal,
    day: dt.date,
    *,
    splits: list[tuple[Person, str]] | None = None,
) -> Deal:
    """A won deal closed on `day`, credited 100 % to `person` unless `splits` are given."""
    _counter["n"] += 1
    deal = Deal.objects.create(
        external_id=f"EFF{_counter['n']:06d}-{person.pk}",
        product=ProductFactory(),
        owner=person,
        stage="won",
        close_value=Decimal(value),
        close_date=day,
        engage_date=None,
    )
    for who, percent in splits or [(person, "100")]:
        DealSplit.objects.create(deal=deal, person=who, percent=Decimal(percent))
    return deal


def cost(
    amount: str | Decimal,
    day: dt.date,
    *,
    person: Person | None = None,
    team: Team | None = None,
    category: str = "salary",
    note: str = "",
) -> SalesCost:
    return SalesCost.objects.create(
        date=day, person=person, team=team, category=category, amount=Decimal(amount), note=note
    )


def snap(
    scope_type: str, scope: Any, period: str, start: dt.date, end: dt.date
) -> EfficiencySnapshot:
    kwargs: dict[str, Any] = {"scope_type": scope_type, "period": period}
    if scope_type == "role":
        kwargs.update(scope_id=0, scope_key=scope)
    elif scope_type == "company":
        kwargs.update(scope_id=0, scope_key="")
    else:
        kwargs.update(scope_id=scope if isinstance(scope, int) else scope.pk, scope_key="")
    return EfficiencySnapshot.objects.get(period_start=start, period_end=end, **kwargs)


def table() -> set[tuple[Any, ...]]:
    """Every snapshot row without computed_at (with the engine's source_rows), for comparing
    two runs."""
    return set(
        EfficiencySnapshot.objects.values_list(
            "scope_type",
            "scope_id",
            "scope_key",
            "period",
            "period_start",
            "period_end",
            "revenue",
            "cost",
            "ratio",
            "won_deals",
            "source_rows",
        )
    )


def table_for(as_of: dt.date) -> set[tuple[Any, ...]]:
    """The rows of S(as_of) only."""
    from salesops.services.efficiency.periods import all_spans

    spans = {(s.period, s.start, s.end) for s in all_spans(as_of)}
    return {row for row in table() if (row[3], row[4], row[5]) in spans}


def person_months() -> list[tuple[Any, ...]]:
    """The engine's person-month state (the days before the day horizon): (person, month, team,
    revenue, cost, won deals, person days summed), in (month, person, team) order."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            "SELECT person_id, month, team_id, revenue, cost, won_deals, days "
            "FROM salesops_efficiencypersonmonth ORDER BY month, person_id, team_id"
        )
        return cur.fetchall()

"""Figures for the home page: the caller's own numbers (a rep), their team's (a manager), or the company's."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, Q, Sum

from salesops.formulas import efficiency_ratio
from salesops.models import OPEN_STAGES, Deal, SalesCost
from salesops.selectors.credit import credited_splits
from salesops.selectors.scope import AnyUser, scope_for


@dataclass(frozen=True)
class HomeFigures:
    label: str
    start: date
    end: date
    revenue: Decimal
    cost: Decimal
    ratio: Decimal | None
    won_deals: int
    open_pipeline: Decimal
    open_deals: int


def home_figures(*, user: AnyUser, today: date) -> HomeFigures:
    """Year-to-date figures over the user's scope, in four aggregate queries."""
    scope = scope_for(user)
    start = date(today.year, 1, 1)
    won = (
        credited_splits(start=start, end=today)
        .filter(scope.people_q("person"))
        .aggregate(revenue=Sum("credit"), deals=Count("deal_id", distinct=True))
    )
    cost_filter = scope.people_q("person")
    if not scope.everything and scope.team_ids:
        cost_filter |= Q(team_id__in=sorted(scope.team_ids))
    cost = SalesCost.objects.filter(cost_filter, date__gte=start, date__lte=today).aggregate(
        total=Sum("amount")
    )["total"] or Decimal(0)
    pipeline = Deal.objects.filter(scope.people_q("owner"), stage__in=OPEN_STAGES).aggregate(
        total=Sum("amount"), n=Count("id")
    )
    revenue = won["revenue"] or Decimal(0)
    if scope.everything:
        label = "Company"
    elif scope.team_ids:
        label = "Your teams"
    else:
        label = "You"
    return HomeFigures(
        label=label,
        start=start,
        end=today,
        revenue=revenue,
        cost=cost,
        ratio=efficiency_ratio(revenue, cost),
        won_deals=won["deals"] or 0,
        open_pipeline=pipeline["total"] or Decimal(0),
        open_deals=pipeline["n"] or 0,
    )

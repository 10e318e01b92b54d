"""Revenue, cost and ratio per fiscal month (the dashboard's chart): one query."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import (
    Case,
    DateField,
    Sum,
    Value,
    When,
)

from dashboard.figures import ZERO
from dashboard.scopes import DashboardScope
from dashboard.selectors.tiles import MONEY
from salesops import calendar
from salesops.formulas import efficiency_ratio
from salesops.models import SalesCost
from salesops.selectors.credit import credited_splits


@dataclass(frozen=True)
class MonthlySeries:
    months: list[date]
    revenue: list[Decimal]
    cost: list[Decimal]
    ratio: list[Decimal | None]

    @property
    def is_empty(self) -> bool:
        return not any(self.revenue) and not any(self.cost)


def dashboard_monthly(*, scope: DashboardScope, end: date, months: int = 12) -> MonthlySeries:
    """Revenue, cost and ratio per fiscal month for the `months` months up to `end`, labelled by
    the calendar month each stands for (FiscalMonth.nominal): one query (the credit and ledger
    GROUP BYs as a UNION ALL)."""
    fiscal = [calendar.month_containing(end)]
    while len(fiscal) < months:
        fiscal.insert(0, fiscal[0].previous())
    first = fiscal[0].start

    def month_of(field: str) -> Case:
        return Case(
            *[When(**{f"{field}__range": (m.start, m.end)}, then=Value(m.start)) for m in fiscal],
            output_field=DateField(),
        )

    revenue_rows = (
        credited_splits(start=first, end=end)
        .filter(scope.people_q("person"))
        .annotate(month=month_of("deal__close_date"), kind=Value("revenue"))
        .values("month", "kind")
        .annotate(total=Sum("credit", output_field=MONEY))
        .values_list("month", "kind", "total")
        .order_by()
    )
    cost_rows = (
        SalesCost.objects.filter(scope.cost_q(), date__gte=first, date__lte=end)
        .annotate(month=month_of("date"), kind=Value("cost"))
        .values("month", "kind")
        .annotate(total=Sum("amount", output_field=MONEY))
        .values_list("month", "kind", "total")
        .order_by()
    )
    revenue_by: dict[date, Decimal] = {}
    cost_by: dict[date, Decimal] = {}
    for month, kind, total in revenue_rows.union(cost_rows, all=True):
        (revenue_by if kind == "revenue" else cost_by)[month] = total
    revenue = [revenue_by.get(m.start) or ZERO for m in fiscal]
    cost = [cost_by.get(m.start) or ZERO for m in fiscal]
    return MonthlySeries(
        months=[m.nominal for m in fiscal],
        revenue=revenue,
        cost=cost,
        ratio=[efficiency_ratio(r, c) for r, c in zip(revenue, cost, strict=True)],
    )

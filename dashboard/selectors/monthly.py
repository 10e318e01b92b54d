"""Revenue, cost and ratio per fiscal month (the charts of the dashboard and /me/): from the nightly
snapshots when they hold the months, else live; one query either way."""

from __future__ import annotations

from collections.abc import Sequence
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
from dashboard.snapshots import AsOf, month_figures
from salesops import calendar
from salesops.calendar import FiscalMonth
from salesops.formulas import efficiency_ratio
from salesops.models import SalesCost
from salesops.selectors.credit import credited_splits


@dataclass(frozen=True)
class MonthlySeries:
    months: list[date]
    revenue: list[Decimal]
    cost: list[Decimal]
    ratio: list[Decimal | None]
    # The nightly snapshots' business date the figures are as of (None: computed live).
    as_of: date | None = None

    @property
    def is_empty(self) -> bool:
        return not any(self.revenue) and not any(self.cost)


def dashboard_monthly(
    *,
    scope: DashboardScope,
    end: date,
    months: int = 12,
    as_of: AsOf | None,
    roots: Sequence[int] = (),
) -> MonthlySeries:
    """Revenue, cost and ratio per fiscal month for the `months` months up to `end`, labelled by
    the calendar month each stands for (FiscalMonth.nominal).

    From the nightly snapshots as of `as_of` (the page's `figures_as_of()`) when they hold every
    month: the closed months' rows and the current month to the night's business date, for the
    person, the company or the scope's top teams (`roots`): one query, no deal read (the series
    is then `as_of`). Otherwise (no snapshots yet, a team scope without its roots, months after
    the night's or before its history) live: one query, the credit and ledger GROUP BYs as a
    UNION ALL."""
    fiscal = [calendar.month_containing(end)]
    while len(fiscal) < months:
        fiscal.insert(0, fiscal[0].previous())
    if as_of is not None and _snapshots_hold(scope, roots, fiscal, as_of.day):
        current = calendar.month_containing(as_of.day)
        found = month_figures(
            scope=scope,
            roots=list(roots),
            closed=[(m.start, m.end) for m in fiscal if m.start < current.start],
            mtd_start=current.start if fiscal[-1].start == current.start else None,
            day=as_of.day,
        )
        revenue = [found.get(m.start, (ZERO, ZERO))[0] for m in fiscal]
        cost = [found.get(m.start, (ZERO, ZERO))[1] for m in fiscal]
        return _series(fiscal, revenue, cost, as_of=as_of.day)
    revenue, cost = _live_months(scope, fiscal, end)
    return _series(fiscal, revenue, cost, as_of=None)


def _snapshots_hold(
    scope: DashboardScope, roots: Sequence[int], fiscal: list[FiscalMonth], day: date
) -> bool:
    """Whether the snapshots of business date `day` hold every month of `fiscal`: none after the
    night's month, none before the closed months a nightly run writes (from the start of the
    previous fiscal year, salesops.services.efficiency.periods.closed_months), and a team scope
    names its top teams."""
    if scope.person_id is None and scope.team_ids is not None and not roots:
        return False
    oldest = calendar.year_containing(day).previous().start
    return fiscal[0].start >= oldest and fiscal[-1].start <= calendar.month_containing(day).start


def _series(
    fiscal: list[FiscalMonth], revenue: list[Decimal], cost: list[Decimal], *, as_of: date | None
) -> MonthlySeries:
    return MonthlySeries(
        months=[m.nominal for m in fiscal],
        revenue=revenue,
        cost=cost,
        ratio=[efficiency_ratio(r, c) for r, c in zip(revenue, cost, strict=True)],
        as_of=as_of,
    )


def _live_months(
    scope: DashboardScope, fiscal: list[FiscalMonth], end: date
) -> tuple[list[Decimal], list[Decimal]]:
    """Revenue and cost per month of `fiscal` up to `end` from the deals and the ledger."""
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
    return revenue, cost

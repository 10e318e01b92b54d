"""The headline tiles of the dashboard and /me/: revenue, cost, ratio and won deals of a period
and its previous period, the magic number of the last closed quarter, win rates, open pipeline and
the funnel. From the nightly snapshots when they hold the period (dashboard.snapshots,
dashboard.deal_snapshots), else live: a fixed number of aggregate queries whatever the scope.

Revenue is credited won value through `salesops.selectors.credit` only; cost is the sales-cost
ledger; ratios through `salesops.formulas`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import (
    Count,
    DecimalField,
    Q,
    Sum,
    Value,
)

from dashboard.deal_snapshots import DealRowsRead
from dashboard.figures import ZERO, win_rate
from dashboard.periods import Period
from dashboard.scopes import DashboardScope
from dashboard.selectors.funnel import Funnel, funnel_from_counts, stage_counts
from dashboard.snapshots import AsOf, SnapshotSpan, scope_figures, snapshot_span
from salesops import calendar
from salesops.formulas import HUNDRED, RATIO_QUANTUM, efficiency_ratio, magic_number
from salesops.models import SalesCost, Stage
from salesops.selectors.credit import credited_splits

MONEY = DecimalField(max_digits=24, decimal_places=8)


def _ratio_change(current: Decimal | None, previous: Decimal | None) -> Decimal | None:
    if current is None or previous is None:
        return None
    return (current - previous).quantize(RATIO_QUANTUM)


@dataclass(frozen=True)
class Tiles:
    revenue: Decimal
    prev_revenue: Decimal
    cost: Decimal
    prev_cost: Decimal
    ratio: Decimal | None
    prev_ratio: Decimal | None
    ratio_change: Decimal | None
    won_deals: int
    won: int
    lost: int
    win_rate: Decimal | None
    prev_win_rate: Decimal | None
    open_pipeline: Decimal
    open_deals: int
    magic_number: Decimal | None
    magic_quarter_start: date
    magic_quarter_end: date
    funnel: Funnel
    # The nightly snapshots the money figures come from (None: computed live).
    as_of: AsOf | None = None
    # False: no snapshot of the previous span; prev_revenue / prev_cost are 0, not figures.
    prev_known: bool = True
    # Win rates, open pipeline and the funnel are the night's deal snapshot (as_of) when this is
    # set: the scope's stuck deals that night.
    stuck_as_of: int | None = None
    # The night's deal snapshot rows those came from (for another panel of the same teams).
    deal_rows: DealRowsRead | None = field(default=None, repr=False, compare=False)

    @property
    def deals_as_of(self) -> bool:
        return self.stuck_as_of is not None

    @property
    def is_empty(self) -> bool:
        return not (self.revenue or self.cost or self.open_deals or self.won or self.lost)

    @property
    def revenue_change_pct(self) -> Decimal | None:
        """Revenue against the previous period, in % (None when the previous period had none)."""
        if not self.prev_revenue or not self.prev_known:
            return None
        change = (self.revenue - self.prev_revenue) * HUNDRED / self.prev_revenue
        return change.quantize(Decimal("0.1"))

    @property
    def ratio_change_abs(self) -> Decimal | None:
        return None if self.ratio_change is None else abs(self.ratio_change)

    @property
    def magic_band(self) -> str:
        """docs/domain.md, 'Magic number': below 0.75 inefficient, 0.75–1 moderate, above 1 strong."""
        if self.magic_number is None:
            return ""
        if self.magic_number < Decimal("0.75"):
            return "inefficient"
        if self.magic_number <= 1:
            return "moderate"
        return "strong"


def last_closed_quarters(today: date) -> tuple[date, date, date]:
    """Start of the quarter before the last closed one, start of the last closed one, its end."""
    last = calendar.quarter_containing(today).previous()
    return last.previous().start, last.start, last.end


def _live_money(
    scope: DashboardScope, period: Period, quarters: tuple[date, date, date]
) -> dict[str, Any]:
    """Revenue, cost and won deals of the period and its previous period, and the magic number's
    quarters, from the deals and the ledger (when no snapshot answers the period): one statement,
    the credit and ledger GROUP BYs as a UNION ALL."""
    q_prev, q_last, q_end = quarters
    first = min(period.prev_start, q_prev)
    last = max(period.end, q_end)
    in_period = Q(deal__close_date__gte=period.start, deal__close_date__lte=period.end)
    in_prev = Q(deal__close_date__gte=period.prev_start, deal__close_date__lte=period.prev_end)
    in_q_last = Q(deal__close_date__gte=q_last, deal__close_date__lte=q_end)
    in_q_prev = Q(deal__close_date__gte=q_prev, deal__close_date__lt=q_last)
    zero = Value(ZERO, output_field=MONEY)
    revenue_q = (
        credited_splits(start=first, end=last)
        .filter(scope.people_q("person"))
        .annotate(kind=Value("revenue"))
        .values("kind")
        .annotate(
            now=Sum("credit", filter=in_period, output_field=MONEY),
            prev=Sum("credit", filter=in_prev, output_field=MONEY),
            q_last=Sum("credit", filter=in_q_last, output_field=MONEY),
            q_prev=Sum("credit", filter=in_q_prev, output_field=MONEY),
            won_deals=Count("deal_id", distinct=True, filter=in_period),
        )
        .values_list("kind", "now", "prev", "q_last", "q_prev", "won_deals")
        .order_by()
    )
    cost_q = (
        SalesCost.objects.filter(scope.cost_q(), date__gte=first, date__lte=last)
        .annotate(kind=Value("cost"))
        .values("kind")
        .annotate(
            now=Sum(
                "amount", filter=Q(date__gte=period.start, date__lte=period.end), output_field=MONEY
            ),
            prev=Sum(
                "amount",
                filter=Q(date__gte=period.prev_start, date__lte=period.prev_end),
                output_field=MONEY,
            ),
            q_last=zero,
            q_prev=Sum("amount", filter=Q(date__gte=q_prev, date__lt=q_last), output_field=MONEY),
            won_deals=Value(0),
        )
        .values_list("kind", "now", "prev", "q_last", "q_prev", "won_deals")
        .order_by()
    )
    sums = {row[0]: row[1:] for row in revenue_q.union(cost_q, all=True)}
    empty = (None, None, None, None, 0)
    rev_now, rev_prev, rev_q_last, rev_q_prev, won_deals = sums.get("revenue", empty)
    cost_now, cost_prev, _unused, cost_q_prev, _zero = sums.get("cost", empty)
    return {
        "revenue": rev_now or ZERO,
        "prev_revenue": rev_prev or ZERO,
        "won_deals": won_deals or 0,
        "q_last": rev_q_last or ZERO,
        "q_prev": rev_q_prev or ZERO,
        "cost": cost_now or ZERO,
        "prev_cost": cost_prev or ZERO,
        "q_prev_cost": cost_q_prev or ZERO,
    }


def _snapshot_money(
    scope: DashboardScope, roots: Sequence[int], span: SnapshotSpan
) -> tuple[dict[str, Any], tuple[date, date, date]]:
    quarters = last_closed_quarters(span.end)
    f = scope_figures(scope=scope, roots=list(roots), span=span, quarters=quarters)
    # None: no snapshot of the previous span (history does not reach back that far). The page
    # says so rather than computing a year of deals live.
    prev_known = f.prev_revenue is not None and f.prev_cost is not None
    money = {
        "revenue": f.revenue,
        "prev_revenue": f.prev_revenue or ZERO,
        "prev_known": prev_known,
        "won_deals": f.won_deals,
        "q_last": f.q_last_revenue,
        "q_prev": f.q_prev_revenue,
        "cost": f.cost,
        "prev_cost": f.prev_cost or ZERO,
        "q_prev_cost": f.q_prev_cost,
    }
    return money, quarters


def dashboard_tiles(
    *,
    scope: DashboardScope,
    period: Period,
    as_of: AsOf | None = None,
    roots: Sequence[int] = (),
) -> Tiles:
    """The headline tiles for `period` and its previous period, and the pipeline funnel, in two
    queries. The magic number is for the last fiscal quarter closed by the end of the period.

    With `as_of` (the newest nightly snapshots) and a period they hold, revenue, cost, ratio and
    won deals come from the snapshots of that business date (`roots`: the scope's top teams, see
    scopes.scope_roots), and for a team or the company the funnel, win rates and open pipeline
    from the night's deal snapshots (dashboard.deal_snapshots); one person's are live."""
    span = None if as_of is None else snapshot_span(period, as_of.day)
    if span is not None:
        money, (q_prev, q_last, q_end) = _snapshot_money(scope, roots, span)
    else:
        q_prev, q_last, q_end = last_closed_quarters(period.end)
        money = _live_money(scope, period, (q_prev, q_last, q_end))
    rows, stuck, read = stage_counts(scope, period, span, as_of, roots)
    counts: dict[str, int] = {"won": 0, "lost": 0, "prev_won": 0, "prev_lost": 0, "open": 0}
    pipeline = ZERO
    for stage, _lost_at, now, prev, amount in rows:
        if stage in (Stage.WON, Stage.LOST):
            counts[stage] += now
            counts[f"prev_{stage}"] += prev
        else:
            counts["open"] += now
            pipeline += amount or ZERO
    rev, prev_rev = money["revenue"], money["prev_revenue"]
    cst, prev_cst = money["cost"], money["prev_cost"]
    ratio = efficiency_ratio(rev, cst)
    prev_known = money.get("prev_known", True)
    prev_ratio = efficiency_ratio(prev_rev, prev_cst) if prev_known else None
    return Tiles(
        revenue=rev,
        prev_revenue=prev_rev,
        cost=cst,
        prev_cost=prev_cst,
        ratio=ratio,
        prev_ratio=prev_ratio,
        ratio_change=_ratio_change(ratio, prev_ratio),
        won_deals=money["won_deals"],
        won=counts["won"],
        lost=counts["lost"],
        win_rate=win_rate(counts["won"], counts["lost"]),
        prev_win_rate=win_rate(counts["prev_won"], counts["prev_lost"]),
        open_pipeline=pipeline,
        open_deals=counts["open"],
        funnel=funnel_from_counts(
            [(stage, lost_at, now) for stage, lost_at, now, _p, _a in rows if now]
        ),
        magic_number=magic_number(money["q_last"], money["q_prev"], money["q_prev_cost"]),
        magic_quarter_start=q_last,
        magic_quarter_end=q_end,
        as_of=as_of if span is not None else None,
        prev_known=prev_known,
        stuck_as_of=stuck,
        deal_rows=read,
    )

"""Dashboard figures from the core data, set-based: each function is a fixed number of aggregate
queries whatever the size of the scope (no per-person loop over queries).

Revenue is credited won value through `salesops.selectors.credit` only; cost is the sales-cost
ledger; ratios through `salesops.formulas`. People are counted in the team they are in today.
"""

from __future__ import annotations

__all__ = [
    "ZERO",
    "PeopleTable",
    "PersonRow",
    "dashboard_people",
    "dashboard_tiles",
    "win_rate",
]

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import (
    Case,
    Count,
    DateField,
    DecimalField,
    F,
    Q,
    Sum,
    Value,
    When,
    Window,
)
from django.utils import timezone

from dashboard.deal_snapshots import deal_snapshot_rows, stuck_deal_ids
from dashboard.figures import ZERO, win_rate
from dashboard.people import PeopleTable, PersonRow, dashboard_people
from dashboard.periods import Period
from dashboard.scopes import DashboardScope
from dashboard.snapshots import AsOf, SnapshotSpan, scope_figures, snapshot_span
from salesops import calendar
from salesops.formulas import HUNDRED, RATIO_QUANTUM, efficiency_ratio, magic_number
from salesops.models import OPEN_STAGES, STAGE_ORDER, Deal, SalesCost, Stage
from salesops.selectors.credit import credited_splits

MONEY = DecimalField(max_digits=24, decimal_places=8)


def _ratio_change(current: Decimal | None, previous: Decimal | None) -> Decimal | None:
    if current is None or previous is None:
        return None
    return (current - previous).quantize(RATIO_QUANTUM)


@dataclass(frozen=True)
class FunnelStep:
    stage: str
    label: str
    reached: int
    current: int
    lost_here: int
    # Share of the deals that reached this stage and went on to the next (None for the last).
    conversion: Decimal | None


@dataclass(frozen=True)
class Funnel:
    steps: list[FunnelStep]
    deals: int
    won: int
    lost: int

    @property
    def win_rate(self) -> Decimal | None:
        return win_rate(self.won, self.lost)


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


def _last_closed_quarters(today: date) -> tuple[date, date, date]:
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
    quarters = _last_closed_quarters(span.end)
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
        q_prev, q_last, q_end = _last_closed_quarters(period.end)
        money = _live_money(scope, period, (q_prev, q_last, q_end))
    rows, stuck = _stage_counts(scope, period, span, as_of, roots)
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
        funnel=_funnel([(stage, lost_at, now) for stage, lost_at, now, _p, _a in rows if now]),
        magic_number=magic_number(money["q_last"], money["q_prev"], money["q_prev_cost"]),
        magic_quarter_start=q_last,
        magic_quarter_end=q_end,
        as_of=as_of if span is not None else None,
        prev_known=prev_known,
        stuck_as_of=stuck,
    )


StageCount = tuple[str, str, int, int, Decimal | None]


def _stage_counts(
    scope: DashboardScope,
    period: Period,
    span: SnapshotSpan | None,
    as_of: AsOf | None,
    roots: Sequence[int] = (),
) -> tuple[list[StageCount], int | None]:
    """(stage, lost-at stage, deals open or closed in the period, closed in the previous period,
    open pipeline) of the scope's deals. A team or the company with the night's deal snapshots
    (span set): the rows of the span of the company or of the scope's top teams (`roots`); else (one person: the
    owner index bounds it; a custom range; no snapshot yet) one GROUP BY over the deals. With
    the rows, the scope's stuck deals that night when they are the snapshot's (else None)."""
    if span is not None and as_of is not None and scope.person_id is None:
        found = deal_snapshot_rows(
            as_of=as_of.day, period=span.period, team_ids=scope.team_ids, roots=list(roots) or None
        )
        if found is not None:
            merged: dict[tuple[str, str], list[Any]] = {}
            stuck = 0
            for r in found:
                stuck += r.stuck
                entry = merged.setdefault((r.stage, r.lost_at_stage), [0, 0, ZERO])
                entry[0] += r.now
                entry[1] += r.prev
                entry[2] += r.pipeline
            counts = [(st, lost, n, p, amount) for (st, lost), (n, p, amount) in merged.items()]
            return counts, stuck
    closed_now = Q(close_date__gte=period.start, close_date__lte=period.end)
    closed_prev = Q(close_date__gte=period.prev_start, close_date__lte=period.prev_end)
    is_open = Q(stage__in=OPEN_STAGES)
    # One GROUP BY serves the win rates, the open pipeline and the funnel.
    live = list(
        Deal.objects.filter(scope.people_q("owner"))
        .filter(
            is_open
            | Q(
                stage__in=(Stage.WON, Stage.LOST),
                close_date__gte=period.prev_start,
                close_date__lte=period.end,
            )
        )
        .values_list("stage", "lost_at_stage")
        .annotate(
            now=Count("id", filter=is_open | closed_now),
            prev=Count("id", filter=closed_prev & ~is_open),
            pipeline=Sum("amount", filter=is_open),
        )
        .order_by()
    )
    return live, None


def _funnel(rows: list[tuple[str, str, int]]) -> Funnel:
    """Stage-to-stage conversion from (stage, lost_at_stage, count) rows of the deals open today or
    closed in the period.

    A deal has reached every stage up to its current one; a lost deal every stage up to the one it
    was lost at (`lost_at_stage`, or only the first when unknown); a won deal all of them.
    """
    index: dict[str, int] = {str(stage): i for i, stage in enumerate(STAGE_ORDER)}
    reached = [0] * len(STAGE_ORDER)
    current = [0] * len(STAGE_ORDER)
    lost_here = [0] * len(STAGE_ORDER)
    won = lost = total = 0
    for stage, lost_at_stage, n in rows:
        total += n
        if stage == Stage.LOST:
            lost += n
            top = index.get(lost_at_stage, 0)
            lost_here[top] += n
        else:
            top = index[stage]
            current[top] += n
            if stage == Stage.WON:
                won += n
        for i in range(top + 1):
            reached[i] += n
    steps = []
    labels = dict(Stage.choices)
    for i, stage in enumerate(STAGE_ORDER):
        conversion = None
        if i + 1 < len(STAGE_ORDER) and reached[i]:
            conversion = (Decimal(reached[i + 1]) * HUNDRED / reached[i]).quantize(Decimal("0.1"))
        steps.append(
            FunnelStep(
                stage=stage,
                label=labels[stage],
                reached=reached[i],
                current=current[i],
                lost_here=lost_here[i],
                conversion=conversion,
            )
        )
    return Funnel(steps=steps, deals=total, won=won, lost=lost)


@dataclass(frozen=True)
class StuckDeals:
    deals: Sequence[Deal]
    total: int
    days: int


def dashboard_stuck_deals(
    *,
    scope: DashboardScope,
    limit: int = 10,
    as_of: AsOf | None = None,
    tiles: Tiles | None = None,
    roots: Sequence[int] = (),
) -> StuckDeals:
    """Open deals sitting in their stage longer than settings.DEAL_STUCK_DAYS, longest first;
    the first `limit` and the total count, in one query. With the night's deal snapshot (the
    tiles read it: `tiles.stuck_as_of` is the total), the list is the night's longest-stuck of
    the scope still open (their ids from the snapshot, through the deals' primary key); else
    every open deal of the scope, ordered, with a window count."""
    days = settings.DEAL_STUCK_DAYS
    open_deals = Deal.objects.filter(stage__in=OPEN_STAGES).select_related("owner", "account")
    if as_of is not None and tiles is not None and tiles.stuck_as_of is not None:
        ids = stuck_deal_ids(as_of=as_of.day, team_ids=scope.team_ids, roots=list(roots))
        deals = list(open_deals.filter(pk__in=ids).order_by("stage_entered_at", "id")[:limit])
        total = tiles.stuck_as_of
    else:
        cutoff = timezone.now() - timedelta(days=days)
        deals = list(
            open_deals.filter(scope.people_q("owner"), stage_entered_at__lt=cutoff)
            .annotate(total=Window(Count("id")))
            .order_by("stage_entered_at", "id")[:limit]
        )
        total = deals[0].total if deals else 0  # type: ignore[attr-defined]
    now = timezone.now()
    for deal in deals:
        deal.days_in_stage = (now - deal.stage_entered_at).days  # type: ignore[attr-defined,operator]
    return StuckDeals(deals=deals, total=total, days=days)


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


@dataclass(frozen=True)
class MyDeals:
    deals: Sequence[Deal]
    total: int
    stuck_before: datetime


def my_open_deals(*, scope: DashboardScope, limit: int = 25) -> MyDeals:
    """The person's open deals, oldest in stage first, with the total count: one query."""
    deals = list(
        Deal.objects.filter(scope.people_q("owner"), stage__in=OPEN_STAGES)
        .select_related("account", "product")
        .annotate(total=Window(Count("id")))
        .order_by(F("stage_entered_at").asc(nulls_last=True), "id")[:limit]
    )
    total = deals[0].total if deals else 0  # type: ignore[attr-defined]
    cutoff = timezone.now() - timedelta(days=settings.DEAL_STUCK_DAYS)
    return MyDeals(deals=deals, total=total, stuck_before=cutoff)


@dataclass(frozen=True)
class FollowUp:
    deal: Deal
    due: date
    overdue: bool


FOLLOW_UP_LOOKBACK_DAYS = 14
FOLLOW_UP_LOOKAHEAD_DAYS = 7


def my_follow_ups(*, scope: DashboardScope, today: date, limit: int = 10) -> list[FollowUp]:
    """Won deals owned in the scope whose customer check-in (close date + FOLLOW_UP_DAYS_AFTER_WON)
    falls in the last two weeks or the coming week, soonest first: one query."""
    days = timedelta(days=settings.FOLLOW_UP_DAYS_AFTER_WON)
    first = today - timedelta(days=FOLLOW_UP_LOOKBACK_DAYS) - days
    last = today + timedelta(days=FOLLOW_UP_LOOKAHEAD_DAYS) - days
    deals = (
        Deal.objects.filter(
            scope.people_q("owner"), stage=Stage.WON, close_date__gte=first, close_date__lte=last
        )
        .select_related("account")
        .order_by("close_date", "id")[:limit]
    )
    return [
        FollowUp(deal=d, due=d.close_date + days, overdue=d.close_date + days < today)
        for d in deals
        if d.close_date is not None
    ]

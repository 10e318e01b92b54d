"""The dashboard's cost-of-pursuit panel from the night's deal snapshot.

meetings.selectors.pursuit.pursuit_by_segment reads every deal the viewer may see that closed in
the period (a year of a large company is hundreds of thousands of rows into Python, and as many
ids into the meeting queries). Here, when the nightly deal snapshot holds the period
(dashboard.deal_snapshots), the deal counts and won revenue per segment and stage are its rows for
the viewer's teams (deals owned by their people; everyone for sales ops and admins) and the
meetings side starts from the meetings, which name few deals: their links to deals closed in the
span (through the deals' primary key), their hours and their posted cost (meetings' rules). The
figures are those of pursuit_by_segment for the same span (tested equal). Otherwise (a custom
range, no snapshot yet) the meetings app's selector answers, live.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

from django.db.models import Q

from dashboard.deal_snapshots import DealRow, DealRowsRead, deal_snapshot_rows
from dashboard.periods import Period
from dashboard.scopes import ScopeOption, teams_roots
from dashboard.snapshots import AsOf, snapshot_span
from meetings.models import Meeting, MeetingDeal, MeetingStatus
from meetings.selectors.pursuit import (
    SEGMENT_LABELS,
    PursuitGroup,
    PursuitPanel,
    SegmentEfficiency,
    deal_segment,
    meeting_figures,
    pursuit_by_segment,
)
from salesops.models import Stage
from salesops.selectors.scope import AnyUser, Scope, scope_for

ZERO = Decimal("0.00")
CLOSED = (Stage.WON, Stage.LOST)
GroupKey = tuple[str, str, str]


def _group_key(segment: str, stage: str, lost_at: str) -> GroupKey:
    return (segment, stage, stage if stage == Stage.WON else (lost_at or "unknown"))


def _deal_filter(scope: Scope, start: date, end: date, prefix: str) -> Q:
    """Closed deals of the span owned in the scope (a Q on the deal at `prefix`)."""
    q = Q(**{f"{prefix}__stage__in": CLOSED, f"{prefix}__close_date__range": (start, end)})
    if not scope.everything:
        q &= Q(**{f"{prefix}__owner__team_id__in": sorted(scope.team_ids)}) | Q(
            **{f"{prefix}__owner_id": scope.person_id}
        )
    return q


def _meeting_pairs(
    scope: Scope, start: date, end: date
) -> dict[tuple[int, int], tuple[str, str, int | None]]:
    """(deal, meeting) → (stage, lost-at stage, account head count) of every meeting (not
    cancelled) held for a deal of the span: one query from the meeting side (its links to
    deals and its own deal)."""
    fields = ("stage", "lost_at_stage", "account__employees")
    live = ~Q(meeting__status=MeetingStatus.CANCELLED)
    # Unordered: the models' default orders would join and sort what is only collected here.
    linked = (
        MeetingDeal.objects.filter(live, _deal_filter(scope, start, end, "deal"))
        .order_by()
        .values_list("deal_id", "meeting_id", *(f"deal__{f}" for f in fields))
    )
    # deal IS NOT NULL is implied by the join, but spelled out it lets the planner count the
    # meetings that name a deal (few, often none) instead of guessing a share of them all: the
    # guess chose a parallel plan whose workers' start-up was most of the query's time.
    own = (
        Meeting.objects.exclude(status=MeetingStatus.CANCELLED)
        .filter(_deal_filter(scope, start, end, "deal"), deal__isnull=False)
        .order_by()
        .values_list("deal_id", "pk", *(f"deal__{f}" for f in fields))
    )
    pairs: dict[tuple[int, int], tuple[str, str, int | None]] = {}
    for deal_id, meeting_id, stage, lost_at, employees in linked.union(own, all=True):
        pairs[(deal_id, meeting_id)] = (stage, lost_at, employees)
    return pairs


def _panel(
    rows: list[DealRow], user: AnyUser, scope: Scope, start: date, end: date
) -> PursuitPanel:
    groups: dict[GroupKey, PursuitGroup] = {}
    segments: dict[str, SegmentEfficiency] = {}
    for r in rows:
        if r.stage not in CLOSED or not r.now:
            continue
        key = _group_key(r.segment, r.stage, r.lost_at_stage)
        groups.setdefault(key, PursuitGroup(*key)).deals += r.now
        segments.setdefault(r.segment, SegmentEfficiency(r.segment)).won_revenue += r.won_value
    pairs = _meeting_pairs(scope, start, end)
    meeting_ids = {m for _, m in pairs}
    figures = meeting_figures(meeting_ids=meeting_ids, scope=scope)
    by_deal: dict[int, list[int]] = defaultdict(list)
    info: dict[int, tuple[str, str, int | None]] = {}
    for (deal_id, meeting_id), deal_info in pairs.items():
        by_deal[deal_id].append(meeting_id)
        info[deal_id] = deal_info
    for deal_id, mine in by_deal.items():
        stage, lost_at, employees = info[deal_id]
        segment = deal_segment(employees)
        group = groups.setdefault(
            _group_key(segment, stage, lost_at), PursuitGroup(segment, stage, stage)
        )
        cost = sum((figures.cost.get(m, ZERO) for m in mine), ZERO)
        group.meetings += len(mine)
        group.hours += sum((figures.hours.get(m, ZERO) for m in mine), ZERO)
        group.cost += cost
        segments.setdefault(segment, SegmentEfficiency(segment)).pursuit_cost += cost
    order = list(SEGMENT_LABELS)
    return PursuitPanel(
        groups=sorted(groups.values(), key=lambda g: (order.index(g.segment), g.outcome, g.stage)),
        segments=sorted(segments.values(), key=lambda s: order.index(s.segment)),
        start=start,
        end=end,
    )


def pursuit_panel(
    *,
    user: AnyUser,
    period: Period,
    as_of: AsOf | None,
    options: list[ScopeOption] | None = None,
    read: DealRowsRead | None = None,
) -> PursuitPanel:
    """Cost of pursuit of the deals won or lost in the period that the viewer's teams own, per
    segment and stage (see the module's docstring): from the night's deal snapshot when it holds
    the period (as of its business date), else meetings' live selector for the period. `options`:
    the viewer's dashboard_scope_options, whose parents give their top teams (else a query);
    `read`: snapshot rows the page already read (the funnel's), used when they are the viewer's
    teams' of the same night and period (the default scope of a manager, the company's)."""
    span = None if as_of is None else snapshot_span(period, as_of.day)
    scope = scope_for(user)
    if span is not None and as_of is not None:
        teams = None if scope.everything else frozenset(scope.team_ids)
        # A rep (no team of theirs to read) keeps the live selector: their deals are few.
        if teams is None or teams:
            rows = None
            if read is not None:
                rows = read.rows_for(as_of=as_of.day, period=span.period, team_ids=teams)
            if rows is None:
                roots = None if teams is None or options is None else teams_roots(teams, options)
                rows = deal_snapshot_rows(
                    as_of=as_of.day, period=span.period, team_ids=teams, roots=roots
                )
            if rows is not None:
                return _panel(rows, user, scope, span.start, span.end)
    return pursuit_by_segment(user=user, start=period.start, end=period.end)

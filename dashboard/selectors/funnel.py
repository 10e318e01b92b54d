"""Deals per stage of a scope (win rates, open pipeline, the funnel): from the night's deal
snapshots for a team or the company, else one GROUP BY over the deals; and the stage-to-stage
funnel from those counts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import (
    Count,
    Q,
    Sum,
)

from dashboard.deal_snapshots import DealRowsRead, deal_snapshot_rows
from dashboard.figures import ZERO, win_rate
from dashboard.periods import Period
from dashboard.scopes import DashboardScope
from dashboard.snapshots import AsOf, SnapshotSpan
from salesops.formulas import HUNDRED
from salesops.models import OPEN_STAGES, STAGE_ORDER, Deal, Stage


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


StageCount = tuple[str, str, int, int, Decimal | None]


def stage_counts(
    scope: DashboardScope,
    period: Period,
    span: SnapshotSpan | None,
    as_of: AsOf | None,
    roots: Sequence[int] = (),
) -> tuple[list[StageCount], int | None, DealRowsRead | None]:
    """(stage, lost-at stage, deals open or closed in the period, closed in the previous period,
    open pipeline) of the scope's deals. A team or the company with the night's deal snapshots
    (span set): the rows of the span of the company or of the scope's top teams (`roots`); else
    (one person: the owner index bounds it; a custom range; no snapshot yet) one GROUP BY over
    the deals. With the rows, the scope's stuck deals that night when they are the snapshot's
    (else None), and the snapshot rows read (else None)."""
    if span is not None and as_of is not None and scope.person_id is None:
        found = deal_snapshot_rows(
            as_of=as_of.day, period=span.period, team_ids=scope.team_ids, roots=list(roots) or None
        )
        if found is not None:
            read = DealRowsRead(as_of.day, span.period, scope.team_ids, found)
            merged: dict[tuple[str, str], list[Any]] = {}
            stuck = 0
            for r in found:
                stuck += r.stuck
                entry = merged.setdefault((r.stage, r.lost_at_stage), [0, 0, ZERO])
                entry[0] += r.now
                entry[1] += r.prev
                entry[2] += r.pipeline
            counts = [(st, lost, n, p, amount) for (st, lost), (n, p, amount) in merged.items()]
            return counts, stuck, read
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
    return live, None, None


def funnel_from_counts(rows: list[tuple[str, str, int]]) -> Funnel:
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

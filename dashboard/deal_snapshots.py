"""The night's deal figures per team (dashboard.models.DealSnapshot): written once per business
date after the efficiency run publishes, read by the dashboards instead of a GROUP BY over every
deal of the scope per request.

A row covers the deals of one owner's team, stage, lost-at stage and account segment for one
dashboard period ending on the business date (mtd/qtd/ytd/t90, the spans of
dashboard.snapshots.snapshot_span). The figures are those of the live funnel query of
dashboard.selectors.dashboard_tiles for that span (tested equal): `now` counts the deals open that
night or won/lost with a close date in the span, `prev` those won/lost in the previous span.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone
from psycopg2 import sql

from dashboard.models import DealSnapshot, PersonDealSnapshot, StuckDealSnapshot
from dashboard.periods import resolve_period
from salesops.models import OPEN_STAGES, Stage, Team
from salesops.selectors.sql import ACCOUNTS, DEALS, PEOPLE, TEAMS

# The dashboard periods the night's rows are written for (the kinds snapshot_span answers).
PERIODS = ("mtd", "qtd", "ytd", "t90")
# The stuck deals the dashboard lists (dashboard.selectors.dashboard_stuck_deals).
STUCK_SHOWN = 10
# Segments of closed deals by the account's head count (meetings.selectors.pursuit.deal_segment,
# for the cost-of-pursuit panel); open deals are not split by segment ('').
SEGMENT_SQL = """CASE WHEN d.stage = ANY(%(open)s) THEN ''
    WHEN a.employees IS NULL THEN 'unknown'
    WHEN a.employees < 100 THEN 'smb' WHEN a.employees < 1000 THEN 'mid_market'
    ELSE 'enterprise' END"""

WRITE_SQL = sql.SQL(
    """
WITH RECURSIVE tree(team_id, ancestor) AS (
    SELECT id, id FROM {teams}
    UNION ALL
    SELECT tree.team_id, t.parent_id FROM tree JOIN {teams} t ON t.id = tree.ancestor
    WHERE t.parent_id IS NOT NULL
), base AS MATERIALIZED (
    SELECT sp.period, d.owner_id, p.team_id, d.stage, COALESCE(d.lost_at_stage, '') AS lost_at,
        {segment} AS segment,
        COUNT(*) FILTER (WHERE d.stage = ANY(%(open)s)
            OR d.close_date BETWEEN sp.start_day AND sp.end_day) AS now,
        COUNT(*) FILTER (WHERE d.stage <> ALL(%(open)s)
            AND d.close_date BETWEEN sp.prev_start AND sp.prev_end) AS prev,
        COALESCE(SUM(d.amount) FILTER (WHERE d.stage = ANY(%(open)s)), 0) AS pipeline,
        COALESCE(SUM(d.close_value) FILTER (WHERE d.stage = %(won)s
            AND d.close_date BETWEEN sp.start_day AND sp.end_day), 0) AS won_value,
        COUNT(*) FILTER (WHERE d.stage = ANY(%(open)s)
            AND d.stage_entered_at < %(stuck_before)s) AS stuck
    FROM {deals} d
    JOIN {people} p ON p.id = d.owner_id
    LEFT JOIN {accounts} a ON a.id = d.account_id
    JOIN unnest(%(periods)s::text[], %(starts)s::date[], %(ends)s::date[],
            %(prev_starts)s::date[], %(prev_ends)s::date[])
        AS sp(period, start_day, end_day, prev_start, prev_end)
        ON d.stage = ANY(%(open)s)
        OR (d.stage = ANY(%(closed)s) AND d.close_date BETWEEN sp.prev_start AND sp.end_day)
    GROUP BY 1, 2, 3, 4, 5, 6
), people_rows AS (
    INSERT INTO {person_snapshots} (as_of, period, person_id, lost, open_deals, pipeline)
    SELECT %(as_of)s, period, owner_id,
        COALESCE(SUM(now) FILTER (WHERE stage = %(lost)s), 0),
        COALESCE(SUM(now) FILTER (WHERE stage = ANY(%(open)s)), 0), SUM(pipeline)
    FROM base GROUP BY period, owner_id
    RETURNING 1
), stuck AS (
    SELECT d.id, d.stage_entered_at, p.team_id
    FROM {deals} d JOIN {people} p ON p.id = d.owner_id
    WHERE d.stage = ANY(%(open)s) AND d.stage_entered_at < %(stuck_before)s
), stuck_ranked AS (
    SELECT 'team' AS scope, tree.ancestor AS team_id, s.id,
        row_number() OVER (PARTITION BY tree.ancestor ORDER BY s.stage_entered_at, s.id) AS rank
    FROM stuck s JOIN tree ON tree.team_id = s.team_id
    UNION ALL
    SELECT 'company', NULL, s.id, row_number() OVER (ORDER BY s.stage_entered_at, s.id)
    FROM stuck s
), stuck_rows AS (
    INSERT INTO {stuck_snapshots} (as_of, scope, team_id, deal_id)
    SELECT %(as_of)s, scope, team_id, id FROM stuck_ranked WHERE rank <= %(stuck_shown)s
    RETURNING 1
), rolled AS (
    SELECT 'team' AS scope, tree.ancestor AS team_id, b.period, b.stage, b.lost_at, b.segment,
        SUM(b.now) AS now, SUM(b.prev) AS prev, SUM(b.pipeline) AS pipeline,
        SUM(b.won_value) AS won_value, SUM(b.stuck) AS stuck
    FROM base b JOIN tree ON tree.team_id = b.team_id
    GROUP BY 2, 3, 4, 5, 6
    UNION ALL
    SELECT 'company', NULL, b.period, b.stage, b.lost_at, b.segment, SUM(b.now), SUM(b.prev),
        SUM(b.pipeline), SUM(b.won_value), SUM(b.stuck)
    FROM base b
    GROUP BY 3, 4, 5, 6
)
INSERT INTO {snapshots} (as_of, period, scope, team_id, stage, lost_at_stage, segment, now, prev,
    pipeline, won_value, stuck, computed_at)
SELECT %(as_of)s, period, scope, team_id, stage, lost_at, segment, now, prev, pipeline,
    won_value, stuck, %(computed_at)s
FROM rolled
WHERE now > 0 OR prev > 0
"""
).format(
    snapshots=sql.Identifier(DealSnapshot._meta.db_table),
    person_snapshots=sql.Identifier(PersonDealSnapshot._meta.db_table),
    stuck_snapshots=sql.Identifier(StuckDealSnapshot._meta.db_table),
    segment=sql.SQL(SEGMENT_SQL),
    deals=sql.Identifier(DEALS),
    people=sql.Identifier(PEOPLE),
    teams=sql.Identifier(TEAMS),
    accounts=sql.Identifier(ACCOUNTS),
)
ANALYZE_SQL = sql.SQL("ANALYZE {}, {}, {}").format(
    sql.Identifier(DealSnapshot._meta.db_table),
    sql.Identifier(PersonDealSnapshot._meta.db_table),
    sql.Identifier(StuckDealSnapshot._meta.db_table),
)


def _spans(as_of: date) -> dict[str, list[Any]]:
    periods = [resolve_period(key=key, today=as_of) for key in PERIODS]
    return {
        "periods": [p.key for p in periods],
        "starts": [p.start for p in periods],
        "ends": [p.end for p in periods],
        "prev_starts": [p.prev_start for p in periods],
        "prev_ends": [p.prev_end for p in periods],
    }


def deal_snapshots_replace(*, as_of: date) -> int:
    """Replace the rows of business date `as_of` from the deals as they are now (one statement
    over the deals, one pass); returns the rows written. Idempotent."""
    computed_at = timezone.now()
    params: dict[str, Any] = {
        "as_of": as_of,
        "open": [str(s) for s in OPEN_STAGES],
        "closed": [str(Stage.WON), str(Stage.LOST)],
        "won": str(Stage.WON),
        "lost": str(Stage.LOST),
        "stuck_before": computed_at - timedelta(days=settings.DEAL_STUCK_DAYS),
        "stuck_shown": STUCK_SHOWN,
        "computed_at": computed_at,
        **_spans(as_of),
    }
    with transaction.atomic():
        DealSnapshot.objects.filter(as_of=as_of).delete()
        PersonDealSnapshot.objects.filter(as_of=as_of).delete()
        StuckDealSnapshot.objects.filter(as_of=as_of).delete()
        with connection.cursor() as cur:
            cur.execute(WRITE_SQL, params)
            written = cur.rowcount
    with connection.cursor() as cur:
        cur.execute(ANALYZE_SQL)
    return written


@dataclass(frozen=True)
class DealRow:
    stage: str
    lost_at_stage: str
    segment: str
    now: int
    prev: int
    pipeline: Decimal
    won_value: Decimal
    stuck: int


@dataclass(frozen=True)
class DealRowsRead:
    """The rows deal_snapshot_rows gave for the night `as_of`, `period` and the company
    (`team_ids` None) or a team set: a page that read them for one panel hands them to another
    panel of the same teams (the cost of pursuit reads the funnel's) instead of reading again."""

    as_of: date
    period: str
    team_ids: frozenset[int] | None
    rows: list[DealRow]

    def rows_for(
        self, *, as_of: date, period: str, team_ids: frozenset[int] | None
    ) -> list[DealRow] | None:
        """The rows when they are those of this night, period and teams; else None."""
        if (self.as_of, self.period, self.team_ids) == (as_of, period, team_ids):
            return self.rows
        return None


def team_roots(team_ids: frozenset[int] | set[int]) -> list[int]:
    """The teams of the set whose parent is not in it: their rows cover the whole set (one
    query)."""
    parents = dict(Team.objects.filter(pk__in=sorted(team_ids)).values_list("pk", "parent_id"))
    return sorted(t for t, parent in parents.items() if parent not in team_ids)


def deal_snapshot_rows(
    *,
    as_of: date,
    period: str,
    team_ids: frozenset[int] | None,
    roots: list[int] | None = None,
) -> list[DealRow] | None:
    """The night's rows of `period` for the company (`team_ids` None) or the teams' set (the
    rows of its top teams, `roots`, which cover their sub-teams; found when not given), summed
    per stage, lost-at stage and segment. None when that night was not written (the caller
    computes live). One indexed query on (as_of, period, scope, team_id) (two without roots)."""
    rows = DealSnapshot.objects.filter(as_of=as_of, period=period)
    if team_ids is None:
        rows = rows.filter(scope="company")
    else:
        wanted = team_roots(team_ids) if roots is None else roots
        rows = rows.filter(scope="team", team_id__in=wanted)
    found = list(
        rows.values_list("stage", "lost_at_stage", "segment")
        .order_by()
        .annotate(
            n_now=Sum("now"),
            n_prev=Sum("prev"),
            s_pipe=Sum("pipeline"),
            s_won=Sum("won_value"),
            s_stuck=Sum("stuck"),
        )
    )
    if not found and not written(as_of=as_of, period=period):
        return None
    return [DealRow(*row) for row in found]


def written(*, as_of: date, period: str) -> bool:
    """Whether the night of `as_of` wrote its deal rows of `period` (its company rows)."""
    return DealSnapshot.objects.filter(as_of=as_of, period=period, scope="company").exists()


def stuck_deal_ids(*, as_of: date, team_ids: frozenset[int] | None, roots: list[int]) -> Any:
    """The ids (a subquery) of the night's longest-stuck open deals of the company or of the
    scope's top teams (each team's ten; the first ten of them all are the scope's)."""
    rows = StuckDealSnapshot.objects.filter(as_of=as_of)
    if team_ids is None:
        rows = rows.filter(scope="company")
    else:
        rows = rows.filter(scope="team", team_id__in=roots)
    return rows.values("deal_id")

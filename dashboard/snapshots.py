"""Dashboard figures read from what the nightly efficiency run wrote (EfficiencySnapshot), so a page
never aggregates a year of deals per request (docs/benchmarks.md, docs/efficiency.md).

The snapshots of business date D ("as of" D, shown on the page) hold, per person, team (with its
sub-teams), role and the company: month-, quarter-, year-to-date and the trailing 90 days ending on
D, closed months and quarters. A dashboard period maps onto them when it is one of those kinds and
D lies in it (`snapshot_span`); otherwise (a custom range, the first day of a month before the
night's run) the page computes live, as before. People are counted in the team they were in on the
day of each deal or cost (the engine's rule), not the team they are in today.

The people table's SQL over these snapshots is dashboard.people_sql; attainment and clubs from
them, dashboard.snapshot_attainment.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone
from psycopg2 import sql

from dashboard.periods import Period
from dashboard.scopes import DashboardScope
from salesops import calendar
from salesops.selectors.efficiency import efficiency_latest_publish
from salesops.selectors.sql import SNAPSHOTS

ZERO = Decimal(0)
# A nightly run for D starts after midnight ending D (beat: 01:30 company time) and takes minutes
# to an hour on a large org: its figures are expected by then plus this many hours.
DEFAULT_STALE_AFTER_HOURS = 30
SNAPSHOTS_ID = sql.Identifier(SNAPSHOTS)


@dataclass(frozen=True)
class AsOf:
    """The business date of the newest snapshots, when they were computed, and whether a newer
    nightly run should have landed by now."""

    day: date
    computed_at: datetime
    stale: bool

    @property
    def expected_by(self) -> datetime:
        return _expected_by(self.day)


def _expected_by(day: date) -> datetime:
    hours = getattr(settings, "DASHBOARD_SNAPSHOT_STALE_HOURS", DEFAULT_STALE_AFTER_HOURS)
    return calendar.company_midnight(day + timedelta(days=1)) + timedelta(hours=hours)


def figures_as_of(*, now: datetime | None = None) -> AsOf | None:
    """The newest published snapshot set (one indexed query); None before the first run.
    Stale: the next night's run (for the day after) should have finished by now."""
    latest = efficiency_latest_publish()
    if latest is None:
        return None
    day, computed_at = latest
    moment = now or timezone.now()
    return AsOf(day=day, computed_at=computed_at, stale=moment > _expected_by(day + timedelta(1)))


@dataclass(frozen=True)
class SnapshotSpan:
    period: str
    start: date
    end: date
    prev_start: date
    prev_end: date


def snapshot_span(period: Period, as_of: date) -> SnapshotSpan | None:
    """The snapshot period standing for `period` as of the night's business date, or None when the
    snapshots cannot answer it (custom ranges; a period that starts after `as_of`)."""
    if period.key == "t90":
        start = as_of - timedelta(days=89)
        return SnapshotSpan("t90", start, as_of, start - timedelta(90), start - timedelta(1))
    kinds = {"mtd": calendar.MONTH, "qtd": calendar.QUARTER, "ytd": calendar.YEAR}
    if period.key not in kinds:
        return None
    fiscal = calendar.period_containing(as_of, kinds[period.key])
    if fiscal.start != period.start:
        return None
    prev_start, prev_end = calendar.same_span_before(fiscal, as_of)
    return SnapshotSpan(period.key, fiscal.start, as_of, prev_start, prev_end)


def _scope_rows(scope: DashboardScope, roots: list[int]) -> dict[str, Any]:
    """Parameters of SCOPE_ROWS_SQL selecting the scope's own rows: the company row, the
    person's row, or the root teams' rows (a team row covers its sub-teams)."""
    if scope.person_id is not None:
        return {"scope_type": "person", "scope_ids": [scope.person_id]}
    if scope.team_ids is None:
        return {"scope_type": "company", "scope_ids": [0]}
    return {"scope_type": "team", "scope_ids": roots}


def _published(params: dict[str, Any]) -> bool:
    with connection.cursor() as cur:
        cur.execute(sql.SQL("SELECT ({})").format(PUBLISHED_SQL), params)
        return bool(cur.fetchone()[0])


@dataclass(frozen=True)
class SnapshotFigures:
    revenue: Decimal
    # None: the night of the previous span's end was not published (no history that far back).
    prev_revenue: Decimal | None
    cost: Decimal
    prev_cost: Decimal | None
    won_deals: int
    q_last_revenue: Decimal
    q_prev_revenue: Decimal
    q_prev_cost: Decimal


def scope_figures(
    *,
    scope: DashboardScope,
    roots: list[int],
    span: SnapshotSpan,
    quarters: tuple[date, date, date],
) -> SnapshotFigures:
    """Revenue, cost and won deals of the scope for the span and its previous span, and the two
    closed quarters of the magic number: one query over the snapshot table's natural key."""
    q_prev, q_last, q_end = quarters
    params = _scope_rows(scope, roots)
    params.update(
        period=span.period,
        ps=span.start,
        pe=span.end,
        pps=span.prev_start,
        ppe=span.prev_end,
        qps=q_prev,
        qpe=q_last - timedelta(days=1),
        qls=q_last,
        qle=q_end,
    )
    with connection.cursor() as cur:
        cur.execute(SCOPE_FIGURES_SQL, params)
        rows = cur.fetchall()
    found = {(ps, pe, p): (rev, cost, won) for ps, pe, p, rev, cost, won, _ in rows}
    # Was the night of the previous span's end published? (Its company row: a scope without a row
    # of its own then simply had nothing in the span.) Asked in the same statement.
    published = rows[0][-1] if rows else _published(params)
    empty = (ZERO, ZERO, 0)
    now = found.get((span.start, span.end, span.period), empty)
    prev = found.get((span.prev_start, span.prev_end, span.period), empty if published else None)
    q_prev_row = found.get((q_prev, q_last - timedelta(days=1), "quarter"), empty)
    q_last_row = found.get((q_last, q_end, "quarter"), empty)
    return SnapshotFigures(
        revenue=now[0] or ZERO,
        prev_revenue=None if prev is None else prev[0] or ZERO,
        cost=now[1] or ZERO,
        prev_cost=None if prev is None else prev[1] or ZERO,
        won_deals=int(now[2] or 0),
        q_last_revenue=q_last_row[0] or ZERO,
        q_prev_revenue=q_prev_row[0] or ZERO,
        q_prev_cost=q_prev_row[1] or ZERO,
    )


PUBLISHED_SQL = sql.SQL(
    """
    SELECT EXISTS (
        SELECT 1 FROM {snapshots} s
        WHERE s.period_end = %(ppe)s AND s.period = %(period)s AND s.period_start = %(pps)s
          AND s.scope_type = 'company' AND s.scope_id = 0 AND s.scope_key = ''
    )
"""
).format(snapshots=SNAPSHOTS_ID)

SCOPE_FIGURES_SQL = sql.SQL(
    """
    SELECT s.period_start, s.period_end, s.period, SUM(s.revenue), SUM(s.cost), SUM(s.won_deals),
        ({published}) AS published
    FROM {snapshots} s
    WHERE s.scope_type = %(scope_type)s AND s.scope_id = ANY(%(scope_ids)s) AND s.scope_key = ''
      AND ((s.period = %(period)s AND s.period_start = %(ps)s AND s.period_end = %(pe)s)
        OR (s.period = %(period)s AND s.period_start = %(pps)s AND s.period_end = %(ppe)s)
        OR (s.period = 'quarter' AND s.period_start = %(qps)s AND s.period_end = %(qpe)s)
        OR (s.period = 'quarter' AND s.period_start = %(qls)s AND s.period_end = %(qle)s))
    GROUP BY 1, 2, 3
"""
).format(snapshots=SNAPSHOTS_ID, published=PUBLISHED_SQL)


# The people table's server-side orders (?sort=…): a whitelist, so no user text reaches the SQL.
PEOPLE_SORTS = {
    "revenue": "revenue DESC, name, id",
    "cost": "cost DESC, name, id",
    "ratio": "ratio DESC NULLS LAST, revenue DESC, name, id",
    "attainment": "revenue DESC, name, id",  # ordered afterwards (compensation's figures)
}
DEFAULT_SORT = "revenue"


MONTHS_SQL = sql.SQL(
    """
    SELECT s.period_start, SUM(s.revenue), SUM(s.cost)
    FROM {snapshots} s
    WHERE s.scope_type = %(scope_type)s AND s.scope_id = ANY(%(scope_ids)s) AND s.scope_key = ''
      AND ((s.period = 'month' AND s.period_end = ANY(%(ends)s) AND s.period_start = ANY(%(starts)s))
        OR (s.period = 'mtd' AND s.period_end = %(day)s AND s.period_start = %(mtd_start)s))
    GROUP BY 1
"""
).format(snapshots=SNAPSHOTS_ID)


def month_figures(
    *,
    scope: DashboardScope,
    roots: list[int],
    closed: list[tuple[date, date]],
    mtd_start: date | None,
    day: date,
) -> dict[date, tuple[Decimal, Decimal]]:
    """(revenue, cost) of the scope keyed by the month's first day: of each closed fiscal month
    (`closed`: its first and last day) and of the month to date `day` starting on `mtd_start`
    (None: none), from the nightly snapshots: one query through the snapshots' scope index. A
    month the scope had nothing in has no row."""
    params = _scope_rows(scope, roots)
    params.update(
        ends=[end for _start, end in closed],
        starts=[start for start, _end in closed],
        day=day,
        mtd_start=mtd_start,
    )
    with connection.cursor() as cur:
        cur.execute(MONTHS_SQL, params)
        return {start: (revenue or ZERO, cost or ZERO) for start, revenue, cost in cur.fetchall()}

"""Dashboard figures read from what the nightly efficiency run wrote (EfficiencySnapshot), so a page
never aggregates a year of deals per request (docs/benchmarks.md, docs/efficiency.md).

The snapshots of business date D ("as of" D, shown on the page) hold, per person, team (with its
sub-teams), role and the company: month-, quarter-, year-to-date and the trailing 90 days ending on
D, closed months and quarters. A dashboard period maps onto them when it is one of those kinds and
D lies in it (`snapshot_span`); otherwise (a custom range, the first day of a month before the
night's run) the page computes live, as before. People are counted in the team they were in on the
day of each deal or cost (the engine's rule), not the team they are in today.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone
from psycopg2 import sql

from compensation.models import Metric
from compensation.selectors.attainment import (
    AttainmentRow,
    club_tier,
    percent,
    quota_by_person,
    quota_sums,
)
from dashboard.models import DealSnapshot, PersonDealSnapshot
from dashboard.periods import Period
from dashboard.scopes import DashboardScope
from salesops import calendar
from salesops.formulas import efficiency_ratio
from salesops.models import OPEN_STAGES, REP_ROLES
from salesops.selectors.efficiency import efficiency_latest_publish
from salesops.selectors.sql import DEALS, PEOPLE, SNAPSHOTS, TEAMS

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

PEOPLE_SNAPSHOT_SQL = """
WITH people AS (
    SELECT p.id, p.name, p.role, p.active, COALESCE(t.name, '') AS team
    FROM {people} p LEFT JOIN {teams} t ON t.id = p.team_id
    WHERE {scope}
), snap AS (
    SELECT s.scope_id, s.revenue, s.cost, s.ratio, s.won_deals
    FROM {snapshots} s
    WHERE s.period_end = %(pe)s AND s.period = %(period)s AND s.period_start = %(ps)s
      AND s.scope_type = 'person' AND s.scope_key = ''
), rows AS (
    SELECT people.*, COALESCE(snap.revenue, 0) AS revenue, COALESCE(snap.cost, 0) AS cost,
        snap.ratio, COALESCE(snap.won_deals, 0) AS won,
        COALESCE(dp.lost, 0) AS lost, COALESCE(dp.open_deals, 0) AS open_n,
        COALESCE(dp.pipeline, 0) AS pipeline
    FROM people LEFT JOIN snap ON snap.scope_id = people.id
    LEFT JOIN {deal_people} dp
        ON dp.as_of = %(pe)s AND dp.period = %(period)s AND dp.person_id = people.id
)
SELECT id, name, role, active, team, revenue, cost, ratio, won, lost, open_n, pipeline,
    EXISTS (SELECT 1 FROM {deal_snapshots} x
        WHERE x.as_of = %(pe)s AND x.period = %(period)s AND x.scope = 'company') AS deals_written,
    COUNT(*) OVER () AS total_people, SUM(revenue) OVER () AS all_revenue,
    SUM(cost) OVER () AS all_cost
FROM rows
WHERE active OR revenue <> 0 OR cost <> 0
ORDER BY {order}
{limit}
"""


def people_snapshot_rows(
    *,
    scope_sql: sql.Composable,
    params: dict[str, Any],
    span: SnapshotSpan,
    sort: str,
    limit: int | None,
    offset: int = 0,
) -> list[tuple[Any, ...]]:
    """(id, name, role, active, team, revenue, cost, ratio, won, lost, open deals, pipeline,
    whether the night's deal rows were written (else the last three are 0), total, Σrevenue,
    Σcost) per person of the scope from the person snapshots of `span` (efficiency's and
    the night's deal figures, dashboard.deal_snapshots), in the whitelisted `sort`, `limit` rows
    from `offset` (a page): one query."""
    order = PEOPLE_SORTS.get(sort, PEOPLE_SORTS[DEFAULT_SORT])
    statement = sql.SQL(PEOPLE_SNAPSHOT_SQL).format(
        scope=scope_sql,
        order=sql.SQL(order),
        limit=sql.SQL("") if limit is None else sql.SQL("LIMIT %(limit)s OFFSET %(offset)s"),
        people=sql.Identifier(PEOPLE),
        teams=sql.Identifier(TEAMS),
        snapshots=SNAPSHOTS_ID,
        deal_people=sql.Identifier(PersonDealSnapshot._meta.db_table),
        deal_snapshots=sql.Identifier(DealSnapshot._meta.db_table),
    )
    query = {
        **params,
        "period": span.period,
        "ps": span.start,
        "pe": span.end,
        "limit": limit,
        "offset": offset,
    }
    with connection.cursor() as cur:
        cur.execute(statement, query)
        return cur.fetchall()


LIVE_COUNTS_SQL = sql.SQL(
    """
SELECT d.owner_id,
    COUNT(*) FILTER (WHERE d.stage = 'lost') AS lost,
    COUNT(*) FILTER (WHERE d.stage = ANY(%(open)s)) AS open_n,
    COALESCE(SUM(d.amount) FILTER (WHERE d.stage = ANY(%(open)s)), 0) AS pipeline
FROM {deals} d
WHERE d.owner_id = ANY(%(ids)s)
  AND (d.stage = ANY(%(open)s)
       OR (d.stage = 'lost' AND d.close_date BETWEEN %(start)s AND %(end)s))
GROUP BY d.owner_id
"""
).format(deals=sql.Identifier(DEALS))


def live_deal_counts(
    *, person_ids: list[int], start: date, end: date
) -> dict[int, tuple[int, int, Decimal]]:
    """(lost in [start, end], open deals, open pipeline) per owner: what changes during the day
    and the snapshots do not hold. One query through the deals' owner index, for the given people
    only (the rows a page shows)."""
    if not person_ids:
        return {}
    params: dict[str, Any] = {
        "ids": person_ids,
        "start": start,
        "end": end,
        "open": [str(s) for s in OPEN_STAGES],
    }
    with connection.cursor() as cur:
        cur.execute(LIVE_COUNTS_SQL, params)
        return {pid: (lost, open_n, pipeline) for pid, lost, open_n, pipeline in cur.fetchall()}


def ratio_of(revenue: Decimal, cost: Decimal) -> Decimal | None:
    return efficiency_ratio(revenue, cost)


PERSON_REVENUE_SQL = sql.SQL(
    """
    SELECT s.scope_id, s.revenue FROM {snapshots} s
    WHERE s.period_end = %(pe)s AND s.period = %(period)s AND s.period_start = %(ps)s
      AND s.scope_type = 'person' AND s.scope_key = '' AND s.scope_id = ANY(%(ids)s)
"""
).format(snapshots=SNAPSHOTS_ID)


def _person_revenue(person_ids: list[int], period: str, start: date, end: date) -> dict[int, Any]:
    """Revenue of each person from their snapshot of one period (one query on the natural key)."""
    if not person_ids:
        return {}
    params: dict[str, Any] = {"pe": end, "period": period, "ps": start, "ids": person_ids}
    with connection.cursor() as cur:
        cur.execute(PERSON_REVENUE_SQL, params)
        return dict(cur.fetchall())


def _expected(quota: Decimal | None, start: date, end: date, day: date) -> Decimal | None:
    """Where a person with `quota` over [start, end] should be by `day` on a linear pace (the rule
    of compensation's attainment_for_people, to the cent)."""
    if quota is None:
        return None
    days = (end - start).days + 1
    elapsed = min(max((day - start).days + 1, 0), days)
    return (quota * elapsed / days).quantize(Decimal("0.01"), ROUND_HALF_UP)


def attainment_from_snapshots(
    *,
    person_ids: list[int],
    period: Period,
    as_of: AsOf | None,
    credited: dict[int, Decimal] | None = None,
) -> dict[int, AttainmentRow] | None:
    """Revenue attainment of each person for the whole month/quarter/year of `period`: quota over
    it (compensation's quotas: one query) against the revenue credited by the night's business
    date (the person snapshots: one query, none when the caller has them: `credited`, e.g. the
    people table's revenue of the same snapshots), pace against where they should be by that
    date.
    None when the snapshots do not hold the period (the caller asks compensation, live)."""
    span = None if as_of is None else snapshot_span(period, as_of.day)
    if span is None or as_of is None:
        return None
    quotas = quota_by_person(person_ids=person_ids, start=period.start, end=period.full_end)
    if credited is None:
        credited = _person_revenue(person_ids, span.period, span.start, span.end)
    rows = {}
    for pid in person_ids:
        quota, achieved = quotas.get(pid), credited.get(pid, ZERO)
        expected = _expected(quota, period.start, period.full_end, as_of.day)
        rows[pid] = AttainmentRow(
            person_id=pid,
            name="",
            team_id=None,
            metric=Metric.REVENUE,
            quota=quota,
            credited=achieved,
            percent=percent(achieved, quota),
            expected_to_date=expected,
            pace_percent=percent(achieved, expected),
            club_tier=club_tier(achieved, quota),
        )
    return rows


def clubs_from_snapshots(
    *, person_ids: list[int], day: date, as_of: AsOf | None
) -> dict[int, str] | None:
    """Club tier of each rep among `person_ids` for the fiscal year containing `day` (annual
    revenue plan against the year-to-date snapshot revenue of the night's business date): two
    small queries instead of every rep's yearly credit. None when the night is in another year."""
    year = calendar.year_containing(day)
    if as_of is None or not year.start <= as_of.day <= year.end:
        return None
    quotas = quota_sums(
        by="person_id",
        person__role__in=sorted(REP_ROLES),
        person_id__in=person_ids,
        period_start__gte=year.start,
        period_start__lte=year.end,
    )
    credited = _person_revenue(list(quotas), "ytd", year.start, as_of.day)
    tiers = {pid: club_tier(credited.get(pid, ZERO), quota) for pid, quota in quotas.items()}
    return {pid: tier for pid, tier in tiers.items() if tier}

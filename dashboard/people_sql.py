"""The people table's SQL (dashboard.people): every person of a scope with the night's person
snapshots (efficiency's and the deal figures of dashboard.deal_snapshots) in one query, and the
live deal counts of the rows a page shows when the night's deal rows are not written yet."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db import connection
from psycopg2 import sql

from dashboard.models import DealSnapshot, PersonDealSnapshot
from dashboard.snapshots import DEFAULT_SORT, PEOPLE_SORTS, SNAPSHOTS_ID, SnapshotSpan
from salesops.models import OPEN_STAGES
from salesops.selectors.sql import DEALS, PEOPLE, TEAMS

# The order, the filter and the totals need only the people and their efficiency snapshot: the
# team's name and the night's deal figures (lost, open deals, pipeline) are joined to the rows of
# the page alone (50 of 5,000 people: the query took 8.7 ms and now 6.0 ms on the large demo).
PEOPLE_SNAPSHOT_SQL = """
WITH snap AS (
    SELECT s.scope_id, s.revenue, s.cost, s.ratio, s.won_deals
    FROM {snapshots} s
    WHERE s.period_end = %(pe)s AND s.period = %(period)s AND s.period_start = %(ps)s
      AND s.scope_type = 'person' AND s.scope_key = ''
), rows AS (
    SELECT p.id, p.name, p.role, p.active, p.team_id,
        COALESCE(snap.revenue, 0) AS revenue, COALESCE(snap.cost, 0) AS cost,
        snap.ratio, COALESCE(snap.won_deals, 0) AS won
    FROM {people} p LEFT JOIN snap ON snap.scope_id = p.id
    WHERE {scope}
), page AS (
    SELECT *, COUNT(*) OVER () AS total_people, SUM(revenue) OVER () AS all_revenue,
        SUM(cost) OVER () AS all_cost
    FROM rows
    WHERE active OR revenue <> 0 OR cost <> 0
    ORDER BY {order}
    {limit}
)
SELECT page.id, page.name, page.role, page.active, COALESCE(t.name, '') AS team,
    page.revenue, page.cost, page.ratio, page.won,
    COALESCE(dp.lost, 0) AS lost, COALESCE(dp.open_deals, 0) AS open_n,
    COALESCE(dp.pipeline, 0) AS pipeline,
    EXISTS (SELECT 1 FROM {deal_snapshots} x
        WHERE x.as_of = %(pe)s AND x.period = %(period)s AND x.scope = 'company') AS deals_written,
    page.total_people, page.all_revenue, page.all_cost
FROM page LEFT JOIN {teams} t ON t.id = page.team_id
LEFT JOIN {deal_people} dp
    ON dp.as_of = %(pe)s AND dp.period = %(period)s AND dp.person_id = page.id
ORDER BY {order}
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

"""The dashboard's people table: one row per person of the scope with revenue, cost, ratio, won and
lost deals, win rate and open pipeline.

Revenue, cost, ratio and won deals come from the nightly snapshots when they hold the period
(dashboard.people_sql: one indexed query), and with them lost deals, open deals and the open
pipeline from the night's person deal rows (dashboard.deal_snapshots); before that night's deal rows
exist, those three from one query over the deals of the rows shown (the owner index). Without
snapshots (a custom range, before the first nightly run) the table is computed live from the deals
and the ledger.
Server-side order (?sort=) from a whitelist: revenue, cost, ratio, attainment.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection
from psycopg2 import sql

from dashboard.figures import ZERO, win_rate
from dashboard.people_sql import live_deal_counts, people_snapshot_rows
from dashboard.periods import Period
from dashboard.scopes import DashboardScope
from dashboard.snapshots import DEFAULT_SORT, PEOPLE_SORTS, AsOf, snapshot_span
from salesops.formulas import efficiency_ratio
from salesops.models import OPEN_STAGES, Role
from salesops.selectors.credit import CREDIT_SQL, credit_sql_where
from salesops.selectors.sql import COSTS, DEALS, PEOPLE, SPLITS, TEAMS


@dataclass(frozen=True)
class PersonRow:
    person_id: int
    name: str
    role: str
    team: str
    active: bool
    revenue: Decimal
    cost: Decimal
    ratio: Decimal | None
    won: int
    lost: int
    win_rate: Decimal | None
    open_pipeline: Decimal
    open_deals: int
    extra: dict[str, object] = field(default_factory=dict)
    # The role's value ("account_executive"); `role` is its label.
    role_code: str = ""


@dataclass(frozen=True)
class PeopleTable:
    # The first `limit` people by revenue (all of them when there is no limit).
    rows: list[PersonRow]
    # Totals over every person of the scope, not only the rows shown.
    total_people: int = 0
    revenue: Decimal = ZERO
    people_cost: Decimal = ZERO
    # The scope's whole ledger cost (the tiles' figure), when known: the difference to the people's
    # cost is what is booked to teams rather than people.
    scope_cost: Decimal | None = None
    # The rows are a page of the table starting at this position (0: the first).
    offset: int = 0

    @property
    def truncated(self) -> bool:
        return self.total_people > len(self.rows)

    @property
    def first(self) -> int:
        """1-based position of the first row shown (0 when none)."""
        return self.offset + 1 if self.rows else 0

    @property
    def last(self) -> int:
        return self.offset + len(self.rows)

    @property
    def team_cost(self) -> Decimal:
        return ZERO if self.scope_cost is None else self.scope_cost - self.people_cost

    @property
    def cost(self) -> Decimal:
        return self.people_cost if self.scope_cost is None else self.scope_cost


PEOPLE_SQL = """
WITH people AS (
    SELECT p.id, p.name, p.role, p.active, COALESCE(t.name, '') AS team
    FROM {people_table} p LEFT JOIN {teams} t ON t.id = p.team_id
    WHERE {scope}
), credit AS (
    SELECT s.person_id, SUM({credit}) AS total
    FROM {deals} d JOIN {splits} s ON s.deal_id = d.id
    WHERE {credit_where} AND d.close_date BETWEEN %(start)s AND %(end)s
      AND s.person_id IN (SELECT id FROM people)
    GROUP BY s.person_id
), cost AS (
    SELECT c.person_id, SUM(c.amount) AS total
    FROM {costs} c
    WHERE c.date BETWEEN %(start)s AND %(end)s AND c.person_id IN (SELECT id FROM people)
    GROUP BY c.person_id
), deals AS (
    SELECT d.owner_id,
        COUNT(*) FILTER (WHERE d.stage = 'won' AND d.close_date BETWEEN %(start)s AND %(end)s) AS won,
        COUNT(*) FILTER (WHERE d.stage = 'lost' AND d.close_date BETWEEN %(start)s AND %(end)s)
            AS lost,
        COUNT(*) FILTER (WHERE d.stage = ANY(%(open)s)) AS open_n,
        COALESCE(SUM(d.amount) FILTER (WHERE d.stage = ANY(%(open)s)), 0) AS pipeline
    FROM {deals} d
    WHERE d.owner_id IN (SELECT id FROM people)
      AND (d.stage = ANY(%(open)s) OR d.close_date BETWEEN %(start)s AND %(end)s)
    GROUP BY d.owner_id
), rows AS (
    SELECT people.*, COALESCE(credit.total, 0) AS revenue, COALESCE(cost.total, 0) AS cost,
        COALESCE(deals.won, 0) AS won, COALESCE(deals.lost, 0) AS lost,
        COALESCE(deals.open_n, 0) AS open_n, COALESCE(deals.pipeline, 0) AS pipeline
    FROM people
    LEFT JOIN credit ON credit.person_id = people.id
    LEFT JOIN cost ON cost.person_id = people.id
    LEFT JOIN deals ON deals.owner_id = people.id
)
SELECT id, name, role, active, team, revenue, cost, won, lost, open_n, pipeline,
    COUNT(*) OVER () AS total_people, SUM(revenue) OVER () AS all_revenue,
    SUM(cost) OVER () AS all_cost
FROM rows
WHERE active OR revenue <> 0 OR cost <> 0
ORDER BY {order}
{limit}
"""
# The statement's fixed pieces: the core's tables (salesops.selectors.sql) and credit rule.
TABLES = {
    "people_table": sql.Identifier(PEOPLE),
    "teams": sql.Identifier(TEAMS),
    "deals": sql.Identifier(DEALS),
    "splits": sql.Identifier(SPLITS),
    "costs": sql.Identifier(COSTS),
}
LIMIT_SQL = sql.SQL("LIMIT %(limit)s OFFSET %(offset)s")


def _scope_sql(scope: DashboardScope) -> tuple[sql.SQL, dict[str, Any]]:
    if scope.person_id is not None:
        return sql.SQL("p.id = %(person)s"), {"person": scope.person_id}
    if scope.team_ids is not None:
        return sql.SQL("p.team_id = ANY(%(team_ids)s)"), {"team_ids": sorted(scope.team_ids)}
    return sql.SQL("TRUE"), {}


def _live_rows(
    *, scope: DashboardScope, period: Period, sort: str, limit: int | None, offset: int = 0
) -> list[tuple[Any, ...]]:
    """The table from the deals and the ledger: one query (each figure a GROUP BY over its table
    joined to the people; revenue by the shared credit rule)."""
    where, params = _scope_sql(scope)
    params.update(start=period.start, end=period.end, open=[str(s) for s in OPEN_STAGES])
    order = PEOPLE_SORTS.get(sort, PEOPLE_SORTS[DEFAULT_SORT])
    order = order.replace(
        "ratio DESC NULLS LAST",
        "CASE WHEN cost = 0 THEN NULL ELSE revenue / cost END DESC NULLS LAST",
    )
    statement = sql.SQL(PEOPLE_SQL).format(
        scope=where,
        credit=sql.SQL(CREDIT_SQL),
        credit_where=sql.SQL(credit_sql_where()),
        order=sql.SQL(order),
        limit=sql.SQL("") if limit is None else LIMIT_SQL,
        **TABLES,
    )
    params.update(limit=limit, offset=offset)
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        found = cursor.fetchall()
    # (id, name, role, active, team, revenue, cost, won, lost, open_n, pipeline, totals…)
    return [
        (*r[:7], efficiency_ratio(r[5], r[6]), r[7], (r[8], r[9], r[10]), *r[11:]) for r in found
    ]


def _snapshot_rows(
    *,
    scope: DashboardScope,
    period: Period,
    as_of: AsOf,
    sort: str,
    limit: int | None,
    offset: int = 0,
) -> list[tuple[Any, ...]] | None:
    span = snapshot_span(period, as_of.day)
    if span is None:
        return None
    where, params = _scope_sql(scope)
    found = people_snapshot_rows(
        scope_sql=where, params=params, span=span, sort=sort, limit=limit, offset=offset
    )
    if not found or found[0][12]:
        # Lost deals, open deals and pipeline from the night's person deal rows too.
        return [(*r[:9], (r[9], r[10], r[11]), *r[13:]) for r in found]
    counts = live_deal_counts(person_ids=[r[0] for r in found], start=period.start, end=period.end)
    return [(*r[:9], counts.get(r[0], (0, 0, ZERO)), *r[13:]) for r in found]


def people_rows(
    *,
    scope: DashboardScope,
    period: Period,
    as_of: AsOf | None,
    sort: str,
    limit: int | None = None,
    offset: int = 0,
) -> list[tuple[Any, ...]]:
    """The table's rows as tuples (id, name, role, active, team, revenue, cost, ratio, won,
    (lost, open deals, open pipeline), total people, Σrevenue, Σcost): from the snapshots of
    `as_of` when they hold the period, else live. What people.csv streams, row by row."""
    found = None
    if as_of is not None:
        found = _snapshot_rows(
            scope=scope, period=period, as_of=as_of, sort=sort, limit=limit, offset=offset
        )
    if found is None:
        found = _live_rows(scope=scope, period=period, sort=sort, limit=limit, offset=offset)
    return found


def dashboard_people(
    *,
    scope: DashboardScope,
    period: Period,
    scope_cost: Decimal | None = None,
    limit: int | None = None,
    as_of: AsOf | None = None,
    sort: str = DEFAULT_SORT,
    offset: int = 0,
) -> PeopleTable:
    """One row per person of the scope (active, or with revenue or cost in the period), in the
    whitelisted `sort` order (revenue by default), `limit` of them from `offset` (a page), with
    totals over everyone. From the snapshots of `as_of` when they hold the period (two queries),
    else live (one query)."""
    found = people_rows(
        scope=scope, period=period, as_of=as_of, sort=sort, limit=limit, offset=offset
    )
    roles = dict(Role.choices)
    rows = [
        PersonRow(
            person_id=pid,
            name=name,
            role=roles.get(role, role),
            role_code=role,
            team=team,
            active=active,
            revenue=revenue,
            cost=cost,
            ratio=ratio,
            won=won,
            lost=lost,
            win_rate=win_rate(won, lost),
            open_pipeline=pipeline,
            open_deals=open_n,
        )
        for pid, name, role, active, team, revenue, cost, ratio, won, (
            lost,
            open_n,
            pipeline,
        ), *_ in found
    ]
    if not found:
        return PeopleTable(rows=[], scope_cost=scope_cost, offset=offset)
    total_people, all_revenue, all_cost = found[0][-3:]
    return PeopleTable(
        rows=rows,
        offset=offset,
        total_people=total_people,
        revenue=all_revenue,
        people_cost=all_cost,
        scope_cost=scope_cost,
    )

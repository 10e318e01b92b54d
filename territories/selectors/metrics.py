"""Per-territory figures and the balance between sibling territories.

Figures of a territory cover its whole subtree and the model's *current* assignment (so a planning
model can be compared with the active one): potential (Σ of the potential field of its accounts),
account count, open pipeline (Σ amount of open deals), won revenue in the fiscal year to date
(credited value, salesops.selectors.credit), people covering it today, and quota once compensation
provides it. All aggregated in SQL: a fixed number of queries whatever the size of the model.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db import connection
from django.db.models import Q
from psycopg2 import sql

from compensation.selectors import quota_totals_for_territories
from salesops import calendar
from salesops.models import OPEN_STAGES
from salesops.selectors.scope import AnyUser
from salesops.selectors.sql import DEAL_AMOUNTS_IN_STAGES, account_values, credit_rows
from territories.conf import potential_field, quota_potential_k
from territories.models import Territory, TerritoryBalanceSnapshot, TerritoryModel
from territories.selectors.access import territory_q
from territories.spread import Spread, spread

ZERO = Decimal(0)


@dataclass
class TerritoryMetrics:
    territory: Territory
    accounts: int = 0
    potential: Decimal = ZERO
    pipeline: Decimal = ZERO
    won_ytd: Decimal = ZERO
    people: int = 0
    quota: Decimal | None = None
    overloaded: bool = False  # quota > k × potential


@dataclass
class SiblingGroup:
    parent: Territory | None
    members: list[TerritoryMetrics]
    spread: Spread


@dataclass
class Balance:
    model: TerritoryModel
    year: calendar.FiscalYear  # the fiscal year of the quotas and of "won to date"
    k: Decimal
    rows: list[TerritoryMetrics] = field(default_factory=list)
    groups: list[SiblingGroup] = field(default_factory=list)

    @property
    def fiscal_year(self) -> int:
        """The fiscal year's number (FY2026 → 2026), as the API and pages show it."""
        return self.year.fy

    @property
    def flagged(self) -> list[TerritoryMetrics]:
        return [row for row in self.rows if row.overloaded]


# The model's current assignment `h` of each account, with the account's potential, its open
# pipeline and its credited won revenue in [start, end] (per-account figures the core exports:
# salesops.selectors.sql), rolled up each territory's subtree. `assigned` is inlined into each
# use (NOT MATERIALIZED) and the core's fragments hold no GROUP BY, so the planner joins as it did
# when this query spelled the core's tables: measured equal on 50,000 accounts and 1,000,000 deals
# (about 3 s either way under load; materialised, or aggregated per account first, it took 4 s).
_METRICS_SQL = sql.SQL(
    """
    WITH assigned AS NOT MATERIALIZED (
        SELECT h.territory_id AS tid, h.account_id
        FROM territories_accountterritory h
        WHERE h.model_id = %s AND h.valid_to IS NULL AND h.territory_id IS NOT NULL
    ),
    own AS (
        SELECT x.tid, COUNT(*) AS accounts, COALESCE(SUM(a.value), 0) AS potential
        FROM assigned x JOIN ({potential}) a ON a.account_id = x.account_id
        GROUP BY x.tid
    ),
    pipe AS (
        SELECT x.tid, SUM(p.value) AS pipeline
        FROM assigned x JOIN ({pipeline}) p ON p.account_id = x.account_id
        GROUP BY x.tid
    ),
    won AS (
        SELECT x.tid, SUM(w.value) AS won
        FROM assigned x JOIN ({won}) w ON w.account_id = x.account_id
        GROUP BY x.tid
    ),
    node AS (
        SELECT t.id, t.path, COALESCE(own.accounts, 0) AS accounts,
               COALESCE(own.potential, 0) AS potential,
               COALESCE(pipe.pipeline, 0) AS pipeline, COALESCE(won.won, 0) AS won
        FROM territories_territory t
        LEFT JOIN own ON own.tid = t.id
        LEFT JOIN pipe ON pipe.tid = t.id
        LEFT JOIN won ON won.tid = t.id
        WHERE t.model_id = %s
    )
    SELECT t.id, SUM(n.accounts), SUM(n.potential), SUM(n.pipeline), SUM(n.won)
    FROM territories_territory t JOIN node n ON n.path LIKE t.path || '%%'
    WHERE t.model_id = %s
    GROUP BY t.id
    """
)

_PEOPLE_SQL = """
    SELECT c.territory_id, COUNT(DISTINCT c.person_id)
    FROM territories_territoryassignment c JOIN territories_territory t ON t.id = c.territory_id
    WHERE t.model_id = %s AND c.effective_from <= %s
      AND (c.effective_to IS NULL OR c.effective_to >= %s)
    GROUP BY c.territory_id
"""


def _metrics_sql() -> sql.Composed:
    """_METRICS_SQL under the current settings (potential field, credit of unconfirmed deals);
    parameters: model, open stages, start, end, model, model."""
    return _METRICS_SQL.format(
        potential=account_values(potential_field()),
        pipeline=DEAL_AMOUNTS_IN_STAGES,
        won=credit_rows(),
    )


def _dec(value: object) -> Decimal:
    return Decimal(str(value)) if value is not None else ZERO


# (accounts, potential, open pipeline, won revenue) of one territory's subtree.
Figures = tuple[int, Decimal, Decimal, Decimal]


def metrics_figures(*, model: TerritoryModel, start: date, end: date) -> dict[int, Figures]:
    """(accounts, potential, open pipeline, won revenue in [start, end]) per territory of `model`
    (its whole subtree, the model's current assignment): one aggregate statement over accounts and
    deals. Unscoped: callers filter the territories the user may see."""
    with connection.cursor() as cursor:
        cursor.execute(
            _metrics_sql(),
            [model.pk, [str(s) for s in OPEN_STAGES], start, end, model.pk, model.pk],
        )
        return {
            tid: (int(accounts or 0), _dec(potential), _dec(pipeline), _dec(won))
            for tid, accounts, potential, pipeline, won in cursor.fetchall()
        }


def _snapshot_figures(model: TerritoryModel, as_of: date) -> dict[int, Figures] | None:
    """The nightly balance snapshot of `model` as of `as_of`; None when there is none."""
    rows = TerritoryBalanceSnapshot.objects.filter(model=model, as_of=as_of).values_list(
        "territory_id", "accounts", "potential", "pipeline", "won_ytd"
    )
    found = {tid: (a, p, pipe, won) for tid, a, p, pipe, won in rows}
    return found or None


def territory_metrics(
    *,
    user: AnyUser,
    model: TerritoryModel,
    today: date | None = None,
    as_of: date | None = None,
    visible: Q | None = None,
) -> Balance:
    """Figures for every territory of `model` the user may see, in tree (path) order.

    With `as_of` (the nightly snapshots' business date) and a balance snapshot of that date, the
    figures are read from it (won revenue to `as_of`); otherwise computed live (to `today`).
    People and quotas are always live. `visible`: the user's territory_q when the caller already
    holds it (else looked up: a query for anyone but sales ops)."""
    today = today or calendar.company_today()
    year = calendar.year_containing(today)
    k = quota_potential_k()
    balance = Balance(model=model, year=year, k=k)
    territories = list(
        Territory.objects.filter(
            territory_q(user) if visible is None else visible, model=model
        ).select_related("parent")
    )
    if not territories:
        return balance
    figures = None
    if as_of is not None and calendar.year_containing(as_of) == year:
        figures = _snapshot_figures(model, as_of)
    if figures is None:
        figures = metrics_figures(model=model, start=year.start, end=today)
    with connection.cursor() as cursor:
        cursor.execute(_PEOPLE_SQL, [model.pk, today, today])
        people = dict(cursor.fetchall())
    quotas = quota_totals_for_territories(territory_ids=[t.pk for t in territories], year=year)
    for territory in territories:
        accounts, potential, pipeline, won = figures.get(territory.pk, (0, 0, 0, 0))
        row = TerritoryMetrics(
            territory=territory,
            accounts=int(accounts or 0),
            potential=_dec(potential),
            pipeline=_dec(pipeline),
            won_ytd=_dec(won),
            people=int(people.get(territory.pk, 0)),
            quota=quotas.get(territory.pk),
        )
        row.overloaded = row.quota is not None and row.quota > k * row.potential
        balance.rows.append(row)
    balance.rows = tree_order(balance.rows)
    by_parent: dict[int | None, list[TerritoryMetrics]] = defaultdict(list)
    for row in balance.rows:
        by_parent[row.territory.parent_id].append(row)
    shown = {row.territory.pk: row.territory for row in balance.rows}
    for parent_id, members in by_parent.items():
        if len(members) < 2:
            continue
        balance.groups.append(
            SiblingGroup(
                parent=shown.get(parent_id) if parent_id else None,
                members=members,
                spread=spread([m.potential for m in members]),
            )
        )
    return balance


def tree_order(rows: list[TerritoryMetrics]) -> list[TerritoryMetrics]:
    """Depth-first order, siblings by name (the path holds ids; names come from the rows)."""
    names = {row.territory.pk: row.territory.name.lower() for row in rows}

    def key(row: TerritoryMetrics) -> tuple[tuple[str, int], ...]:
        ids = [int(part) for part in row.territory.path.strip("/").split("/") if part]
        return tuple((names.get(i, ""), i) for i in ids)

    return sorted(rows, key=key)

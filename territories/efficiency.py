"""The territory scope of the nightly efficiency snapshots.

`daily_rows_sql(start=, end=)` returns SQL rows (scope_id, day, revenue, cost, won_deals) per
territory and day, each territory covering its whole subtree:
- revenue: credited won value (salesops.selectors.credit.CREDIT_SQL) of deals whose account was
  in the territory on the close date, by the live assignment history (the model active then);
- cost: person-booked ledger entries of the territory's owners on the entry date. A person who
  owns n territories of the live model that day books amount / n to each (shares are exact
  decimals, rounded by the consumer); team-booked entries belong to no territory.
"""

from __future__ import annotations

from datetime import date

from django.db import connection
from psycopg2 import sql

from salesops.selectors.credit import CREDIT, CREDIT_WHERE, credit_where
from salesops.selectors.sql import COSTS_TABLE, DEALS_TABLE, SPLITS_TABLE
from territories.selectors.history import live_history_join

T = "territories_territory"
# (territory, ancestor-or-self) pairs of the same model: a territory's figures roll up its subtree.
CLOSURE_CTE = sql.SQL(
    """
    closure AS (
        SELECT t.id AS territory_id, anc.id AS ancestor
        FROM territories_territory t JOIN territories_territory anc
          ON anc.model_id = t.model_id AND t.path LIKE anc.path || '%%'
    )
    """
)

# The core's tables and credit rule, and the closure, as the territory credit SQL composes them.
CREDIT_FRAGMENTS = {
    "closure": CLOSURE_CTE,
    "credit": CREDIT,
    "credit_where": CREDIT_WHERE,
    "deals": DEALS_TABLE,
    "splits": SPLITS_TABLE,
}

# Credit is summed per deal first (one row per won deal), so the history and roll-up joins see each
# deal once and a territory's won deals are a plain count: an account has one live territory per
# model on a date, and a deal reaches each ancestor through one path.
_DAILY_ROWS_SQL = sql.SQL(
    """
    WITH {closure},
    deal_credit AS ({deal_credit}),
    leaf_revenue AS (
        SELECT h.territory_id, dc.day, SUM(dc.revenue) AS revenue, COUNT(*) AS won_deals
        FROM deal_credit dc
        {history}
        GROUP BY h.territory_id, dc.day
    ),
    revenue AS (
        SELECT c.ancestor AS scope_id, lr.day, SUM(lr.revenue) AS revenue,
               0 AS cost, SUM(lr.won_deals) AS won_deals
        FROM leaf_revenue lr JOIN closure c ON c.territory_id = lr.territory_id
        GROUP BY c.ancestor, lr.day
    ),
    owned AS (
        SELECT c.id AS cost_id, c.date AS day, c.amount, ta.territory_id
        FROM {costs} c
        JOIN territories_territoryassignment ta ON ta.person_id = c.person_id
         AND ta.role = 'owner' AND ta.effective_from <= c.date
         AND (ta.effective_to IS NULL OR ta.effective_to >= c.date)
        JOIN territories_territory ot ON ot.id = ta.territory_id
        JOIN territories_territorymodel m ON m.id = ot.model_id AND m.state <> 'planning'
         AND m.activated_on <= c.date AND (m.archived_on IS NULL OR m.archived_on > c.date)
        WHERE c.person_id IS NOT NULL AND c.date >= %s AND c.date <= %s
    ),
    shares AS (
        -- numeric / bigint stays numeric (16+ significant digits); the consumer rounds.
        SELECT day, territory_id, amount / COUNT(*) OVER (PARTITION BY cost_id) AS share
        FROM owned
    ),
    cost AS (
        SELECT c.ancestor AS scope_id, sh.day, 0 AS revenue, SUM(sh.share) AS cost,
               0 AS won_deals
        FROM shares sh JOIN closure c ON c.territory_id = sh.territory_id
        GROUP BY c.ancestor, sh.day
    )
    SELECT scope_id, day, SUM(revenue) AS revenue, SUM(cost) AS cost,
           CAST(SUM(won_deals) AS INTEGER) AS won_deals
    FROM (SELECT * FROM revenue UNION ALL SELECT * FROM cost) x
    GROUP BY scope_id, day
    ORDER BY scope_id, day
    """
)
# One row per won deal with splits (id, account_id, day, revenue) of [start, end] (the first two
# parameters): from the deals and splits, or from the table of them a full efficiency run filled.
_OWN_DEAL_CREDIT = sql.SQL("""
        SELECT d.id, d.account_id, d.close_date AS day, SUM({credit}) AS revenue
        FROM {deals} d JOIN {splits} s ON s.deal_id = d.id
        WHERE {credit_where} AND d.close_date >= %s AND d.close_date <= %s
        GROUP BY d.id, d.account_id, d.close_date
""")
_WON_DEALS_CREDIT = sql.SQL(
    "SELECT id, account_id, day, revenue FROM {won_deals} WHERE day >= %s AND day <= %s"
)


def _daily_rows(deal_credit: sql.Composable) -> sql.Composed:
    return _DAILY_ROWS_SQL.format(
        closure=CLOSURE_CTE,
        deal_credit=deal_credit,
        costs=COSTS_TABLE,
        history=live_history_join(account=sql.SQL("dc.account_id"), on=sql.SQL("dc.day")),
    )


def daily_rows_sql(*, start: date, end: date) -> tuple[str, list[object]]:
    """The provider protocol (salesops.efficiency_scopes) takes SQL text: the composition above,
    rendered by the driver (identifiers quoted); the dates are parameters. Deals credit by the
    rule in force (credit_where: COMP_REP_DEALS_PAY_BEFORE_CONFIRMATION), as the engine's."""
    deal_credit = _OWN_DEAL_CREDIT.format(
        credit=CREDIT, credit_where=credit_where(), deals=DEALS_TABLE, splits=SPLITS_TABLE
    )
    connection.ensure_connection()
    return _daily_rows(deal_credit).as_string(connection.connection), [start, end, start, end]


def daily_rows_from_won_deals_sql(
    *, won_deals: str, start: date, end: date
) -> tuple[str, list[object]]:
    """The same rows from the won deals a full efficiency run read for its built-in scopes (the
    table `won_deals`, salesops.efficiency_scopes), so a full run joins and groups the deals and
    splits once."""
    deal_credit = _WON_DEALS_CREDIT.format(won_deals=sql.Identifier(won_deals))
    connection.ensure_connection()
    return _daily_rows(deal_credit).as_string(connection.connection), [start, end, start, end]


# Every table the territory scope reads besides deals, splits and costs (whose changes the engine
# tracks itself): models (state, live dates), the tree (paths), owner assignments and the
# account assignment history. Migration 0003 puts the version-bumping triggers on exactly these.
FINGERPRINT_TABLES = (
    "territories_territorymodel",
    T,
    "territories_territoryassignment",
    "territories_accountterritory",
)


def inputs_fingerprint_sql() -> tuple[str, list[object]]:
    """One row that changes whenever a row of FINGERPRINT_TABLES is added, changed or removed: the
    version their triggers bump (models.EfficiencyInputsVersion, migration 0003). Without that
    row (a flush), 'none' until the next change brings it back with a value no bump had before."""
    return (
        "SELECT COALESCE((SELECT version::text FROM territories_efficiencyinputsversion "
        "WHERE id = 1), 'none')",
        [],
    )

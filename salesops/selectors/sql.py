"""The core's SQL vocabulary, for the set-based SQL other apps compose over the core's data (the
territories' assignment-history joins, the dashboard's people table).

Those apps name the core's tables through these constants and take its rules as fragments
(`salesops.selectors.credit`: CREDIT, credit_where()), never by spelling `salesops_*` themselves,
so what the core's tables are called and how a deal is credited stay defined here
(tests/test_sql_ownership.py checks that no app spells another app's tables in its SQL).

SQL is composed with psycopg2.sql (docs/architecture.md, "Raw SQL"): the `*_TABLE` constants are
`sql.Identifier`s to put into `sql.SQL("… FROM {deals} d …").format(deals=DEALS_TABLE)`; values
are always driver parameters (%s), never composed in. The plain names (ACCOUNTS, DEALS, …) stay
for code that needs the name itself (ANALYZE lists, COPY, the benchmarks).
"""

from __future__ import annotations

from psycopg2 import sql

from salesops.models import (
    Account,
    Deal,
    DealSplit,
    EfficiencySnapshot,
    Person,
    Product,
    SalesCost,
    Team,
)
from salesops.selectors.credit import CREDIT, credit_where

ACCOUNTS = Account._meta.db_table
DEALS = Deal._meta.db_table
SPLITS = DealSplit._meta.db_table
COSTS = SalesCost._meta.db_table
PEOPLE = Person._meta.db_table
PRODUCTS = Product._meta.db_table
TEAMS = Team._meta.db_table
SNAPSHOTS = EfficiencySnapshot._meta.db_table

ACCOUNTS_TABLE = sql.Identifier(ACCOUNTS)
DEALS_TABLE = sql.Identifier(DEALS)
SPLITS_TABLE = sql.Identifier(SPLITS)
COSTS_TABLE = sql.Identifier(COSTS)
PEOPLE_TABLE = sql.Identifier(PEOPLE)
TEAMS_TABLE = sql.Identifier(TEAMS)
SNAPSHOTS_TABLE = sql.Identifier(SNAPSHOTS)


# Per-account figures, for apps that roll accounts up their own way (territories' balance): each
# a subquery of (account_id, value) rows to join on account_id and sum, with its parameters in
# order. No GROUP BY inside: PostgreSQL pulls such a subquery up into the caller's join, so the plan
# is the one a hand-written join would get (aggregating per account first was ~25 % slower on
# 1,000,000 deals: territories.selectors.metrics).


def account_values(column: str) -> sql.Composed:
    """(account_id, value) of every account: the configured account field `column`."""
    return sql.SQL("SELECT a.id AS account_id, a.{column} AS value FROM {accounts} a").format(
        column=account_column(column), accounts=ACCOUNTS_TABLE
    )


# (account_id, value): the amount of each deal in the stages of one parameter (a list).
DEAL_AMOUNTS_IN_STAGES = sql.SQL(
    "SELECT d.account_id, d.amount AS value FROM {deals} d WHERE d.stage = ANY(%s)"
).format(deals=DEALS_TABLE)


def credit_rows() -> sql.Composed:
    """(account_id, value): the credit (salesops.selectors.credit, under the current setting for
    unconfirmed deals) of each split of a won deal closed in [%s, %s] (two parameters)."""
    return sql.SQL(
        """
        SELECT d.account_id, {credit} AS value
        FROM {deals} d JOIN {splits} s ON s.deal_id = d.id
        WHERE {credit_where} AND d.close_date >= %s AND d.close_date <= %s
        """
    ).format(credit=CREDIT, credit_where=credit_where(), deals=DEALS_TABLE, splits=SPLITS_TABLE)


def account_column(name: str) -> sql.Identifier:
    """A column of the accounts table by a field name that is configured (territories' potential
    field): refused unless it is a concrete field of Account, then quoted as an identifier."""
    field = Account._meta.get_field(name)
    column = getattr(field, "column", None)
    if not column:
        raise ValueError(f"{name!r} is not a column of {ACCOUNTS}")
    return sql.Identifier(column)

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


def account_column(name: str) -> sql.Identifier:
    """A column of the accounts table by a field name that is configured (territories' potential
    field): refused unless it is a concrete field of Account, then quoted as an identifier."""
    field = Account._meta.get_field(name)
    column = getattr(field, "column", None)
    if not column:
        raise ValueError(f"{name!r} is not a column of {ACCOUNTS}")
    return sql.Identifier(column)

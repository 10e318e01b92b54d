"""Territory of an account on a date, and so of a deal at its close date.

History rows count only while their model was live (active then, archived since); planning models'
rows are what-ifs. A deal's territory is one join on the history row open at its close date.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db import connection
from psycopg2 import sql

from salesops.selectors.sql import ACCOUNTS_TABLE, DEALS_TABLE

_LIVE_HISTORY_JOIN = sql.SQL(
    """
    JOIN territories_accountterritory h ON h.account_id = {account}
     AND h.valid_from <= {on} AND (h.valid_to IS NULL OR h.valid_to > {on})
     AND h.territory_id IS NOT NULL
    JOIN territories_territorymodel hm ON hm.id = h.model_id AND hm.state <> 'planning'
    """
)


def live_history_join(*, account: sql.Composable, on: sql.Composable) -> sql.Composed:
    """For hand-written SQL: join `h`, the live history row valid on `on` for the account `account`
    (column references such as sql.SQL("d.account_id"), or sql.Placeholder() for a parameter, which
    then appears twice: pass the date twice)."""
    return _LIVE_HISTORY_JOIN.format(account=account, on=on)


def deal_territories(*, deal_ids: Iterable[int]) -> dict[int, int]:
    """deal id → territory id (its account's territory at the close date); others are absent."""
    ids = sorted(set(deal_ids))
    if not ids:
        return {}
    query = sql.SQL(
        "SELECT d.id, h.territory_id FROM {deals} d {join} WHERE d.id = ANY(%s)"
    ).format(
        deals=DEALS_TABLE,
        join=live_history_join(account=sql.SQL("d.account_id"), on=sql.SQL("d.close_date")),
    )
    with connection.cursor() as cursor:
        cursor.execute(query, [ids])
        return dict(cursor.fetchall())


def account_territory_on(*, account_id: int, on: date) -> int | None:
    """The live territory of an account on a date (None: unassigned or no model was live)."""
    query = sql.SQL("SELECT h.territory_id FROM {accounts} a {join} WHERE a.id = %s").format(
        accounts=ACCOUNTS_TABLE,
        join=live_history_join(account=sql.SQL("a.id"), on=sql.Placeholder()),
    )
    with connection.cursor() as cursor:
        cursor.execute(query, [on, on, account_id])
        row = cursor.fetchone()
    return row[0] if row else None

"""Territory of an account on a date, and so of a deal at its close date.

History rows count only while their model was live (active then, archived since); planning models'
rows are what-ifs. A deal's territory is one join on the history row open at its close date.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db import connection

from salesops.selectors.sql import ACCOUNTS, DEALS

H = "territories_accountterritory"

# For hand-written SQL: join `h` (the history row valid on `{on}` for account `{account}`).
LIVE_HISTORY_JOIN = f"""
    JOIN {H} h ON h.account_id = {{account}}
     AND h.valid_from <= {{on}} AND (h.valid_to IS NULL OR h.valid_to > {{on}})
     AND h.territory_id IS NOT NULL
    JOIN territories_territorymodel hm ON hm.id = h.model_id AND hm.state <> 'planning'
"""


def deal_territories(*, deal_ids: Iterable[int]) -> dict[int, int]:
    """deal id → territory id (its account's territory at the close date); others are absent."""
    ids = sorted(set(deal_ids))
    if not ids:
        return {}
    placeholders = ", ".join(["%s"] * len(ids))
    join = LIVE_HISTORY_JOIN.format(account="d.account_id", on="d.close_date")
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT d.id, h.territory_id FROM {DEALS} d {join} WHERE d.id IN ({placeholders})",
            ids,
        )
        return dict(cursor.fetchall())


def account_territory_on(*, account_id: int, on: date) -> int | None:
    """The live territory of an account on a date (None: unassigned or no model was live)."""
    join = LIVE_HISTORY_JOIN.format(account="a.id", on="%s")
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT h.territory_id FROM {ACCOUNTS} a {join} WHERE a.id = %s",
            [on, on, account_id],
        )
        row = cursor.fetchone()
    return row[0] if row else None

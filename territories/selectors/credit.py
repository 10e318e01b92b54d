"""Credited won revenue per territory, for territory attainment.

`credited_revenue_by_territory(territory_ids, start, end) -> {territory_id: Decimal}`
(territories.selectors.attainment): Σ credit (salesops.selectors.credit.CREDIT_SQL, the one credit rule)
of won deals closed in [start, end] whose account was, on the close date, in the territory or any
territory below it, by the live assignment history (territories.selectors.history: the model
active then; planning models' what-ifs never count). Territories of a planning model therefore get
nothing. One SQL statement; territories without credited revenue are absent (read as 0).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from django.db import connection

from salesops.selectors.credit import CREDIT_SQL, CREDIT_SQL_WHERE
from salesops.selectors.sql import DEALS, SPLITS
from territories.efficiency import CLOSURE_CTE
from territories.selectors.history import LIVE_HISTORY_JOIN


def credited_revenue_by_territory(
    territory_ids: Iterable[int], start: date, end: date
) -> dict[int, Decimal]:
    ids = sorted(set(territory_ids))
    if not ids:
        return {}
    history = LIVE_HISTORY_JOIN.format(account="d.account_id", on="d.close_date")
    placeholders = ", ".join(["%s"] * len(ids))
    sql = f"""
        WITH {CLOSURE_CTE}
        SELECT c.ancestor, SUM({CREDIT_SQL})
        FROM {DEALS} d JOIN {SPLITS} s ON s.deal_id = d.id
        {history}
        JOIN closure c ON c.territory_id = h.territory_id
        WHERE {CREDIT_SQL_WHERE} AND d.close_date >= %s AND d.close_date <= %s
          AND c.ancestor IN ({placeholders})
        GROUP BY c.ancestor
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [start, end, *ids])
        return {tid: Decimal(total) for tid, total in cursor.fetchall()}

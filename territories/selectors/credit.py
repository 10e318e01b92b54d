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
from psycopg2 import sql

from territories.efficiency import CREDIT_FRAGMENTS
from territories.selectors.history import live_history_join

_CREDIT_BY_TERRITORY_SQL = sql.SQL(
    """
    WITH {closure}
    SELECT c.ancestor, SUM({credit})
    FROM {deals} d JOIN {splits} s ON s.deal_id = d.id
    {history}
    JOIN closure c ON c.territory_id = h.territory_id
    WHERE {credit_where} AND d.close_date >= %s AND d.close_date <= %s
      AND c.ancestor = ANY(%s)
    GROUP BY c.ancestor
    """
).format(
    **CREDIT_FRAGMENTS,
    history=live_history_join(account=sql.SQL("d.account_id"), on=sql.SQL("d.close_date")),
)


def credited_revenue_by_territory(
    territory_ids: Iterable[int], start: date, end: date
) -> dict[int, Decimal]:
    ids = sorted(set(territory_ids))
    if not ids:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(_CREDIT_BY_TERRITORY_SQL, [start, end, ids])
        return {tid: Decimal(total) for tid, total in cursor.fetchall()}

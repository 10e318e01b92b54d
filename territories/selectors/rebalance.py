"""A rebalancing proposal for the children of one territory (or the roots) of a model.

Reads the model's current assignment in SQL, then runs the pure greedy of territories.rebalance.
Accounts a fixed rule assigns and manually pinned accounts never move; with `keep_countries_whole`
a unit is all of a sibling's accounts in one country, and a country that holds any unmovable
account stays where it is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection
from psycopg2 import sql

from salesops.selectors.sql import ACCOUNTS_TABLE, account_column
from territories.conf import potential_field, rebalance_max_moves
from territories.models import Territory, TerritoryModel
from territories.rebalance import Move, Unit, greedy_moves
from territories.spread import Spread, spread


@dataclass
class Proposal:
    model: TerritoryModel
    parent: Territory | None
    siblings: list[Territory]
    before: dict[int, Decimal]
    after: dict[int, Decimal]
    spread_before: Spread
    spread_after: Spread
    moves: list[Move] = field(default_factory=list)

    @property
    def accounts_moved(self) -> int:
        return sum(len(m.unit.account_ids) for m in self.moves)


_MOVABLE = sql.SQL(
    "NOT ((h.source = 'rule' AND r.fixed) OR (h.source = 'pin' AND p.source = 'manual'))"
)
_ROOTS = sql.SQL("s.parent_id IS NULL")
_CHILDREN = sql.SQL("s.parent_id = %s")
# The current assignment of the subtree of each sibling `s` (one row per account `a`).
_SUBTREES = sql.SQL(
    """
    FROM territories_territory s
    JOIN territories_territory d ON d.model_id = s.model_id AND d.path LIKE s.path || '%%'
    JOIN territories_accountterritory h ON h.territory_id = d.id AND h.valid_to IS NULL
    JOIN {accounts} a ON a.id = h.account_id
    """
).format(accounts=ACCOUNTS_TABLE)
_UNITS_BY_COUNTRY_SQL = sql.SQL(
    """
    SELECT s.id, a.country, COALESCE(SUM(a.{pot}), 0), COUNT(*),
           SUM(CASE WHEN {movable} THEN 0 ELSE 1 END)
    {subtrees}
    LEFT JOIN territories_assignmentrule r ON r.id = h.rule_id
    LEFT JOIN territories_pin p ON p.model_id = h.model_id AND p.account_id = h.account_id
    WHERE s.model_id = %s AND {parent}
    GROUP BY s.id, a.country
    """
)
_UNITS_BY_ACCOUNT_SQL = sql.SQL(
    """
    SELECT s.id, CAST(a.id AS TEXT), COALESCE(a.{pot}, 0), 1,
           CASE WHEN {movable} THEN 0 ELSE 1 END
    {subtrees}
    LEFT JOIN territories_assignmentrule r ON r.id = h.rule_id
    LEFT JOIN territories_pin p ON p.model_id = h.model_id AND p.account_id = h.account_id
    WHERE s.model_id = %s AND {parent}
    """
)
_ACCOUNT_IDS_SQL = sql.SQL(
    "SELECT s.id, a.country, a.id {subtrees} WHERE s.model_id = %s AND {parent}"
)


def _units_sql(*, by_country: bool, roots: bool) -> sql.Composed:
    query = _UNITS_BY_COUNTRY_SQL if by_country else _UNITS_BY_ACCOUNT_SQL
    return query.format(
        pot=account_column(potential_field()),
        movable=_MOVABLE,
        subtrees=_SUBTREES,
        parent=_ROOTS if roots else _CHILDREN,
    )


def _account_ids_sql(*, roots: bool) -> sql.Composed:
    return _ACCOUNT_IDS_SQL.format(subtrees=_SUBTREES, parent=_ROOTS if roots else _CHILDREN)


def rebalance_propose(
    *,
    model: TerritoryModel,
    parent: Territory | None = None,
    max_moves: int | None = None,
    keep_countries_whole: bool = False,
) -> Proposal:
    """Moves between the children of `parent` (roots when None) that reduce the potential spread."""
    if parent is not None and parent.model_id != model.pk:
        raise ValidationError({"parent": "The territory belongs to another model."})
    cap = rebalance_max_moves() if max_moves is None else max_moves
    if cap < 0:
        raise ValidationError({"max_moves": "The cap cannot be negative."})
    siblings = list(Territory.objects.filter(model=model, parent=parent).order_by("name"))
    params: list[int] = [model.pk] if parent is None else [model.pk, parent.pk]
    with connection.cursor() as cursor:
        cursor.execute(_units_sql(by_country=keep_countries_whole, roots=parent is None), params)
        rows = cursor.fetchall()
        members: dict[tuple[int, str], list[int]] = {}
        if keep_countries_whole:
            cursor.execute(_account_ids_sql(roots=parent is None), params)
            for sibling_id, country, account_id in cursor.fetchall():
                members.setdefault((sibling_id, country), []).append(account_id)
    totals = {s.pk: Decimal(0) for s in siblings}
    units: list[Unit] = []
    for sibling_id, key, value, _, blocked in rows:
        value = Decimal(str(value))
        totals[sibling_id] += value
        if blocked:
            continue
        if keep_countries_whole:
            ids = tuple(sorted(members[(sibling_id, key)]))
            units.append(
                Unit(
                    key=f"{sibling_id}:{key}", territory_id=sibling_id, value=value, account_ids=ids
                )
            )
        else:
            units.append(
                Unit(
                    key=key.zfill(20), territory_id=sibling_id, value=value, account_ids=(int(key),)
                )
            )
    moves, after = greedy_moves(totals, units, max_moves=cap)
    return Proposal(
        model=model,
        parent=parent,
        siblings=siblings,
        before=totals,
        after=after,
        spread_before=spread(list(totals.values())),
        spread_after=spread(list(after.values())),
        moves=moves,
    )

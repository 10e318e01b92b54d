"""What activating a planning model would change, against the active model. Writes nothing.

A move is an account whose territory in the plan is not of the same lineage as its territory in
the active model; accounts unassigned in both are not moves. A territory's lineage is the original
at the end of its `copied_from` chain: a plan copied from an archived model and the live model
copied from that same archived model share their originals, so a copy is compared with the LIVE
model's assignments whatever model it was copied from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db import connection, transaction
from psycopg2 import sql

from salesops import calendar
from salesops.exceptions import ApplicationError
from salesops.models import Person
from salesops.selectors.sql import ACCOUNTS_TABLE
from territories import engine
from territories.models import ModelState, Territory, TerritoryModel


@dataclass(frozen=True)
class PreviewMove:
    account_id: int
    account_name: str
    from_territory: str | None
    to_territory: str | None


@dataclass(frozen=True)
class PreviewTerritory:
    territory_id: int | None
    name: str
    accounts_in: int
    accounts_out: int


@dataclass(frozen=True)
class PreviewOwner:
    person_id: int
    name: str
    gained: int
    lost: int


@dataclass
class Preview:
    model_id: int
    active_model_id: int | None
    moves: int = 0
    territories: list[PreviewTerritory] = field(default_factory=list)
    owners: list[PreviewOwner] = field(default_factory=list)
    sample: list[PreviewMove] = field(default_factory=list)
    move_pairs: dict[int, int | None] = field(default_factory=dict)


# Owners today of the territories accounts move into (g) and out of (l).
_OWNERS_SQL = """
    SELECT person_id, SUM(g), SUM(l) FROM (
        SELECT c.person_id, COUNT(*) AS g, 0 AS l
        FROM tt_move m JOIN territories_territoryassignment c
          ON c.territory_id = m.new_tid AND c.role = 'owner'
         AND c.effective_from <= %s AND (c.effective_to IS NULL OR c.effective_to >= %s)
        GROUP BY c.person_id
        UNION ALL
        SELECT c.person_id, 0 AS g, COUNT(*) AS l
        FROM tt_move m JOIN territories_territoryassignment c
          ON c.territory_id = m.old_tid AND c.role = 'owner'
         AND c.effective_from <= %s AND (c.effective_to IS NULL OR c.effective_to >= %s)
        GROUP BY c.person_id
    ) x GROUP BY person_id
"""
_SAMPLE_SQL = sql.SQL(
    """
    SELECT m.account_id, a.name, ot.name, nt.name FROM tt_move m
    JOIN {accounts} a ON a.id = m.account_id
    LEFT JOIN territories_territory ot ON ot.id = m.old_tid
    LEFT JOIN territories_territory nt ON nt.id = m.new_tid
    ORDER BY a.name LIMIT %s
    """
).format(accounts=ACCOUNTS_TABLE)


def _stage_lineage(cursor: engine.CursorWrapper, *, model_ids: list[int]) -> None:
    """`tt_origin(territory_id, model_id, origin_id)` for the territories of `model_ids`."""
    cursor.execute("DROP TABLE IF EXISTS tt_origin")
    cursor.execute(
        """
        CREATE TEMP TABLE tt_origin AS
        WITH RECURSIVE chain(territory_id, model_id, cur_id, up_id) AS (
            SELECT id, model_id, id, copied_from_id FROM territories_territory
            WHERE model_id = ANY(%s)
            UNION ALL
            SELECT c.territory_id, c.model_id, t.id, t.copied_from_id
            FROM chain c JOIN territories_territory t ON t.id = c.up_id
        )
        SELECT territory_id, model_id, cur_id AS origin_id FROM chain WHERE up_id IS NULL
        """,
        [model_ids],
    )
    cursor.execute("CREATE INDEX ON tt_origin (territory_id)")
    cursor.execute("CREATE INDEX ON tt_origin (origin_id)")


def territory_model_preview(
    *,
    model: TerritoryModel,
    sample_size: int = 100,
    with_pairs: bool = False,
    on: date | None = None,
) -> Preview:
    """Moves, per-territory in/out, affected owners and a sample of moves (by account name)."""
    if model.state != ModelState.PLANNING:
        raise ApplicationError("Only a planning model has a preview.")
    today = on or calendar.company_today()
    active = TerritoryModel.objects.filter(state=ModelState.ACTIVE).first()
    preview = Preview(model_id=model.pk, active_model_id=active.pk if active else None)
    with transaction.atomic(), connection.cursor() as cursor:
        engine.compute_winners(cursor, model_id=model.pk)
        _stage_lineage(cursor, model_ids=[model.pk, active.pk if active else 0])
        cursor.execute("DROP TABLE IF EXISTS tt_move")
        cursor.execute(
            """
            CREATE TEMP TABLE tt_move AS
            SELECT w.account_id, old.territory_id AS old_tid, w.territory_id AS new_tid
            FROM tt_winner w
            LEFT JOIN tt_origin n ON n.territory_id = w.territory_id
            LEFT JOIN territories_accountterritory old
                   ON old.model_id = %s AND old.account_id = w.account_id AND old.valid_to IS NULL
            LEFT JOIN tt_origin o ON o.territory_id = old.territory_id
            WHERE n.origin_id IS DISTINCT FROM o.origin_id
            """,
            [active.pk if active else 0],
        )
        preview.moves = engine.fetch(cursor, "SELECT COUNT(*) FROM tt_move")[0][0]
        per_territory = engine.fetch(
            cursor,
            """
            SELECT territory_id, SUM(n_in), SUM(n_out) FROM (
                SELECT new_tid AS territory_id, COUNT(*) AS n_in, 0 AS n_out
                FROM tt_move GROUP BY new_tid
                UNION ALL
                SELECT po.territory_id, 0, COUNT(*) FROM tt_move m
                JOIN tt_origin oo ON oo.territory_id = m.old_tid
                LEFT JOIN tt_origin po ON po.origin_id = oo.origin_id AND po.model_id = %s
                WHERE m.old_tid IS NOT NULL GROUP BY po.territory_id
            ) x GROUP BY territory_id
            """,
            [model.pk],
        )
        owners = engine.fetch(cursor, _OWNERS_SQL, [today, today, today, today])
        cursor.execute(_SAMPLE_SQL, [sample_size])
        sample = cursor.fetchall()
        if with_pairs:
            preview.move_pairs = dict(
                engine.fetch(cursor, "SELECT account_id, new_tid FROM tt_move")
            )
        cursor.execute("DROP TABLE IF EXISTS tt_move")
        cursor.execute("DROP TABLE IF EXISTS tt_origin")
        engine.drop_temp(cursor)
    names = dict(
        Territory.objects.filter(pk__in=[t for t, _, _ in per_territory if t]).values_list(
            "pk", "name"
        )
    )
    preview.territories = sorted(
        (
            PreviewTerritory(
                t,
                names.get(t, "Unassigned / excluded") if t else "Unassigned / excluded",
                int(i),
                int(o),
            )
            for t, i, o in per_territory
        ),
        key=lambda row: (row.territory_id is None, row.name),
    )
    people = dict(Person.objects.filter(pk__in=[p for p, _, _ in owners]).values_list("pk", "name"))
    preview.owners = sorted(
        (PreviewOwner(p, people.get(p, "?"), int(g), int(lo)) for p, g, lo in owners),
        key=lambda row: row.name,
    )
    preview.sample = [PreviewMove(*row) for row in sample]
    return preview

"""What the next assignment run of a model would change, and the same with one rule edited:
the live preview of the rule editor. Writes nothing (a rule edit is tried in a savepoint that is
always rolled back).

Unlike `preview.territory_model_preview` (a plan against the live model), this compares a model
with its own current assignments: exactly what approving a run would apply.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from psycopg2 import sql

from salesops.exceptions import ApplicationError
from salesops.selectors.sql import ACCOUNTS_TABLE
from territories import engine
from territories.models import AssignmentRule, Territory, TerritoryModel
from territories.services.rules import rule_create, rule_update

# The accounts a run would move: winners against the model's own open history rows.
_RUNMOVE_SQL = """
    CREATE TEMP TABLE tt_runmove AS
    SELECT w.account_id, h.territory_id AS old_tid, w.territory_id AS new_tid
    FROM tt_winner w
    LEFT JOIN territories_accountterritory h ON h.model_id = %s AND h.account_id = w.account_id
                                            AND h.valid_to IS NULL
    WHERE h.territory_id IS DISTINCT FROM w.territory_id
"""
_PER_TERRITORY_SQL = """
    SELECT x.tid, t.name, SUM(x.n_in), SUM(x.n_out) FROM (
        SELECT new_tid AS tid, COUNT(*) AS n_in, 0 AS n_out FROM tt_runmove
        GROUP BY new_tid
        UNION ALL
        SELECT old_tid, 0, COUNT(*) FROM tt_runmove GROUP BY old_tid
    ) x LEFT JOIN territories_territory t ON t.id = x.tid
    GROUP BY x.tid, t.name ORDER BY t.name NULLS LAST
"""
_SAMPLE_SQL = sql.SQL(
    """
    SELECT m.account_id, a.name, ot.name, nt.name FROM tt_runmove m
    JOIN {accounts} a ON a.id = m.account_id
    LEFT JOIN territories_territory ot ON ot.id = m.old_tid
    LEFT JOIN territories_territory nt ON nt.id = m.new_tid
    ORDER BY a.name, m.account_id LIMIT %s
    """
).format(accounts=ACCOUNTS_TABLE)


@dataclass(frozen=True)
class RunMove:
    account_id: int
    account_name: str
    from_territory: str | None
    to_territory: str | None


@dataclass(frozen=True)
class RunTerritory:
    territory_id: int | None
    name: str
    accounts_in: int
    accounts_out: int


@dataclass
class RunPreview:
    model_id: int
    moves: int = 0
    territories: list[RunTerritory] = field(default_factory=list)
    sample: list[RunMove] = field(default_factory=list)
    errors: dict[str, list[str]] = field(default_factory=dict)


class _Rollback(Exception):
    """Raised to undo the tried rule edit once the preview is computed."""


def _compute(model: TerritoryModel, sample_size: int) -> RunPreview:
    preview = RunPreview(model_id=model.pk)
    with connection.cursor() as cursor:
        engine.compute_winners(cursor, model_id=model.pk)
        cursor.execute("DROP TABLE IF EXISTS tt_runmove")
        cursor.execute(_RUNMOVE_SQL, [model.pk])
        preview.moves = engine.fetch(cursor, "SELECT COUNT(*) FROM tt_runmove")[0][0]
        per_territory = engine.fetch(cursor, _PER_TERRITORY_SQL)
        cursor.execute(_SAMPLE_SQL, [sample_size])
        sample = cursor.fetchall()
        cursor.execute("DROP TABLE IF EXISTS tt_runmove")
        engine.drop_temp(cursor)
    preview.territories = [
        RunTerritory(tid, name or "Unassigned / excluded", int(n_in), int(n_out))
        for tid, name, n_in, n_out in per_territory
    ]
    preview.sample = [RunMove(*row) for row in sample]
    return preview


def assignment_run_preview(*, model: TerritoryModel, sample_size: int = 20) -> RunPreview:
    """What a run of `model` would change now: moves, in/out per territory, sample accounts."""
    with transaction.atomic():
        return _compute(model, sample_size)


def rule_edit_preview(
    *,
    model: TerritoryModel,
    territory: Territory,
    data: dict[str, Any],
    rule: AssignmentRule | None = None,
    sample_size: int = 20,
) -> RunPreview:
    """The run preview with `rule` changed to `data` (or a new rule of `territory`), not saved.

    A refused edit (a bound below its lower bound, an archived model) comes back in `errors`.
    """
    result = RunPreview(model_id=model.pk)
    try:
        with transaction.atomic():
            if rule is not None:
                rule_update(rule=rule, territory=territory, **data)
            else:
                rule_create(territory=territory, **data)
            result = _compute(model, sample_size)
            raise _Rollback
    except _Rollback:
        pass
    except ValidationError as exc:
        result.errors = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
    except ApplicationError as exc:
        result.errors = {"": [exc.message]}
    return result

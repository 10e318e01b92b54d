"""Running the assignment engine and keeping the assignment history.

`territory_assignments_run` is idempotent: it diffs the engine's winners against the open history
rows and only closes/inserts rows that changed, so a re-run writes nothing. Runs of one model are
serialised by a row lock on the model. History rows are half-open [valid_from, valid_to); a row
replaced on the day it started is deleted rather than left empty.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import DatabaseError, connection, transaction
from psycopg2 import sql

from salesops import calendar
from salesops.services.jobs import job_claim, job_fail, job_succeed
from territories import engine
from territories.models import ModelState, TerritoryModel
from territories.services.common import ensure_editable, lock_model

logger = logging.getLogger(__name__)
H = engine.HISTORY_TABLE
# From this many moved accounts a run refreshes the planner's statistics of the assignment
# history and the territories: a planning copy's first run writes every account's row, and the
# copy's balance page, opened right after, was planned as if none existed (19 s instead of 1 s on
# the large demo). Autovacuum would catch up a minute later, and not at all where it is off.
ANALYZE_AFTER_CHANGES = 1000


@dataclass
class TerritoryChange:
    territory_id: int | None
    accounts_in: int = 0
    accounts_out: int = 0


@dataclass
class AssignmentRunResult:
    model_id: int
    dry_run: bool
    accounts: int = 0
    by_rule: int = 0
    pinned: int = 0
    excluded: int = 0
    unassigned: int = 0
    changed: int = 0
    territories: list[TerritoryChange] = field(default_factory=list)
    # With record_undo: what the run changed in the history (see _capture_undo).
    undo: dict[str, Any] = field(default_factory=dict)


# The steps a run reports to its `progress` callback (winners, diff, write, relabel).
RUN_STEPS = 4


def _summarise(cursor: engine.CursorWrapper, result: AssignmentRunResult, model_id: int) -> None:
    for source, n in engine.fetch(cursor, "SELECT source, COUNT(*) FROM tt_winner GROUP BY source"):
        result.accounts += n
        setattr(
            result,
            {"rule": "by_rule", "pin": "pinned", "excluded": "excluded"}.get(source, "unassigned"),
            n,
        )
    cursor.execute(
        sql.SQL(
            """
        CREATE TEMP TABLE tt_change AS
        SELECT w.account_id, h.id AS hist_id, h.valid_from, h.territory_id AS old_territory_id,
               w.territory_id AS new_territory_id
        FROM tt_winner w
        LEFT JOIN {h} h ON h.model_id = %s AND h.account_id = w.account_id AND h.valid_to IS NULL
        WHERE h.id IS NULL OR h.source <> w.source
           OR h.territory_id IS DISTINCT FROM w.territory_id
        """
        ).format(h=H),
        [model_id],
    )
    rows = engine.fetch(
        cursor,
        """
        SELECT territory_id, SUM(n_in), SUM(n_out) FROM (
            SELECT new_territory_id AS territory_id, COUNT(*) AS n_in, 0 AS n_out
            FROM tt_change GROUP BY new_territory_id
            UNION ALL
            SELECT old_territory_id, 0, COUNT(*) FROM tt_change
            WHERE hist_id IS NOT NULL GROUP BY old_territory_id
        ) x GROUP BY territory_id ORDER BY territory_id
        """,
    )
    result.territories = [TerritoryChange(t, int(i), int(o)) for t, i, o in rows]
    result.changed = engine.fetch(cursor, "SELECT COUNT(*) FROM tt_change")[0][0]


def _write(cursor: engine.CursorWrapper, *, model_id: int, today: date) -> None:
    cursor.execute(
        sql.SQL(
            "DELETE FROM {h} WHERE id IN "
            "(SELECT hist_id FROM tt_change WHERE hist_id IS NOT NULL AND valid_from >= %s)"
        ).format(h=H),
        [today],
    )
    cursor.execute(
        sql.SQL(
            "UPDATE {h} SET valid_to = %s WHERE id IN "
            "(SELECT hist_id FROM tt_change WHERE hist_id IS NOT NULL AND valid_from < %s)"
        ).format(h=H),
        [today, today],
    )
    cursor.execute(
        sql.SQL(
            """
        INSERT INTO {h} (model_id, account_id, territory_id, rule_id, source, valid_from)
        SELECT %s, w.account_id, w.territory_id, w.rule_id, w.source, %s
        FROM tt_winner w JOIN tt_change c ON c.account_id = w.account_id
        """
        ).format(h=H),
        [model_id, today],
    )


def _analyze(cursor: engine.CursorWrapper) -> None:
    """Statistics that include this transaction's rows (ANALYZE samples them as live)."""
    cursor.execute(sql.SQL("ANALYZE {h}").format(h=H))
    cursor.execute("ANALYZE territories_territory")


def territory_assignments_run(
    *,
    model: TerritoryModel,
    dry_run: bool = False,
    account_ids: Sequence[int] | None = None,
    on: date | None = None,
    record_undo: bool = False,
    progress: Callable[[int], None] | None = None,
) -> AssignmentRunResult:
    """Assign every account (or only `account_ids`) of the database to a territory of `model`.

    Deterministic: highest priority wins, then the deepest territory, then the lowest territory
    id (then rule id). Pins and exclusions win over rules; accounts nothing matches are recorded
    as 'unassigned'. With dry_run the result says what would change and nothing is written.
    `record_undo` fills `result.undo` for a rollback; `progress(step)` hears each of RUN_STEPS.
    """
    today = on or calendar.company_today()
    step = progress or (lambda done: None)
    with transaction.atomic():
        locked = lock_model(model.pk)
        if not dry_run:
            ensure_editable(locked)
        result = AssignmentRunResult(model_id=model.pk, dry_run=dry_run)
        with connection.cursor() as cursor:
            engine.compute_winners(cursor, model_id=model.pk, account_ids=account_ids)
            step(1)
            _summarise(cursor, result, model.pk)
            step(2)
            if not dry_run:
                if record_undo:
                    result.undo = _capture_undo(cursor, model_id=model.pk, today=today)
                if result.changed:
                    _write(cursor, model_id=model.pk, today=today)
                if result.changed >= ANALYZE_AFTER_CHANGES:
                    _analyze(cursor)
                if record_undo:
                    result.undo["inserted"] = _inserted_ids(cursor, model_id=model.pk, today=today)
                step(3)
                if result.changed < result.accounts:  # else every open row was just written
                    _relabel(cursor, model_id=model.pk)
            step(4)
            engine.drop_temp(cursor)
    return result


def _capture_undo(cursor: engine.CursorWrapper, *, model_id: int, today: date) -> dict[str, Any]:
    """What `_write` and `_relabel` are about to change, so a rollback can restore it exactly."""
    closed = engine.fetch(
        cursor,
        "SELECT hist_id FROM tt_change WHERE hist_id IS NOT NULL AND valid_from < %s",
        [today],
    )
    deleted = engine.fetch(
        cursor,
        sql.SQL(
            """
        SELECT h.account_id, h.territory_id, h.rule_id, h.source, h.valid_from FROM {h} h
        JOIN tt_change c ON c.hist_id = h.id WHERE h.valid_from >= %s
        """
        ).format(h=H),
        [today],
    )
    relabelled = engine.fetch(
        cursor,
        sql.SQL(
            """
        SELECT h.id, h.rule_id FROM {h} h JOIN tt_winner w ON w.account_id = h.account_id
        WHERE h.model_id = %s AND h.valid_to IS NULL AND h.rule_id IS DISTINCT FROM w.rule_id
          AND NOT EXISTS (SELECT 1 FROM tt_change c WHERE c.hist_id = h.id)
        """
        ).format(h=H),
        [model_id],
    )
    return {
        "on": today.isoformat(),
        "closed": [row[0] for row in closed],
        "deleted": [[a, t, r, s, v.isoformat()] for a, t, r, s, v in deleted],
        "relabelled": [[pk, rule] for pk, rule in relabelled],
    }


def _inserted_ids(cursor: engine.CursorWrapper, *, model_id: int, today: date) -> list[int]:
    rows = engine.fetch(
        cursor,
        sql.SQL(
            """
        SELECT h.id FROM {h} h JOIN tt_change c ON c.account_id = h.account_id
        WHERE h.model_id = %s AND h.valid_to IS NULL AND h.valid_from = %s
        """
        ).format(h=H),
        [model_id, today],
    )
    return [row[0] for row in rows]


def _relabel(cursor: engine.CursorWrapper, *, model_id: int) -> None:
    """Same territory through another rule is not a move: keep the row, update its rule."""
    cursor.execute(
        sql.SQL(
            """
        UPDATE {h} h SET rule_id = w.rule_id FROM tt_winner w
        WHERE h.model_id = %s AND h.valid_to IS NULL AND h.account_id = w.account_id
          AND h.rule_id IS DISTINCT FROM w.rule_id
        """
        ).format(h=H),
        [model_id],
    )


def on_accounts_changed(account_ids: list[int]) -> None:
    """Hook listener (salesops.hooks): re-assign edited accounts in the active model.

    Called after the account edit committed. A failure is logged, not raised: the edit stands and
    the nightly run is the backstop.
    """
    model = TerritoryModel.objects.filter(state=ModelState.ACTIVE).first()
    if model is None:
        return
    try:
        territory_assignments_run(model=model, account_ids=account_ids)
    except DatabaseError:
        logger.exception("territory re-assignment of %d accounts failed", len(account_ids))


def territory_assignments_nightly(*, business_date: date) -> AssignmentRunResult | None:
    """The nightly backstop: a full run of the active model, claimed once per business date."""
    model = TerritoryModel.objects.filter(state=ModelState.ACTIVE).first()
    if model is None:
        return None
    run = job_claim(job="territories.assignments", business_date=business_date)
    if run is None:
        return None
    try:
        result = territory_assignments_run(model=model)
    except DatabaseError as exc:
        job_fail(run=run, error=str(exc))
        raise
    job_succeed(run=run, rows=result.changed)
    return result

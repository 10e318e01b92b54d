"""Territory assignment engine vs its floor.

The floor (issue 22) is the best known single statement: ONE `INSERT … SELECT` that ranks the
model's rules once (priority, depth, territory, rule → an integer), expands each rule to the
(country, region, sector) keys of the accounts it can match, so the list criteria are one equality
join on the accounts' own columns, takes each account's best-ranked match with MIN(rank) (a hash
aggregate), applies pins and exclusions and writes the same history rows into the same history
table (its indexes, constraints, foreign keys and trigger) as the engine. It runs with the
engine's session settings (JIT off, the same work_mem) and hash joins only, the plan it is
fastest with. Its rows are checked equal to the engine's before any figure is kept.

Two cases, each a full first run (every account assigned, history rows written):
1. "seeded": the bench database's accounts (topped up with synthetic ones if the seed is smaller
   than the scale asks) with a generated model of 1,000 rules.
2. "synthetic 1M": 1,000,000 accounts the bench creates in its own schema `bench_territories`
   (copies of the tables; the engine runs there through `search_path`), with 200 rules.
Engine, floor and the earlier floor take turns (median). For information: the earlier floor (the
matches of every rule sorted with DISTINCT ON over five columns, written into a temporary copy of
the history table: no WAL, no foreign keys), and a steady-state re-run (nothing changes).

The floors' SQL is in territories_floors.py, the generated model and accounts in
territories_data.py; this module times and checks them.
"""

from __future__ import annotations

import os
import random
import time

from django.db import connection, transaction
from psycopg2 import sql

from benchmarks.harness import BenchContext, Result, execute
from benchmarks.territories_data import (
    SCHEMA,
    add_accounts,
    build_model,
    schema_setup,
    search_path,
)
from benchmarks.territories_floors import FLOOR_SETTINGS, FLOOR_SQL, OLD_FLOOR_SQL
from salesops import calendar
from territories import engine as assignment_engine
from territories.models import AssignmentRule, TerritoryModel
from territories.services import territory_assignments_run

OPEN_ROWS = (
    "SELECT account_id, territory_id, rule_id, source FROM territories_accountterritory "
    "WHERE model_id = %s AND valid_to IS NULL"
)
DIFFERENCES = sql.SQL(
    "SELECT COUNT(*) FROM ("
    "(SELECT account_id, territory_id, rule_id, source FROM {left} "
    " EXCEPT SELECT account_id, territory_id, rule_id, source FROM {right}) UNION ALL "
    "(SELECT account_id, territory_id, rule_id, source FROM {right} "
    " EXCEPT SELECT account_id, territory_id, rule_id, source FROM {left})) d"
)


def _differences(left: str, right: str) -> int:
    """Rows (account, territory, rule, source) in one table and not in the other, both ways."""
    query = DIFFERENCES.format(left=sql.Identifier(left), right=sql.Identifier(right))
    return int(execute(query)[0][0])


def _time_case(
    ctx: BenchContext, *, label: str, model: TerritoryModel, repeat: int
) -> list[Result]:
    """Engine first run vs the floor INSERT (and the earlier floor, for information); each run
    starts from an empty history of the model."""
    execute("DROP TABLE IF EXISTS tb_floor, tb_engine, tb_new_floor")
    execute("CREATE TEMP TABLE tb_floor (LIKE territories_accountterritory INCLUDING ALL)")
    params = {
        "model": model.pk,
        "today": calendar.company_today(),
        "work_mem": assignment_engine.WORK_MEM,
    }

    def reset() -> None:
        execute("DELETE FROM territories_accountterritory WHERE model_id = %s", [model.pk])
        execute("TRUNCATE tb_floor")
        if not connection.in_atomic_block:
            execute("VACUUM ANALYZE territories_accountterritory")

    def floor_run() -> None:
        with transaction.atomic():
            execute(FLOOR_SETTINGS, params)
            execute(FLOOR_SQL, params)

    def old_floor_run() -> None:
        with transaction.atomic():
            execute(OLD_FLOOR_SQL, params)

    def engine_run() -> None:
        with transaction.atomic():
            territory_assignments_run(model=model)

    # In turns (floor, engine, earlier floor, …), each from an empty history; the median.
    floor, engine, old_floor = ctx.median_in_turns(
        (floor_run, reset),
        (engine_run, reset),
        (old_floor_run, reset),
        repeat=repeat,
    )
    # Untimed: the engine's rows, then the floor's and the earlier floor's, compared.
    reset()
    engine_run()
    execute("CREATE TEMP TABLE tb_engine AS " + OPEN_ROWS, [model.pk])
    reset()
    floor_run()
    execute("CREATE TEMP TABLE tb_new_floor AS " + OPEN_ROWS, [model.pk])
    old_floor_run()
    diff = _differences("tb_engine", "tb_new_floor")
    old_diff = _differences("tb_engine", "tb_floor")
    if diff or old_diff:
        raise AssertionError(
            f"{label}: the engine and the floor disagree on {diff} rows, "
            f"the engine and the earlier floor on {old_diff}"
        )
    rows, assigned = execute(
        "SELECT COUNT(*), COUNT(territory_id) FROM tb_engine",
    )[0]
    rules = AssignmentRule.objects.filter(territory__model=model).count()
    reset()
    engine_run()
    start = time.perf_counter()
    rerun = territory_assignments_run(model=model)
    steady = time.perf_counter() - start
    ctx.log(
        f"{label}: {rows} accounts ({assigned} assigned), {rules} rules; equal to both floors; "
        f"engine {engine:.3f} s, floor {floor:.3f} s, earlier floor {old_floor:.3f} s"
    )
    details = {"accounts": rows, "assigned": assigned, "rules": rules, "repeat": repeat}
    return [
        Result(
            name=f"territories: assignment run, {label}",
            value=engine,
            floor=floor,
            target=1.5,
            note="full first run (history written) vs one INSERT … SELECT of each account's "
            "best-ranked rule (MIN(rank) over an equality join on country, region and sector) "
            "into the same history table",
            details=details,
        ),
        Result(
            name=f"territories: assignment run vs the earlier floor, {label}",
            value=engine,
            floor=old_floor,
            kind="info",
            note="the earlier floor: every match sorted with DISTINCT ON over five columns, "
            "written into a temporary copy of the history table (no WAL, no foreign keys)",
            details=details,
        ),
        Result(
            name=f"territories: re-run with no change, {label}",
            value=steady,
            floor=floor,
            kind="info",
            note=f"idempotent re-run ({rerun.changed} changed); floor as above",
            details=details,
        ),
    ]


def run(ctx: BenchContext) -> list[Result]:
    rng = random.Random(7)
    large = ctx.scale == "large"
    want = int(os.environ.get("BENCH_TERRITORIES_SEEDED", 50_000 if large else 5_000))
    synthetic = int(os.environ.get("BENCH_TERRITORIES_SYNTHETIC", 1_000_000 if large else 50_000))
    results: list[Result] = []
    # JIT compiles the earlier floor's one big statement (its cost estimate is high) for ~2 s of a
    # ~3 s run: off for the session (the engine and the floor switch it off in their transactions).
    execute("SET jit = off")

    have = execute("SELECT COUNT(*), COALESCE(MAX(id), 0) FROM salesops_account")[0]
    if have[0] < want:
        ctx.log(f"seeded data has {have[0]} accounts; adding {want - have[0]} synthetic ones")
        add_accounts(have[1] + 1, have[1] + want - have[0])
    execute("ANALYZE salesops_account")
    model = build_model(rng, name="bench: 1,000 rules", rules=1000, countryless=50)
    try:
        results += _time_case(ctx, label="seeded accounts, 1,000 rules", model=model, repeat=3)
    finally:
        model.delete()

    ctx.log(f"building {synthetic:,} synthetic accounts in schema {SCHEMA}")
    schema_setup(synthetic)
    try:
        with search_path(SCHEMA):
            big = build_model(rng, name="bench: synthetic", rules=200, countryless=5)
            results += _time_case(
                ctx, label=f"{synthetic:,} synthetic accounts, 200 rules", model=big, repeat=2
            )
    finally:
        execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(SCHEMA)))
        execute("RESET jit")
    return results

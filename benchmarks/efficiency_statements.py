"""SQL statements of a nightly efficiency run at 500 and at 5,000 people: must not grow.

A synthetic org replaces the data inside a transaction that is rolled back; a full run, then an
incremental run after one new deal, are counted with Django's CaptureQueriesContext.
"""

from __future__ import annotations

from datetime import date

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from benchmarks.harness import Result, execute
from salesops.services.efficiency import efficiency_snapshots_compute

SYNTHETIC_ID = 1_000_000_000


def _synthetic_org(people: int, as_of: date) -> None:
    """Replace the org by `people` synthetic people (call inside a transaction rolled back)."""
    base = SYNTHETIC_ID
    teams = max(people // 10, 2)
    execute(
        "TRUNCATE salesops_person, salesops_team, salesops_deal, salesops_dealsplit, "
        "salesops_salescost, salesops_efficiencypersonday, salesops_efficiencypersonmonth, "
        "salesops_efficiencyteamday, "
        "salesops_efficiencysnapshot, salesops_efficiencycursor, salesops_efficiencydirty, "
        "salesops_efficiencypendingday, salesops_efficiencyscopeday, "
        "salesops_efficiencyscopependingday, salesops_teammembership CASCADE"
    )
    execute(
        "INSERT INTO salesops_team (id, name, parent_id, structure, region, created_at, "
        "updated_at) SELECT %(b)s + i, 'Bench team ' || i, "
        "CASE WHEN i > 10 THEN %(b)s + 1 + i %% 10 END, 'territory', '', now(), now() "
        "FROM generate_series(1, %(n)s) i",
        {"b": base, "n": teams},
    )
    execute(
        "INSERT INTO salesops_person (id, name, email, role, team_id, hourly_cost, time_zone, "
        "work_start, work_end, work_days, active, created_at, updated_at) "
        "SELECT %(b)s + i, 'Bench person ' || i, '', "
        "(ARRAY['account_executive','sdr','customer_success'])[1 + i %% 3], "
        "%(b)s + 1 + i %% %(t)s, 50, 'Europe/Berlin', '09:00', '17:00', '12345', true, now(), "
        "now() FROM generate_series(1, %(n)s) i",
        {"b": base, "n": people, "t": teams},
    )
    execute(
        "INSERT INTO salesops_product (id, name, series, list_price) "
        "VALUES (%(b)s, 'Bench product', '', 1) ON CONFLICT DO NOTHING",
        {"b": base},
    )
    execute(
        "INSERT INTO salesops_deal (id, external_id, product_id, owner_id, stage, lost_at_stage, "
        "close_value, close_date, created_at, updated_at) "
        "SELECT %(b)s + i, 'SYN-' || i, %(b)s, %(b)s + 1 + i %% %(n)s, 'won', '', 1000 + i %% 7, "
        "%(day)s - (i %% 400), now() - interval '1 day', now() - interval '1 day' "
        "FROM generate_series(1, %(n)s * 20) i",
        {"b": base, "n": people, "day": as_of},
    )
    execute(
        "INSERT INTO salesops_dealsplit (deal_id, person_id, percent) "
        "SELECT id, owner_id, 100 FROM salesops_deal"
    )
    execute(
        "INSERT INTO salesops_salescost (date, person_id, category, amount, source, note, "
        "created_at, updated_at) SELECT %(day)s - (i %% 24) * 30, %(b)s + 1 + i %% %(n)s, "
        "'salary', 5000, 'manual', '', now() - interval '1 day', now() - interval '1 day' "
        "FROM generate_series(1, %(n)s * 24) i",
        {"b": base, "n": people, "day": as_of},
    )


def statements(people: int, as_of: date) -> tuple[int, int]:
    """(statements of a full run, of an incremental run after one new deal)."""
    with transaction.atomic():
        _synthetic_org(people, as_of)
        efficiency_snapshots_compute(as_of=as_of, full=True)
        with CaptureQueriesContext(connection) as full_run:
            efficiency_snapshots_compute(as_of=as_of, full=True)
        execute(
            "INSERT INTO salesops_deal (external_id, product_id, owner_id, stage, lost_at_stage, "
            "close_value, close_date, created_at, updated_at) VALUES ('SYN-new', %(b)s, "
            "%(b)s + 1, 'won', '', 10, %(day)s, now() + interval '1 second', "
            "now() + interval '1 second')",
            {"b": SYNTHETIC_ID, "day": as_of},
        )
        with CaptureQueriesContext(connection) as incremental_run:
            efficiency_snapshots_compute(as_of=as_of)
        transaction.set_rollback(True)
    return len(full_run.captured_queries), len(incremental_run.captured_queries)


def statement_results(as_of: date) -> list[Result]:
    """Statements of a full and an incremental run at 500 and 5,000 people, and their growth."""
    counts = {n: statements(n, as_of) for n in (500, 5000)}
    results = [
        Result(
            name=f"efficiency: SQL statements, full / incremental run, {n:,} people",
            value=full_count,
            unit="stmts",
            kind="info",
            note=f"incremental: {inc_count}",
            details={"full": full_count, "incremental": inc_count},
        )
        for n, (full_count, inc_count) in counts.items()
    ]
    results.append(
        Result(
            name="efficiency: statement growth 500 → 5,000 people",
            value=counts[5000][0] + counts[5000][1],
            floor=counts[500][0] + counts[500][1],
            unit="stmts",
            target=1.0,
        )
    )
    return results

"""Running the engine's SQL: one statement at a time on the request's connection, inside the
caller's transaction, and the lock and settings every engine transaction starts with."""

from __future__ import annotations

from typing import Any, TypeAlias

from django.conf import settings
from django.db import connection
from psycopg2 import sql

Query: TypeAlias = str | sql.Composable
Params: TypeAlias = list[Any] | dict[str, Any] | None


def execute(query: Query, params: Params = None) -> int:
    """Run one statement; the number of rows it wrote (0 when the driver does not say)."""
    with connection.cursor() as cur:
        cur.execute(query, params or [])
        return max(cur.rowcount, 0)


def fetch(query: Query, params: Params = None) -> list[tuple[Any, ...]]:
    with connection.cursor() as cur:
        cur.execute(query, params or [])
        return cur.fetchall()


def work_mem() -> str:
    return str(getattr(settings, "EFFICIENCY_WORK_MEM", "256MB"))


def lock_and_configure(name: str) -> None:
    """Serialise runs on `name`; turn PostgreSQL's JIT off for this transaction (compiling these
    wide statements costs seconds and buys nothing for a few hash aggregates)."""
    execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"salesops.eff:{name}"])
    execute("SET LOCAL jit = off")
    # The full rebuild groups ~1M rows per million deals: keep the aggregate and sort in memory,
    # and so the sort of the person-day key it builds afterwards (the default 64MB spills it).
    execute(
        "SELECT set_config('work_mem', %(mem)s, true), "
        "set_config('maintenance_work_mem', %(mem)s, true)",
        {"mem": work_mem()},
    )

"""Two ways to store generated rows: batched `bulk_create` (small sets) and PostgreSQL COPY.

Both take a chunk of row tuples with explicit ids and the model's attribute names as columns.
Afterwards `sequences_reset` moves the id sequences past the explicit ids.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any, Protocol

from django.core.management.color import no_style
from django.db import connection, models
from django.utils import timezone
from psycopg2 import sql

from salesops.demo.pipeline import Row

BULK_BATCH = 2000


class Loader(Protocol):
    def write(self, model: type[models.Model], columns: Sequence[str], rows: list[Row]) -> None: ...


class BulkLoader:
    """`bulk_create` in batches: simple, and fine up to ~10⁵ rows."""

    def write(self, model: type[models.Model], columns: Sequence[str], rows: list[Row]) -> None:
        objs = [model(**dict(zip(columns, row, strict=True))) for row in rows]
        model._default_manager.bulk_create(objs, batch_size=BULK_BATCH)


def _copy_text(value: Any) -> str:
    """One value in COPY's text format (tab-separated, \\N for NULL)."""
    if value is None:
        return "\\N"
    if isinstance(value, str):
        if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
            return (
                value.replace("\\", "\\\\")
                .replace("\t", "\\t")
                .replace("\n", "\\n")
                .replace("\r", "\\r")
            )
        return value
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


class CopyLoader:
    """PostgreSQL `COPY … FROM STDIN` from an in-memory buffer, one chunk at a time.

    Auto timestamps (auto_now / auto_now_add) that the rows leave out are filled with one
    load time, as bulk_create would.
    """

    def __init__(self) -> None:
        self.now = timezone.now().isoformat()

    def write(self, model: type[models.Model], columns: Sequence[str], rows: list[Row]) -> None:
        if not rows:
            return
        meta = model._meta
        by_attname = {f.attname: f for f in meta.concrete_fields}
        stamps = [
            f.column
            for f in meta.concrete_fields
            if f.attname not in columns
            and (getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False))
        ]
        db_columns = [str(by_attname[c].column) for c in columns] + [str(c) for c in stamps]
        suffix = "".join(f"\t{self.now}" for _ in stamps) + "\n"
        buf = io.StringIO()
        buf.writelines("\t".join(map(_copy_text, row)) + suffix for row in rows)
        buf.seek(0)
        copy = sql.SQL("COPY {table} ({columns}) FROM STDIN").format(
            table=sql.Identifier(meta.db_table),
            columns=sql.SQL(", ").join(sql.Identifier(c) for c in db_columns),
        )
        with connection.cursor() as cursor:
            cursor.cursor.copy_expert(copy, buf)  # type: ignore[attr-defined]


@contextmanager
def deferred_indexes(models_: Sequence[type[models.Model]]) -> Iterator[None]:
    """Load into empty PostgreSQL tables without per-row index and foreign-key upkeep.

    Drops the tables' plain (non-unique) indexes and foreign keys, and re-creates them from their
    own definitions afterwards: one sort per index and one join per foreign key instead of a
    million index inserts and trigger checks. Primary keys, unique and check constraints stay.
    Run inside a transaction, so a failure leaves the schema as it was.
    """
    tables = [m._meta.db_table for m in models_]
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT t.relname, c.conname, pg_get_constraintdef(c.oid)
            FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid
            WHERE c.contype = 'f' AND c.conrelid = ANY(%s::regclass[])
            ORDER BY 1, 2
            """,
            [tables],
        )
        foreign_keys = cursor.fetchall()
        cursor.execute(
            """
            SELECT i.indexname, i.indexdef FROM pg_indexes i
            WHERE i.schemaname = current_schema() AND i.tablename = ANY(%s)
              AND i.indexdef NOT LIKE 'CREATE UNIQUE %%'
              AND NOT EXISTS (
                SELECT 1 FROM pg_constraint c
                WHERE c.conindid = format('%%I.%%I', i.schemaname, i.indexname)::regclass
              )
            ORDER BY 1
            """,
            [tables],
        )
        indexes = cursor.fetchall()
        # Dropping a foreign key alters the referenced table too, which PostgreSQL refuses while
        # rows inserted earlier in this transaction (the org) still have deferred checks queued.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        for table, name, _ in foreign_keys:
            cursor.execute(
                sql.SQL("ALTER TABLE {} DROP CONSTRAINT {}").format(
                    sql.Identifier(table), sql.Identifier(name)
                )
            )
        for name, _ in indexes:
            cursor.execute(sql.SQL("DROP INDEX {}").format(sql.Identifier(name)))
    yield
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        for _, definition in indexes:
            cursor.execute(definition)
        for table, name, definition in foreign_keys:
            # The definition is PostgreSQL's own text of the constraint it just dropped.
            cursor.execute(
                sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} {}").format(
                    sql.Identifier(table), sql.Identifier(name), sql.SQL(definition)
                )
            )


def sequences_reset(models_: Sequence[type[models.Model]]) -> None:
    """After inserting explicit ids, point each id sequence past the highest id."""
    statements = connection.ops.sequence_reset_sql(no_style(), list(models_))
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)

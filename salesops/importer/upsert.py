"""Set-based upsert of records whose natural key is their name (products, accounts)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.db import models

from salesops.importer.conf import batch_size
from salesops.importer.context import ImportContext
from salesops.importer.matching import NameIndex
from salesops.importer.reader import Row
from salesops.importer.report import FileReport

M = TypeVar("M", bound=models.Model)


@dataclass
class Pending:
    line: int
    fields: dict[str, Any]


@dataclass
class Outcome:
    ids: dict[str, int] = field(default_factory=dict)
    created: set[int] = field(default_factory=set)
    updated: set[int] = field(default_factory=set)

    def count(self, report: FileReport, entity: str, also_updated: Iterable[int] = ()) -> None:
        updated = (self.updated | set(also_updated)) - self.created
        report.count(entity, "created", len(self.created))
        report.count(entity, "updated", len(updated))
        report.count(entity, "unchanged", len(self.ids) - len(self.created) - len(updated))


class PendingRows:
    """Valid rows of a file keyed by the canonical name, with duplicate and near-match checks."""

    def __init__(self, index: NameIndex[int], report: FileReport, column: str, what: str) -> None:
        self.index = index
        self.report = report
        self.column = column
        self.what = what
        self.rows: dict[str, Pending] = {}
        self._seen: NameIndex[int] = NameIndex()

    def add(self, row: Row, name: str, fields: dict[str, Any]) -> str | None:
        earlier = self._seen.find(name)
        if earlier.canonical:
            self.report.error(
                row.line,
                self.column,
                f"Duplicate {self.what} in the file (first on line {earlier.value}).",
                name,
            )
            return None
        match = self.index.find(name)
        if match.ambiguous:
            self.report.error(
                row.line,
                self.column,
                f"Ambiguous {self.what}: matches {', '.join(match.ambiguous)}.",
                name,
            )
            return None
        canonical = match.canonical or name
        if match.near:
            self.report.warning(
                row.line,
                self.column,
                f"{self.what.capitalize()} '{name}' matched '{canonical}' "
                "(differs only in case or spacing); the stored name is kept.",
                name,
            )
        self._seen.add(name, row.line)
        self.rows[canonical] = Pending(line=row.line, fields=fields)
        return canonical


def upsert_named(
    *,
    context: ImportContext,
    model: type[M],
    index: NameIndex[int],
    pending: PendingRows,
    fields: tuple[str, ...],
) -> Outcome:
    """Create the new names, update the ones whose fields differ, leave the rest untouched.

    One SELECT per batch of known names; bulk_create/bulk_update in batches. `updated_at` is set
    explicitly (bulk_update bypasses auto_now) so incremental readers see the change.
    """
    outcome = Outcome()
    has_updated_at = any(f.name == "updated_at" for f in model._meta.get_fields())
    known = {name: pk for name in pending.rows if (pk := index.find(name).value) is not None}
    existing: dict[int, M] = {}
    known_ids = list(known.values())
    size = batch_size()
    for start in range(0, len(known_ids), size):
        chunk = known_ids[start : start + size]
        existing.update(
            (obj.pk, obj) for obj in model._default_manager.filter(pk__in=chunk).only(*fields)
        )
    to_create: list[M] = []
    to_update: list[M] = []
    for name, row in pending.rows.items():
        pk = known.get(name)
        obj = existing.get(pk) if pk is not None else None
        if obj is None:
            to_create.append(model(name=name, **row.fields))
            continue
        outcome.ids[name] = obj.pk
        if any(getattr(obj, key) != value for key, value in row.fields.items()):
            for key, value in row.fields.items():
                setattr(obj, key, value)
            if has_updated_at:
                obj.updated_at = context.now  # type: ignore[attr-defined]
            to_update.append(obj)
            outcome.updated.add(obj.pk)
    model._default_manager.bulk_create(to_create, batch_size=size)
    for obj in to_create:
        index.add(obj.name, obj.pk)  # type: ignore[attr-defined]
        outcome.ids[obj.name] = obj.pk  # type: ignore[attr-defined]
        outcome.created.add(obj.pk)
    update_fields = list(fields) + (["updated_at"] if has_updated_at else [])
    model._default_manager.bulk_update(to_update, update_fields, batch_size=size)
    return outcome

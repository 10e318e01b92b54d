"""What one import run knows: the known names (loaded once), options and the report."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.utils import timezone

from salesops.importer.matching import Match, NameIndex
from salesops.importer.reader import ImportSource, Row, read_rows
from salesops.importer.report import FileReport, ImportReport
from salesops.models import Account, Person, Product, Team


@dataclass
class ImportContext:
    report: ImportReport
    stage_map: dict[str, str]
    progress: bool = False
    now: dt.datetime = field(default_factory=timezone.now)
    people: NameIndex[int] = field(default_factory=NameIndex)
    teams: NameIndex[int] = field(default_factory=NameIndex)
    accounts: NameIndex[int] = field(default_factory=NameIndex)
    products: NameIndex[int] = field(default_factory=NameIndex)
    changed_account_ids: set[int] = field(default_factory=set)
    # Who owns deals in this import, and the agents of the teams file (to report agents
    # without deals).
    deal_owner_ids: set[int] = field(default_factory=set)
    agent_lines: dict[int, tuple[int, str]] = field(default_factory=dict)
    # Physical lines per file kind (for the progress bar's total).
    lines: dict[str, int] = field(default_factory=dict)
    # Hears every physical line read (the web import's progress on its ImportRun).
    on_lines: Callable[[int], None] | None = None

    def rows(
        self,
        source: ImportSource,
        report: FileReport,
        *,
        required: tuple[str, ...] = (),
        one_of: tuple[str, ...] = (),
    ) -> Iterator[Row]:
        return read_rows(
            source,
            report,
            required=required,
            one_of=one_of,
            progress=self.progress,
            total=self.lines.get(report.kind, 0),
            on_lines=self.on_lines,
        )

    @classmethod
    def load(
        cls, *, report: ImportReport, stage_map: dict[str, str], progress: bool
    ) -> ImportContext:
        """One query per entity: everything later resolves names against these dicts."""
        context = cls(report=report, stage_map=stage_map, progress=progress)
        for index, model in (
            (context.people, Person),
            (context.teams, Team),
            (context.accounts, Account),
            (context.products, Product),
        ):
            for pk, name in model.objects.values_list("pk", "name").iterator(chunk_size=5000):
                index.add(name, pk)
        return context


def resolve(
    index: NameIndex[int],
    name: str,
    row: Row,
    report: FileReport,
    column: str,
    *,
    what: str,
) -> Match[int]:
    """Look a name up; report an unknown or ambiguous name as an error, a near match as a warning."""
    match = index.find(name)
    if match.value is None:
        if match.ambiguous:
            report.error(
                row.line,
                column,
                f"Ambiguous {what}: it matches {', '.join(match.ambiguous)}.",
                name,
            )
        else:
            report.error(row.line, column, f"Unknown {what}.", name)
    elif match.near:
        report.warning(
            row.line,
            column,
            f"{what.capitalize()} '{name}' matched '{match.canonical}' "
            "(differs only in case or spacing).",
            name,
        )
    return match

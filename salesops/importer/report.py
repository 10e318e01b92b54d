"""The import report: per-file counts and every problem found, with file, line and column.

Line numbers are physical lines of the file as a user sees it in an editor (the header is line 1).
Errors make a row (or a whole file, for a missing column) be skipped; warnings never do.
Repeated warnings with the same file, column and reason (e.g. 1,480 rows spelling a product
"GTXPro") are reported once with a count and the first line.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from salesops.importer.conf import max_issues_per_file

ERROR = "error"
WARNING = "warning"
# Facts worth knowing that are not problems (e.g. open deals without an account).
INFO = "info"
ENTITY_ORDER = ("person", "team", "product", "account", "deal", "deal split", "cost")
OUTCOMES = ("created", "updated", "unchanged")


@dataclass
class Issue:
    level: str
    file: str
    line: int
    column: str
    reason: str
    value: str = ""
    count: int = 1

    def as_dict(self) -> dict[str, Any]:
        return {
            "level": self.level,
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "reason": self.reason,
            "value": self.value,
            "count": self.count,
        }


@dataclass
class FileReport:
    kind: str
    name: str
    rows: int = 0
    error_rows: int = 0
    warning_count: int = 0
    counts: dict[str, Counter[str]] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)
    issues_left_off: int = 0
    _bad_lines: set[int] = field(default_factory=set, repr=False)
    _warning_index: dict[tuple[str, str, str, str], Issue] = field(default_factory=dict, repr=False)

    def count(self, entity: str, outcome: str, n: int = 1) -> None:
        if n:
            self.counts.setdefault(entity, Counter())[outcome] += n

    def _keep(self, issue: Issue) -> None:
        if len(self.issues) < max_issues_per_file():
            self.issues.append(issue)
        else:
            self.issues_left_off += 1

    def error(self, line: int, column: str, reason: str, value: str = "") -> None:
        """Record a bad row. A row with several problems counts once in `error_rows`."""
        if line not in self._bad_lines:
            self._bad_lines.add(line)
            self.error_rows += 1
        self._keep(Issue(ERROR, self.name, line, column, reason, value))

    def warning(self, line: int, column: str, reason: str, value: str = "") -> None:
        self.warning_count += 1
        self._aggregate(WARNING, line, column, reason, value)

    def info(self, line: int, column: str, reason: str, value: str = "") -> None:
        self._aggregate(INFO, line, column, reason, value)

    def _aggregate(self, level: str, line: int, column: str, reason: str, value: str) -> None:
        key = (level, column, reason, value)
        existing = self._warning_index.get(key)
        if existing is not None:
            existing.count += 1
            return
        issue = Issue(level, self.name, line, column, reason, value)
        self._warning_index[key] = issue
        self._keep(issue)

    def is_bad(self, line: int) -> bool:
        return line in self._bad_lines

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "name": self.name,
            "rows": self.rows,
            "error_rows": self.error_rows,
            "warnings": self.warning_count,
            "counts": {
                entity: {outcome: counter.get(outcome, 0) for outcome in OUTCOMES}
                for entity, counter in self.counts.items()
            },
            "issues": [issue.as_dict() for issue in self.issues],
            "issues_left_off": self.issues_left_off,
        }


@dataclass
class ImportReport:
    dry_run: bool
    strict: bool
    files: dict[str, FileReport] = field(default_factory=dict)
    status: str = "running"
    committed: bool = False
    message: str = ""
    duration_seconds: float = 0.0
    run_id: int | None = None

    def file(self, kind: str, name: str) -> FileReport:
        report = FileReport(kind=kind, name=name)
        self.files[kind] = report
        return report

    @property
    def error_count(self) -> int:
        return sum(f.error_rows for f in self.files.values())

    @property
    def warning_count(self) -> int:
        return sum(f.warning_count for f in self.files.values())

    def summary_rows(self) -> list[dict[str, Any]]:
        """One row per (file, entity) for the summary table."""
        rows: list[dict[str, Any]] = []
        for kind, report in self.files.items():
            entities = report.counts or {kind: Counter[str]()}
            ordered = sorted(
                entities.items(),
                key=lambda item: ENTITY_ORDER.index(item[0]) if item[0] in ENTITY_ORDER else 99,
            )
            for index, (entity, counter) in enumerate(ordered):
                first = index == 0
                rows.append(
                    {
                        "file": kind if first else "",
                        "entity": entity,
                        "rows": report.rows if first else None,
                        "created": counter.get("created", 0),
                        "updated": counter.get("updated", 0),
                        "unchanged": counter.get("unchanged", 0),
                        "errors": report.error_rows if first else None,
                        "warnings": report.warning_count if first else None,
                    }
                )
        return rows

    def as_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "status": self.status,
            "dry_run": self.dry_run,
            "strict": self.strict,
            "committed": self.committed,
            "message": self.message,
            "duration_seconds": round(self.duration_seconds, 3),
            "error_rows": self.error_count,
            "warnings": self.warning_count,
            "summary": self.summary_rows(),
            "files": {kind: report.as_dict() for kind, report in self.files.items()},
        }

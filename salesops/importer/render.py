"""The report as plain text for the command line: issues, then the summary table."""

from __future__ import annotations

from salesops.importer.report import ImportReport

SHOWN_ISSUES_PER_FILE = 50
COLUMNS = ("file", "entity", "rows", "created", "updated", "unchanged", "errors", "warnings")


def report_text(report: ImportReport) -> str:
    lines: list[str] = []
    for file in report.files.values():
        for issue in file.issues[:SHOWN_ISSUES_PER_FILE]:
            where = f"{issue.file}:{issue.line}" + (f" [{issue.column}]" if issue.column else "")
            value = f" (value: {issue.value!r})" if issue.value else ""
            times = f" ×{issue.count}" if issue.count > 1 else ""
            lines.append(f"{issue.level.upper():7} {where}: {issue.reason}{value}{times}")
        hidden = len(file.issues) - SHOWN_ISSUES_PER_FILE + file.issues_left_off
        if hidden > 0:
            lines.append(f"        … {hidden} more in {file.name} (see --json or the import run)")
    if lines:
        lines.append("")
    table = [[_cell(row[c]) for c in COLUMNS] for row in report.summary_rows()]
    widths = [max(len(c), *(len(r[i]) for r in table)) for i, c in enumerate(COLUMNS)]
    lines.append("  ".join(c.ljust(w) for c, w in zip(COLUMNS, widths, strict=True)))
    lines.append("  ".join("-" * w for w in widths))
    for row in table:
        lines.append(
            "  ".join(
                cell.ljust(w) if i < 2 else cell.rjust(w)
                for i, (cell, w) in enumerate(zip(row, widths, strict=True))
            )
        )
    lines.append("")
    lines.append(
        f"{report.status}: {report.message} "
        f"({report.error_count} bad rows, {report.warning_count} warnings, "
        f"{report.duration_seconds:.1f} s; import run #{report.run_id})"
    )
    return "\n".join(lines) + "\n"


def _cell(value: object) -> str:
    return "" if value is None else str(value)

"""accounts file → Account (natural key: name, case-insensitive).

`revenue` is in millions (stored in units); `office_location` is a country name (stored as ISO
alpha-2; a fuzzy match is a warning, no match leaves the country empty with a warning);
`subsidiary_of` names the parent account, resolved after every account of the file is known.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

from django.db.models import Q

from salesops.importer.conf import batch_size, known_sectors
from salesops.importer.context import ImportContext
from salesops.importer.matching import one_edit_apart, squash
from salesops.importer.reader import ImportSource
from salesops.importer.report import FileReport
from salesops.importer.upsert import PendingRows, upsert_named
from salesops.importer.values import parse_decimal, parse_int, resolve_country
from salesops.models import Account

COLUMNS = (
    "account",
    "sector",
    "year_established",
    "revenue",
    "employees",
    "office_location",
    "subsidiary_of",
)
FIELDS = ("sector", "year_established", "annual_revenue", "employees", "country")
MILLION = Decimal(1_000_000)


def import_accounts(context: ImportContext, source: ImportSource, report: FileReport) -> None:
    pending = PendingRows(context.accounts, report, "account", "account")
    parents: dict[str, tuple[int, str]] = {}
    sectors: Counter[str] = Counter()
    sector_lines: dict[str, int] = {}
    for row in context.rows(source, report, required=COLUMNS):
        name = row.get("account")
        if not name:
            report.error(row.line, "account", "An account name is required.")
            continue
        sector = row.get("sector")
        fields = {
            "sector": sector,
            "year_established": parse_int(
                row, report, "year_established", minimum=1000, maximum=2100
            ),
            "annual_revenue": parse_decimal(row, report, "revenue", max_digits=18, scale=MILLION),
            "employees": parse_int(row, report, "employees"),
            "country": _country(row.get("office_location"), row.line, report),
        }
        if report.is_bad(row.line):
            continue
        canonical = pending.add(row, name, fields)
        if canonical is None:
            continue
        if sector:
            sectors[sector] += 1
            sector_lines.setdefault(sector, row.line)
        parents[canonical] = (row.line, row.get("subsidiary_of"))
    _check_sectors(report, sectors, sector_lines)
    parent_names = _resolve_parents(context, report, pending, parents)
    outcome = upsert_named(
        context=context, model=Account, index=context.accounts, pending=pending, fields=FIELDS
    )
    reparented = _set_parents(context, outcome.ids, parent_names)
    outcome.count(report, "account", also_updated=reparented)
    context.changed_account_ids |= outcome.created | outcome.updated | reparented


def _country(raw: str, line: int, report: FileReport) -> str:
    code, warning = resolve_country(raw)
    if warning:
        report.warning(line, "office_location", warning, raw)
    return code


def _check_sectors(report: FileReport, sectors: Counter[str], lines: dict[str, int]) -> None:
    """Flag (never change) a sector one edit away from, or differing only in case/spacing from,
    a more common sector of the file or a well-known sector."""
    known = {s.casefold() for s in known_sectors()}
    stored = {s.casefold() for s in Account.objects.values_list("sector", flat=True).distinct()}
    reference = known | stored
    for sector, count in sectors.items():
        key = sector.casefold()
        rivals = [
            other
            for other, other_count in sectors.items()
            if other != sector
            and (other_count, lines[sector]) > (count, lines[other])
            and _close(key, other.casefold())
        ]
        if not rivals and key not in known:
            rivals = sorted(other for other in reference if other != key and _close(key, other))
        if rivals:
            report.warning(
                lines[sector],
                "sector",
                f"Sector '{sector}' ({count} rows) looks like a misspelling of "
                f"'{rivals[0]}'; imported as written.",
                sector,
            )


def _close(a: str, b: str) -> bool:
    return squash(a) == squash(b) or one_edit_apart(a, b)


def _resolve_parents(
    context: ImportContext,
    report: FileReport,
    pending: PendingRows,
    parents: dict[str, tuple[int, str]],
) -> dict[str, str | None]:
    """Parent names → canonical names; a row naming an unknown parent is an error (skipped)."""
    resolved: dict[str, str | None] = {}
    for name, (line, parent) in parents.items():
        if not parent:
            resolved[name] = None
            continue
        match = context.accounts.find(parent)
        canonical = match.canonical
        if not canonical:
            canonical = next((n for n in pending.rows if n.casefold() == parent.casefold()), "")
            if not canonical:
                near = [n for n in pending.rows if squash(n) == squash(parent)]
                canonical = near[0] if len(near) == 1 else ""
        if not canonical:
            report.error(line, "subsidiary_of", "Unknown parent account.", parent)
            del pending.rows[name]
            continue
        if canonical != parent:
            report.warning(
                line,
                "subsidiary_of",
                f"Parent '{parent}' matched '{canonical}' (differs only in case or spacing).",
                parent,
            )
        if canonical.casefold() == name.casefold():
            report.error(line, "subsidiary_of", "An account cannot be its own parent.", parent)
            del pending.rows[name]
            continue
        resolved[name] = canonical
    return resolved


def _set_parents(
    context: ImportContext, ids: dict[str, int], parent_names: dict[str, str | None]
) -> set[int]:
    wanted: dict[int, int | None] = {}
    for name, parent in parent_names.items():
        if name in ids:
            wanted[ids[name]] = context.accounts.find(parent).value if parent else None
    changed: list[Account] = []
    pks = list(wanted)
    size = batch_size()
    for start in range(0, len(pks), size):
        chunk = pks[start : start + size]
        for pk, parent_id in Account.objects.filter(Q(pk__in=chunk)).values_list("pk", "parent_id"):
            if parent_id != wanted[pk]:
                changed.append(Account(pk=pk, parent_id=wanted[pk], updated_at=context.now))
    Account.objects.bulk_update(changed, ["parent", "updated_at"], batch_size=size)
    return {account.pk for account in changed}

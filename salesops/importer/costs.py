"""costs file: `date, sales_agent|team, category, amount` → SalesCost rows (source=import).

The export has no id for a cost, so each row gets a stable `external_ref`: a hash of its date,
person or team, category, amount and its occurrence among identical rows of the file (two equal
travel costs on one day are two costs). Importing the same file again finds every ref and
creates nothing. The content is the key, so a cost is never "updated": a changed row is a new cost.
"""

from __future__ import annotations

import hashlib
from collections import Counter

from salesops.history import acting_user
from salesops.importer.conf import batch_size
from salesops.importer.context import ImportContext, resolve
from salesops.importer.reader import ImportSource, Row
from salesops.importer.report import FileReport
from salesops.importer.values import parse_date, parse_decimal
from salesops.models import CostCategory, CostSource, SalesCost

REQUIRED = ("date", "category", "amount")
WHO = ("sales_agent", "team")
_CATEGORIES = {
    **{label.casefold(): value for value, label in CostCategory.choices},
    **{value: value for value in CostCategory.values},
}


def import_costs(context: ImportContext, source: ImportSource, report: FileReport) -> None:
    occurrences: Counter[str] = Counter()
    batch: list[SalesCost] = []
    for row in context.rows(source, report, required=REQUIRED, one_of=WHO):
        cost = _parse(context, row, report, occurrences)
        if cost is None:
            continue
        batch.append(cost)
        if len(batch) >= batch_size():
            _flush(report, batch)
            batch = []
    _flush(report, batch)


def _parse(
    context: ImportContext, row: Row, report: FileReport, occurrences: Counter[str]
) -> SalesCost | None:
    day = parse_date(row, report, "date")
    if day is None and not row.get("date"):
        report.error(row.line, "date", "A date is required.")
    person_name, team_name = row.get("sales_agent"), row.get("team")
    person_id = team_id = None
    who = ""
    if person_name and team_name:
        report.error(row.line, "team", "Give a sales agent or a team, not both.")
    elif person_name:
        match = resolve(context.people, person_name, row, report, "sales_agent", what="person")
        person_id, who = match.value, f"person:{match.canonical.casefold()}"
    elif team_name:
        match = resolve(context.teams, team_name, row, report, "team", what="team")
        team_id, who = match.value, f"team:{match.canonical.casefold()}"
    else:
        column = "sales_agent" if "sales_agent" in row.values else "team"
        report.error(row.line, column, "A sales agent or team is required.")
    raw_category = row.get("category")
    category = _CATEGORIES.get(raw_category.casefold())
    if category is None:
        report.error(
            row.line,
            "category",
            f"Unknown category (known: {', '.join(CostCategory.values)}).",
            raw_category,
        )
    amount = parse_decimal(row, report, "amount", required=True)
    if report.is_bad(row.line) or day is None or amount is None or category is None:
        return None
    key = f"{day.isoformat()}|{who}|{category}|{amount}"
    occurrences[key] += 1
    digest = hashlib.sha256(f"{key}|{occurrences[key]}".encode()).hexdigest()[:40]
    return SalesCost(
        date=day,
        person_id=person_id,
        team_id=team_id,
        category=category,
        amount=amount,
        source=CostSource.IMPORT,
        external_ref=f"crm:{digest}",
    )


def _flush(report: FileReport, batch: list[SalesCost]) -> None:
    if not batch:
        return
    refs = [cost.external_ref for cost in batch]
    stored = set(
        SalesCost.objects.filter(source=CostSource.IMPORT, external_ref__in=refs).values_list(
            "external_ref", flat=True
        )
    )
    new = [cost for cost in batch if cost.external_ref not in stored]
    SalesCost.objects.bulk_create(new, batch_size=batch_size())
    SalesCost.history.bulk_history_create(new, batch_size=batch_size(), default_user=acting_user())
    report.count("cost", "created", len(new))
    report.count("cost", "unchanged", len(batch) - len(new))

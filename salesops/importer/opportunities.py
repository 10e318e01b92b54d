"""opportunities file → Deal (natural key: opportunity_id) with the owner's 100 % split.

Streams the file in batches: per batch one SELECT of the deals already stored, one bulk INSERT of
the new ones (and their splits), one bulk UPDATE of the changed ones. Names resolve in memory.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from salesops import calendar
from salesops.history import acting_user
from salesops.importer.conf import batch_size
from salesops.importer.context import ImportContext, resolve
from salesops.importer.reader import ImportSource, Row
from salesops.importer.report import FileReport
from salesops.importer.values import parse_date, parse_decimal
from salesops.models import OPEN_STAGES, Deal, DealSplit, Stage

COLUMNS = (
    "opportunity_id",
    "sales_agent",
    "product",
    "account",
    "deal_stage",
    "engage_date",
    "close_date",
    "close_value",
)
FIELDS = (
    "owner_id",
    "product_id",
    "account_id",
    "stage",
    "engage_date",
    "close_date",
    "close_value",
)
HUNDRED = Decimal(100)


@dataclass
class _Deal:
    line: int
    external_id: str
    fields: dict[str, Any]


def import_opportunities(context: ImportContext, source: ImportSource, report: FileReport) -> None:
    seen: dict[str, int] = {}
    batch: list[_Deal] = []
    for row in context.rows(source, report, required=COLUMNS):
        deal = _parse(context, row, report, seen)
        if deal is None:
            continue
        batch.append(deal)
        if len(batch) >= batch_size():
            _flush(context, report, batch)
            batch = []
    _flush(context, report, batch)


def _parse(
    context: ImportContext, row: Row, report: FileReport, seen: dict[str, int]
) -> _Deal | None:
    external_id = row.get("opportunity_id")
    if not external_id:
        report.error(row.line, "opportunity_id", "An opportunity id is required.")
    elif len(external_id) > 64:
        report.error(row.line, "opportunity_id", "Longer than 64 characters.", external_id)
    elif external_id in seen:
        report.error(
            row.line,
            "opportunity_id",
            f"Duplicate opportunity id in the file (first on line {seen[external_id]}).",
            external_id,
        )
    else:
        seen[external_id] = row.line
    owner = _name(context.people, row, report, "sales_agent", "sales agent")
    product = _name(context.products, row, report, "product", "product")
    account_name = row.get("account")
    account = (
        resolve(context.accounts, account_name, row, report, "account", what="account").value
        if account_name
        else None
    )
    stage = _stage(context, row, report)
    engage = parse_date(row, report, "engage_date")
    close = parse_date(row, report, "close_date")
    value = parse_decimal(row, report, "close_value")
    if stage in (Stage.WON, Stage.LOST) and close is None and not row.get("close_date"):
        report.error(row.line, "close_date", f"A {stage} deal needs a close date.")
    if stage == Stage.WON and value is None and not row.get("close_value"):
        report.error(row.line, "close_value", "A won deal needs a close value.")
    if engage and close and close < engage:
        report.error(
            row.line,
            "close_date",
            f"The close date is before the engage date ({engage}).",
            str(close),
        )
    if report.is_bad(row.line):
        return None
    if not account_name:
        if stage in (Stage.WON, Stage.LOST):
            report.warning(row.line, "account", "A closed deal without an account.")
        else:
            report.info(row.line, "account", "Open deal without an account (allowed).")
    if stage not in (Stage.WON, Stage.LOST):
        if not row.get("close_date"):
            report.info(row.line, "close_date", "Open deal without a close date (allowed).")
        if not row.get("close_value"):
            report.info(row.line, "close_value", "Open deal without a close value (allowed).")
    if not row.get("engage_date"):
        report.info(row.line, "engage_date", "Deal without an engage date (allowed).")
    if owner is not None:
        context.deal_owner_ids.add(owner)
    return _Deal(
        line=row.line,
        external_id=external_id,
        fields={
            "owner_id": owner,
            "product_id": product,
            "account_id": account,
            "stage": stage,
            "engage_date": engage,
            "close_date": close,
            "close_value": value,
        },
    )


def _name(index: Any, row: Row, report: FileReport, column: str, what: str) -> int | None:
    name = row.get(column)
    if not name:
        report.error(row.line, column, f"A {what} is required.")
        return None
    return resolve(index, name, row, report, column, what=what).value


def _stage(context: ImportContext, row: Row, report: FileReport) -> str | None:
    raw = row.get("deal_stage")
    if not raw:
        report.error(row.line, "deal_stage", "A deal stage is required.")
        return None
    stage = context.stage_map.get(raw.casefold())
    if stage is None and raw in Stage.values:
        stage = raw
    if stage is None:
        known = ", ".join(sorted(context.stage_map))
        report.error(
            row.line, "deal_stage", f"Unknown stage (known: {known}; see --stage-map).", raw
        )
    return stage


def _stage_time(context: ImportContext, fields: dict[str, Any]) -> dt.datetime:
    """When the deal entered its stage, as far as the export tells: close date, engage date."""
    day = fields["close_date"] if fields["stage"] not in OPEN_STAGES else fields["engage_date"]
    if day is None:
        return context.now
    return calendar.company_midnight(day)


def _flush(context: ImportContext, report: FileReport, batch: list[_Deal]) -> None:
    if not batch:
        return
    existing = {
        deal.external_id: deal
        for deal in Deal.objects.filter(external_id__in=[d.external_id for d in batch]).only(
            "pk", "external_id", "lost_at_stage", *FIELDS
        )
    }
    to_create: list[Deal] = []
    to_update: list[Deal] = []
    new_owner: dict[int, tuple[int, int]] = {}
    for row in batch:
        deal = existing.get(row.external_id)
        if deal is None:
            to_create.append(
                Deal(
                    external_id=row.external_id,
                    stage_entered_at=_stage_time(context, row.fields),
                    **row.fields,
                )
            )
            continue
        if all(getattr(deal, key) == value for key, value in row.fields.items()):
            report.count("deal", "unchanged")
            continue
        previous_stage, previous_owner = deal.stage, deal.owner_id
        for key, value in row.fields.items():
            setattr(deal, key, value)
        if deal.stage != previous_stage:
            deal.stage_entered_at = _stage_time(context, row.fields)
            if deal.stage == Stage.LOST and previous_stage in OPEN_STAGES:
                deal.lost_at_stage = previous_stage
            elif deal.stage != Stage.LOST:
                deal.lost_at_stage = ""
        if deal.owner_id != previous_owner:
            new_owner[deal.pk] = (previous_owner, deal.owner_id)
        deal.updated_at = context.now
        to_update.append(deal)
    Deal.objects.bulk_create(to_create)
    new_splits = DealSplit.objects.bulk_create(
        [DealSplit(deal_id=deal.pk, person_id=deal.owner_id, percent=HUNDRED) for deal in to_create]
    )
    Deal.objects.bulk_update(
        to_update, [*FIELDS, "stage_entered_at", "lost_at_stage", "updated_at"]
    )
    # Deals and splits are inputs to pay: imported changes keep history rows too.
    user = acting_user()
    Deal.history.bulk_history_create(to_create, default_user=user)
    Deal.history.bulk_history_create(to_update, update=True, default_user=user)
    DealSplit.history.bulk_history_create(new_splits, default_user=user)
    lines = {existing[d.external_id].pk: d.line for d in batch if d.external_id in existing}
    _move_owner_splits(report, new_owner, lines)
    report.count("deal", "created", len(to_create))
    report.count("deal", "updated", len(to_update))
    report.count("deal split", "created", len(to_create))


def _move_owner_splits(
    report: FileReport, new_owner: dict[int, tuple[int, int]], lines: dict[int, int]
) -> None:
    """A deal credited 100 % to its old owner is credited 100 % to the new one; custom splits
    (set in SalesOps after an earlier import) are kept, with a warning."""
    if not new_owner:
        return
    splits: dict[int, list[DealSplit]] = {}
    for split in DealSplit.objects.filter(deal_id__in=list(new_owner)):
        splits.setdefault(split.deal_id, []).append(split)
    moved: list[DealSplit] = []
    missing: list[DealSplit] = []
    for deal_id, (old, new) in new_owner.items():
        current = splits.get(deal_id, [])
        if not current:
            missing.append(DealSplit(deal_id=deal_id, person_id=new, percent=HUNDRED))
        elif len(current) == 1 and current[0].person_id == old:
            current[0].person_id = new
            moved.append(current[0])
        else:
            report.warning(
                lines[deal_id],
                "sales_agent",
                "The owner changed but the deal has custom splits; they are kept.",
            )
    DealSplit.objects.bulk_update(moved, ["person"])
    DealSplit.objects.bulk_create(missing)
    user = acting_user()
    DealSplit.history.bulk_history_create(moved, update=True, default_user=user)
    DealSplit.history.bulk_history_create(missing, default_user=user)
    report.count("deal split", "updated", len(moved))
    report.count("deal split", "created", len(missing))

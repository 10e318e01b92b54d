"""The one entry point of the CRM import, shared by the command, the admin page and the API."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from psycopg2 import sql

from salesops import hooks
from salesops.importer import conf
from salesops.importer.accounts import import_accounts
from salesops.importer.conf import DEFAULT_STAGE_MAP
from salesops.importer.context import ImportContext
from salesops.importer.costs import import_costs
from salesops.importer.opportunities import import_opportunities
from salesops.importer.products import import_products
from salesops.importer.reader import ImportSource, inspect
from salesops.importer.report import FileReport, ImportReport
from salesops.importer.teams import import_teams
from salesops.models import ImportRun, ImportStatus, Stage
from salesops.selectors.sql import ACCOUNTS, COSTS, DEALS, PEOPLE, PRODUCTS, SPLITS, TEAMS
from salesops.services.progress import JobProgress

Importer = Callable[[ImportContext, ImportSource, FileReport], None]
# Dependency order: people and teams, products and accounts, then what refers to them.
IMPORTERS: dict[str, Importer] = {
    "teams": import_teams,
    "products": import_products,
    "accounts": import_accounts,
    "opportunities": import_opportunities,
    "costs": import_costs,
}
FILE_KINDS = tuple(IMPORTERS)
# The columns of each file, as shown next to the upload fields (form and API schema).
FILE_COLUMNS_HELP = {
    "teams": "sales_agent, manager, regional_office",
    "products": "product, series, sales_price",
    "accounts": "account, sector, year_established, revenue (millions), employees, "
    "office_location, subsidiary_of",
    "opportunities": "opportunity_id, sales_agent, product, account, deal_stage, engage_date, "
    "close_date, close_value",
    "costs": "date, sales_agent or team, category, amount",
}
STAGE_MAP_HELP = (
    'Optional JSON overriding the stage map, e.g. {"Engaging": "presentation"}. Default: '
    "Prospecting→prospecting, Engaging→needs_assessment, Won→won, Lost→lost."
)


def stage_map_build(raw: str | Mapping[str, str] | None) -> dict[str, str]:
    """The default stage map with the given overrides (a JSON object or a dict), keys lower-cased.

    Raises ValidationError({"stage_map": …}) for bad JSON or a target that is not a stage.
    """
    if raw is None or raw == "":
        overrides: Mapping[str, Any] = {}
    elif isinstance(raw, str):
        try:
            overrides = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise ValidationError({"stage_map": f"Not valid JSON: {exc.msg}."}) from exc
    else:
        overrides = raw
    if not isinstance(overrides, Mapping):
        raise ValidationError(
            {"stage_map": 'Give a JSON object, e.g. {"Engaging": "presentation"}.'}
        )
    bad = sorted(str(v) for v in overrides.values() if v not in Stage.values)
    if bad:
        raise ValidationError(
            {"stage_map": f"Not a stage: {', '.join(bad)} (stages: {', '.join(Stage.values)})."}
        )
    merged = dict(DEFAULT_STAGE_MAP)
    merged.update({str(key).strip().casefold(): str(value) for key, value in overrides.items()})
    return merged


def crm_import_run(
    *,
    files: Mapping[str, ImportSource | None],
    stage_map: str | Mapping[str, str] | None,
    dry_run: bool,
    strict: bool,
    user: AbstractBaseUser | AnonymousUser | None,
    origin: str,
    progress: bool = False,
    run: ImportRun | None = None,
) -> ImportReport:
    """Import a CRM export (any subset of the five files) and record an ImportRun.

    Everything happens in one transaction. It is rolled back for a dry run (so the counts are
    exactly those a real run would produce) and, with `strict`, when any row is bad. Otherwise bad
    rows are skipped and the rest is committed. Re-importing the same files changes nothing:
    every entity is upserted on its natural key. Listeners of `hooks.accounts_changed` hear about
    created or updated accounts after the commit.
    """
    given = {kind: source for kind, source in files.items() if source is not None}
    unknown = sorted(set(given) - set(FILE_KINDS))
    if unknown:
        raise ValidationError({"files": f"Unknown file kind: {', '.join(unknown)}."})
    if not given:
        raise ValidationError({"files": "Give at least one file to import."})
    too_large = conf.upload_too_large(
        [int(getattr(source, "size", 0) or 0) for source in given.values()]
    )
    if too_large:
        raise ValidationError({"files": too_large})
    merged_map = stage_map_build(stage_map)
    infos = {kind: inspect(source) for kind, source in given.items()}
    if run is None:
        run = ImportRun.objects.create(
            user_id=user.pk if user is not None and user.is_authenticated else None,
            origin=origin,
            dry_run=dry_run,
            strict=strict,
            files={kind: vars(info) for kind, info in infos.items()},
        )
    else:  # queued by the web tier (salesops.importer.queue): the worker runs it now
        run.files = {kind: vars(info) for kind, info in infos.items()}
        run.save(update_fields=["files"])
    report = ImportReport(dry_run=dry_run, strict=strict, run_id=run.pk)
    started = time.monotonic()
    lines = JobProgress(model=ImportRun, pk=run.pk, total=sum(i.lines for i in infos.values()))
    try:
        with transaction.atomic():
            context = ImportContext.load(report=report, stage_map=merged_map, progress=progress)
            context.lines = {kind: info.lines for kind, info in infos.items()}
            context.on_lines = lambda n: lines.update(advance=n)
            for kind, importer in IMPORTERS.items():
                if kind in given:
                    importer(context, given[kind], report.file(kind, infos[kind].name))
            _note_agents_without_deals(context, report)
            if dry_run or (strict and report.error_count):
                transaction.set_rollback(True)
            else:
                changed = sorted(context.changed_account_ids)
                transaction.on_commit(lambda: hooks.accounts_changed(changed))
                report.committed = True
    except DatabaseError as exc:
        # A row the validation let through but the database refused: nothing is written.
        report.committed = False
        report.status = ImportStatus.FAILED
        report.message = f"The database refused the import, nothing was written: {exc}"
    except Exception as exc:
        _finish(run, report, started, ImportStatus.FAILED, f"The import crashed: {exc!r}")
        raise
    if report.committed:
        _analyze_after_load(report)
    if report.status != ImportStatus.FAILED:
        status, message = _outcome(report)
    else:
        status, message = ImportStatus.FAILED, report.message
    lines.finish()
    _finish(run, report, started, status, message)
    return report


# An import that read at least this many rows refreshes the planner statistics of the tables it
# loads (autovacuum gets there eventually; the first dashboards and the next nightly run would be
# planned on the old counts meanwhile: docs/benchmarks.md).
ANALYZE_MIN_ROWS = 10_000
LOADED_TABLES = (TEAMS, PEOPLE, PRODUCTS, ACCOUNTS, DEALS, SPLITS, COSTS)


def _analyze_after_load(report: ImportReport) -> None:
    if sum(f.rows for f in report.files.values()) >= ANALYZE_MIN_ROWS:
        with connection.cursor() as cursor:
            tables = sql.SQL(", ").join(sql.Identifier(table) for table in LOADED_TABLES)
            cursor.execute(sql.SQL("ANALYZE {}").format(tables))


def _note_agents_without_deals(context: ImportContext, report: ImportReport) -> None:
    teams = report.files.get("teams")
    if teams is None or "opportunities" not in report.files:
        return
    for pk, (line, name) in sorted(context.agent_lines.items(), key=lambda item: item[1]):
        if pk not in context.deal_owner_ids:
            teams.info(line, "sales_agent", "Agent without deals in the opportunities file.", name)


def _outcome(report: ImportReport) -> tuple[str, str]:
    errors = report.error_count
    if report.dry_run:
        suffix = f" {errors} bad rows." if errors else " No bad rows."
        return ImportStatus.DRY_RUN, "Dry run: nothing was written." + suffix
    if report.strict and errors:
        return ImportStatus.FAILED, f"Nothing was written: {errors} bad rows (strict mode)."
    if errors:
        return ImportStatus.PARTIAL, f"Imported; {errors} bad rows were skipped."
    return ImportStatus.SUCCESS, "Imported without errors."


def _finish(
    run: ImportRun, report: ImportReport, started: float, status: str, message: str
) -> None:
    report.status = status
    report.message = message
    report.duration_seconds = time.monotonic() - started
    run.status = status
    run.finished_at = timezone.now()
    run.report = report.as_dict()
    run.error_count = report.error_count
    run.warning_count = report.warning_count
    run.save(update_fields=["status", "finished_at", "report", "error_count", "warning_count"])

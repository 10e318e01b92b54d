"""python manage.py compute_efficiency [--as-of D] [--full] [--backfill-from D0 | --history-months N]

Runs the same service as the nightly task, in this process, and records each business date as
that job's JobRun (trigger "command line"), so /ops/ lists it and the worker does not compute the
date again. `--as-of` and `--backfill-from` are an operator's explicit request: they re-run dates
that already succeeded. `--history-months N` computes only the dates of the last N months that
have no successful run yet (what `make run` does for the demo's trend): a second run does nothing.
Only the first date computed refreshes the per-day aggregates; each later one follows from the
one before (efficiency_run_single's `refresh`).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from salesops.hooks import efficiency_published
from salesops.services.efficiency import (
    efficiency_history_dates,
    efficiency_run_command,
    nightly_business_date,
)


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"'{value}' is not a date like 2026-03-31.") from exc


def _months(value: str) -> int:
    if not value.isdigit() or not 1 <= int(value) <= 36:
        raise CommandError(f"--history-months takes 1 to 36 months, not '{value}'.")
    return int(value)


class Command(BaseCommand):
    help = "Compute efficiency snapshots for a business date (or a range of them)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--as-of", type=_date, help="Business date (default: yesterday, company time)."
        )
        parser.add_argument(
            "--full", action="store_true", help="Rebuild the per-day aggregates from scratch."
        )
        span = parser.add_mutually_exclusive_group()
        span.add_argument(
            "--backfill-from",
            type=_date,
            help="Compute every business date from this one up to --as-of.",
        )
        span.add_argument(
            "--history-months",
            type=_months,
            help="Compute the business dates of the last N months up to --as-of that have no "
            "successful run yet (a second run computes nothing).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        as_of: date = options["as_of"] or nightly_business_date()
        months: int | None = options["history_months"]
        if months is not None:
            days = efficiency_history_dates(as_of=as_of, months=months)
        else:
            first: date = options["backfill_from"] or as_of
            if first > as_of:
                raise CommandError("--backfill-from must not be after --as-of.")
            days = [first + timedelta(days=i) for i in range((as_of - first).days + 1)]
        full = options["full"]
        show = options["verbosity"] > 0
        rows = computed = busy = 0
        bar = tqdm(days, desc="efficiency", unit="day", disable=not show or len(days) < 2)
        for day in bar:
            # The first date computed refreshes the per-day aggregates (in full with --full);
            # the later ones follow from it.
            result = efficiency_run_command(
                as_of=day,
                full=full and not computed,
                refresh=not computed,
                again=months is None,
            )
            if result is None:
                busy += 1
                continue
            computed += 1
            rows += result.rows
        if computed:
            efficiency_published(max(days))  # the pages read the newest night (salesops.hooks)
        if not show:
            return
        if busy:
            self.stdout.write(
                self.style.WARNING(f"{busy} business date(s) skipped: a worker is computing them.")
            )
        if months is not None and not computed and not busy:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Efficiency history of the last {months} month(s) up to {as_of} is "
                    "already computed."
                )
            )
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Efficiency snapshots computed for {computed} business date(s) up to "
                f"{as_of}: {rows} rows written."
            )
        )

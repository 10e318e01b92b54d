"""python manage.py compute_efficiency [--as-of YYYY-MM-DD] [--full] [--backfill-from YYYY-MM-DD]

Runs the same service as the nightly task, directly (an operator's explicit request: it does
not consult or write JobRun, so it also re-runs a date that already succeeded).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from salesops.services.efficiency import efficiency_snapshots_compute, nightly_business_date


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"'{value}' is not a date like 2026-03-31.") from exc


class Command(BaseCommand):
    help = "Compute efficiency snapshots for a business date (or a range of them)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--as-of", type=_date, help="Business date (default: yesterday, company time)."
        )
        parser.add_argument(
            "--full", action="store_true", help="Rebuild the per-day aggregates from scratch."
        )
        parser.add_argument(
            "--backfill-from",
            type=_date,
            help="Compute every business date from this one up to --as-of.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        as_of: date = options["as_of"] or nightly_business_date()
        first: date = options["backfill_from"] or as_of
        if first > as_of:
            raise CommandError("--backfill-from must not be after --as-of.")
        days = [first + timedelta(days=i) for i in range((as_of - first).days + 1)]
        rows = 0
        full = options["full"]
        show = options["verbosity"] > 0
        for index, day in enumerate(tqdm(days, unit="day", disable=not show or len(days) < 2)):
            # A full rebuild once is enough: later days of a backfill refresh incrementally.
            result = efficiency_snapshots_compute(as_of=day, full=full and index == 0)
            rows += result.rows
        if show:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Efficiency snapshots computed for {len(days)} business date(s) up to "
                    f"{as_of}: {rows} rows written."
                )
            )

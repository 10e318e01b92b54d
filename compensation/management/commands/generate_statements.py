"""Generate (or recompute) the draft statements of one fiscal month, with a progress bar.

manage.py generate_statements --period FY2026-M03 [--person 12 --person 40]

The same service as the statements page's button (compensation.services.statements); approved
and paid statements are left as they are, and a draft that would not change is not written.
"""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from compensation.services.statements import statements_generate
from salesops import calendar


class Command(BaseCommand):
    help = "Draft or recompute the commission statements of one fiscal month."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--period", help="Fiscal month key, e.g. FY2026-M03 (default: the current month)."
        )
        parser.add_argument(
            "--person", type=int, action="append", help="Only this person id (repeatable)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            period = (
                calendar.parse(options["period"])
                if options["period"]
                else calendar.period_containing(calendar.company_today())
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        show = options["verbosity"] > 0
        with tqdm(
            desc=period.key, unit=" people", file=sys.stderr, disable=not show, total=0
        ) as bar:

            def progress(done: int, total: int) -> None:
                if bar.total != total:
                    bar.total = total
                    bar.refresh()
                bar.update(done - bar.n)

            report = statements_generate(
                period=period, person_ids=options["person"], progress=progress
            )
        self.stdout.write(
            f"{period.key}: {report.created} created, {report.updated} updated, "
            f"{report.unchanged} unchanged, {report.locked} locked, {report.skipped} skipped, "
            f"{report.failed} failed."
        )

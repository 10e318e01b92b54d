"""Run the assignment engine of one territory model from the command line, with a progress bar.

manage.py territory_assign --model 3 [--dry-run]
"""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from salesops.exceptions import ApplicationError
from territories.models import TerritoryModel
from territories.services import territory_assignments_run
from territories.services.assignment import RUN_STEPS


class Command(BaseCommand):
    help = "Assign every account to a territory of a model (default: the active model)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--model", type=int, help="Territory model id (default: active).")
        parser.add_argument("--dry-run", action="store_true", help="Report; write nothing.")

    def handle(self, *args: Any, **options: Any) -> None:
        models = TerritoryModel.objects.all()
        model = (
            models.filter(pk=options["model"]).first()
            if options["model"]
            else models.filter(state="active").first()
        )
        if model is None:
            raise CommandError("No such territory model (and no active one).")
        show = options["verbosity"] > 0
        with tqdm(
            total=RUN_STEPS, desc=model.name, unit=" steps", file=sys.stderr, disable=not show
        ) as bar:
            try:
                result = territory_assignments_run(
                    model=model,
                    dry_run=options["dry_run"],
                    progress=lambda step: bar.update(step - bar.n),
                )
            except ApplicationError as exc:
                raise CommandError(exc.message) from exc
        verb = "would change" if options["dry_run"] else "changed"
        self.stdout.write(
            f"{model.name}: {result.accounts} accounts, {result.changed} {verb}, "
            f"{result.unassigned} unassigned."
        )

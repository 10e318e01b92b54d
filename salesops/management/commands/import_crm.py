"""python manage.py import_crm --teams F --accounts F --products F --opportunities F [--costs F]"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from salesops.importer.render import report_text
from salesops.importer.services import crm_import_run
from salesops.models import ImportStatus


class Command(BaseCommand):
    help = "Import a CRM export (teams, accounts, products, opportunities, costs CSV files)."

    def add_arguments(self, parser: CommandParser) -> None:
        for kind in ("teams", "accounts", "products", "opportunities"):
            parser.add_argument(f"--{kind}", required=True, type=Path, metavar="FILE")
        parser.add_argument("--costs", type=Path, metavar="FILE")
        parser.add_argument(
            "--stage-map",
            default="",
            help='JSON object of foreign stage → stage, e.g. \'{"Engaging": "presentation"}\'.',
        )
        parser.add_argument("--dry-run", action="store_true", help="Validate and report only.")
        parser.add_argument(
            "--strict", action="store_true", help="Write nothing if any row is bad."
        )
        parser.add_argument("--json", action="store_true", help="Print the report as JSON.")

    def handle(self, *args: Any, **options: Any) -> None:
        files = {
            kind: options[kind]
            for kind in ("teams", "accounts", "products", "opportunities", "costs")
            if options[kind] is not None
        }
        for kind, path in files.items():
            if not path.is_file():
                raise CommandError(f"--{kind}: no such file: {path}")
        try:
            report = crm_import_run(
                files=files,
                stage_map=options["stage_map"],
                dry_run=options["dry_run"],
                strict=options["strict"],
                user=None,
                origin="command",
                progress=True,
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        if options["json"]:
            import json

            self.stdout.write(json.dumps(report.as_dict(), indent=2, default=str))
        else:
            self.stdout.write(report_text(report))
        if report.status == ImportStatus.FAILED:
            raise CommandError(report.message)

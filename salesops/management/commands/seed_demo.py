"""`python manage.py seed_demo [--scale small|large] [--seed N] [--if-empty]`."""

from __future__ import annotations

import argparse
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from salesops.demo import SCALES, DemoError, core_data_exists, demo_seed, demo_size


class Command(BaseCommand):
    help = (
        "Load a deterministic synthetic sales org into an empty database: teams, people of every "
        "role, accounts, products, deals with splits and a cost ledger, then each app's demo data. "
        "small (~60 people, 5,000 deals) takes seconds; large (5,000 people, 1,000,000 deals, "
        "~1,000,000 cost rows) loads by PostgreSQL COPY in minutes."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", choices=sorted(SCALES), default="small")
        parser.add_argument("--seed", type=int, default=1, help="Same seed, same data (default 1).")
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when the database already holds sales data (for `make run`).",
        )
        # Private knobs for tests and experiments: a reduced size, and the loader to use.
        for name in ("people", "accounts", "deals", "cost-rows"):
            parser.add_argument(f"--{name}", type=int, default=None, help=argparse.SUPPRESS)
        parser.add_argument(
            "--loader", choices=["auto", "bulk", "copy"], default="auto", help=argparse.SUPPRESS
        )

    def handle(self, *args: Any, **options: Any) -> None:
        verbosity = int(options["verbosity"])
        if options["if_empty"] and core_data_exists():
            if verbosity:
                self.stdout.write("Sales data already present; seed_demo --if-empty does nothing.")
            return
        size = demo_size(
            options["scale"],
            people=options["people"],
            accounts=options["accounts"],
            deals=options["deals"],
            cost_rows=options["cost_rows"],
        )
        started = time.monotonic()
        try:
            counts = demo_seed(
                seed=options["seed"],
                scale=options["scale"],
                size=size,
                loader=options["loader"],
                progress=verbosity > 0,
                log=(lambda msg: self.stdout.write(f"  {msg}"))
                if verbosity > 1
                else (lambda _m: None),
            )
        except DemoError as exc:
            raise CommandError(str(exc)) from exc
        if verbosity:
            summary = ", ".join(f"{n:,} {name}" for name, n in counts.items())
            self.stdout.write(
                self.style.SUCCESS(
                    f"Demo data loaded in {time.monotonic() - started:.1f}s "
                    f"(scale {options['scale']}, seed {options['seed']}): {summary}."
                )
            )
            self.stdout.write("Logins (password demo12345): admin, ops, manager, rep.")

"""Orchestrates the demo data set: org → accounts → products → deals + splits → cost ledger →
the apps' own demo hooks, in one transaction.

Deterministic: every part draws from its own `random.Random` stream derived from the seed, and all
ids are assigned by the generator, so the same seed and the same "today" give the same rows with
the same ids. "Today" is the company's (`calendar.company_today()`) unless given, so the demo always looks current.
"""

from __future__ import annotations

import hashlib
import importlib
import random
import time
from collections.abc import Callable, Iterable
from contextlib import nullcontext
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from django.db import connection, models, transaction
from psycopg2 import sql
from tqdm import tqdm

from salesops import calendar
from salesops.demo.ledger import COST_COLUMNS, costs_generate, travel_factor
from salesops.demo.loaders import (
    BulkLoader,
    CopyLoader,
    Loader,
    deferred_indexes,
    sequences_reset,
)
from salesops.demo.org import Org, org_build, org_write
from salesops.demo.pipeline import (
    ACCOUNT_COLUMNS,
    DEAL_COLUMNS,
    PRODUCT_COLUMNS,
    SPLIT_COLUMNS,
    AccountIndex,
    DealStats,
    accounts_generate,
    deals_generate,
    products_generate,
)
from salesops.models import Account, Deal, DealSplit, Person, Product, SalesCost, Team

# Apps whose `<app>.demo.seed_demo(*, seed, scale)` runs after the core data, in this order.
DEMO_HOOKS = ("territories", "compensation", "meetings")
CORE_MODELS: tuple[type[models.Model], ...] = (
    Team,
    Person,
    Account,
    Product,
    Deal,
    DealSplit,
    SalesCost,
)


@dataclass(frozen=True)
class DemoSize:
    people: int
    accounts: int
    deals: int
    # Approximate ledger size; None lets the ledger follow from the org (small demo).
    cost_rows: int | None = None


SCALES = {
    "small": DemoSize(people=60, accounts=500, deals=5_000),
    "large": DemoSize(people=5_000, accounts=50_000, deals=1_000_000, cost_rows=1_000_000),
}
CHUNK = {"bulk": 5_000, "copy": 50_000}


class DemoError(Exception):
    pass


def core_data_exists() -> bool:
    return any(m._default_manager.exists() for m in CORE_MODELS)


def _rng(seed: int, part: str) -> random.Random:
    # String seeds hash with SHA-512: stable across runs and Python versions.
    return random.Random(f"salesops-demo:{seed}:{part}")


def demo_seed(
    *,
    seed: int,
    scale: str,
    size: DemoSize | None = None,
    loader: str = "auto",
    today: date | None = None,
    progress: bool = False,
    log: Callable[[str], None] = lambda _msg: None,
    hooks: bool = True,
) -> dict[str, int]:
    """Load the demo into an empty database; returns row counts per table.

    `loader`: "bulk" (bulk_create in batches), "copy" (PostgreSQL COPY) or "auto" (COPY for the
    large scale). Raises DemoError for an unknown scale or loader, or when core data exists.
    """
    if scale not in SCALES:
        raise DemoError(f"Unknown scale '{scale}' (choose {', '.join(SCALES)}).")
    size = size or SCALES[scale]
    if loader == "auto":
        loader = "copy" if scale == "large" else "bulk"
    if loader not in CHUNK:
        raise DemoError(f"Unknown loader '{loader}' (choose auto, {', '.join(CHUNK)}).")
    if core_data_exists():
        raise DemoError("The database already holds sales data; seed_demo only fills an empty one.")
    today = today or calendar.company_today()
    run = _Run(
        writer=CopyLoader() if loader == "copy" else BulkLoader(),
        chunk=CHUNK[loader],
        progress=progress,
        log=log,
    )
    counts: dict[str, int] = {}
    with transaction.atomic():
        t0 = time.monotonic()
        org = org_build(rng=_rng(seed, "org"), people=size.people, today=today)
        counts.update(org_write(org=org))
        log(f"org: {counts['teams']} teams, {counts['people']} people ({_since(t0)})")
        bulk_tables = (Account, Deal, DealSplit, SalesCost)
        with deferred_indexes(bulk_tables) if loader == "copy" else nullcontext():
            index = _load_accounts(run, seed=seed, org=org, size=size, today=today, counts=counts)
            stats = _load_deals(run, seed=seed, org=org, size=size, today=today, index=index)
            counts["deals"], counts["deal_splits"] = size.deals, stats.splits
            counts["costs"] = _load_costs(
                run, seed=seed, org=org, size=size, today=today, stats=stats
            )
            t0 = time.monotonic()
        if loader == "copy":
            log(f"indexes and foreign keys re-created ({_since(t0)})")
        sequences_reset(CORE_MODELS)
        if loader == "copy":
            with connection.cursor() as cursor:
                for model in CORE_MODELS:
                    cursor.execute(
                        sql.SQL("ANALYZE {}").format(sql.Identifier(model._meta.db_table))
                    )
        if hooks:
            for app in DEMO_HOOKS:
                t0 = time.monotonic()
                importlib.import_module(f"{app}.demo").seed_demo(seed=seed, scale=scale)
                log(f"{app}.demo ({_since(t0)})")
        # Fresh statistics for every table the demo wrote: without them the planner guessed the
        # territory closure tiny and the first efficiency run took minutes instead of a second.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        t0 = time.monotonic()
    log(f"commit ({_since(t0)})")
    return counts


@dataclass
class _Run:
    writer: Loader
    chunk: int
    progress: bool
    log: Callable[[str], None]

    def bar(self, total: int, desc: str) -> Any:
        return tqdm(total=total, desc=desc, unit=" rows", disable=not self.progress)


def _since(t0: float) -> str:
    return f"{time.monotonic() - t0:.1f}s"


def _load_accounts(
    run: _Run, *, seed: int, org: Org, size: DemoSize, today: date, counts: dict[str, int]
) -> AccountIndex:
    t0 = time.monotonic()
    index = AccountIndex()
    accounts = accounts_generate(
        rng=_rng(seed, "accounts"), org=org, count=size.accounts, today=today, index=index
    )
    with run.bar(size.accounts, "accounts") as pbar:
        for rows in _chunks(accounts, run.chunk):
            run.writer.write(Account, ACCOUNT_COLUMNS, rows)
            pbar.update(len(rows))
    products = products_generate()
    run.writer.write(Product, PRODUCT_COLUMNS, products)
    counts["accounts"], counts["products"] = size.accounts, len(products)
    run.log(f"accounts: {size.accounts}, products: {len(products)} ({_since(t0)})")
    return index


def _load_deals(
    run: _Run, *, seed: int, org: Org, size: DemoSize, today: date, index: AccountIndex
) -> DealStats:
    t0 = time.monotonic()
    stats = DealStats()
    deals = deals_generate(
        rng=_rng(seed, "deals"),
        org=org,
        count=size.deals,
        today=today,
        accounts=index,
        chunk=run.chunk,
        stats=stats,
    )
    with run.bar(size.deals, "deals") as pbar:
        for deal_rows, split_rows in deals:
            run.writer.write(Deal, DEAL_COLUMNS, deal_rows)
            run.writer.write(DealSplit, SPLIT_COLUMNS, split_rows)
            pbar.update(len(deal_rows))
    run.log(f"deals: {size.deals}, splits: {stats.splits} ({_since(t0)})")
    return stats


def _load_costs(
    run: _Run, *, seed: int, org: Org, size: DemoSize, today: date, stats: DealStats
) -> int:
    t0 = time.monotonic()
    costs = costs_generate(
        rng=_rng(seed, "costs"),
        org=org,
        stats=stats,
        today=today,
        travel_scale=travel_factor(org=org, stats=stats, today=today, target_rows=size.cost_rows),
        chunk=run.chunk,
    )
    written = 0
    with run.bar(size.cost_rows or 0, "costs") as pbar:
        for rows in costs:
            run.writer.write(SalesCost, COST_COLUMNS, rows)
            written += len(rows)
            pbar.update(len(rows))
    run.log(f"costs: {written} ({_since(t0)})")
    return written


def _chunks(rows: Iterable[Any], size: int) -> Iterable[list[Any]]:
    batch: list[Any] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def demo_size(scale: str, **overrides: int | None) -> DemoSize:
    """The size of a scale with some counts replaced (None keeps the scale's)."""
    base = SCALES[scale]
    return replace(base, **{k: v for k, v in overrides.items() if v is not None})


def demo_digest() -> str:
    """SHA-256 over the core rows in id order (timestamps left out): equal digests, equal data."""
    digest = hashlib.sha256()
    for model in CORE_MODELS:
        fields = [
            f.attname
            for f in model._meta.concrete_fields
            if f.attname not in ("created_at", "updated_at", "user_id")
        ]
        qs = model._default_manager.order_by("pk").values_list(*fields)
        digest.update(model._meta.label.encode())
        for row in qs.iterator(chunk_size=10_000):
            digest.update(repr(row).encode())
    logins = Person.objects.filter(user__isnull=False).order_by("pk")
    digest.update(repr(list(logins.values_list("pk", "user__username"))).encode())
    return digest.hexdigest()

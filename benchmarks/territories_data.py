"""The territory assignment benchmark's data: a generated territory model with its rules, and
synthetic accounts (in the bench database, or in a schema of their own for the 1,000,000-account
case, reached through `search_path`). Deterministic for a given random.Random.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

from psycopg2 import sql

from benchmarks.harness import execute
from territories.models import AssignmentRule, Territory, TerritoryModel, TerritoryType
from territories.services.tree import paths_fill

SCHEMA = "bench_territories"
TABLES = (
    "salesops_account",
    "territories_territorymodel",
    "territories_territory",
    "territories_assignmentrule",
    "territories_pin",
    "territories_accountterritory",
)
COUNTRIES = [
    "DE", "FR", "GB", "US", "IT", "ES", "NL", "BE", "AT", "CH", "SE", "NO", "DK", "FI", "PL",
    "CZ", "PT", "IE", "CA", "MX", "BR", "AR", "JP", "CN", "IN", "AU", "NZ", "SG", "KR", "ZA",
]  # fmt: skip
SECTORS = ["retail", "technology", "finance", "energy", "health", "telecom", "media", "public"]
REGIONS = ["North", "South", "East", "West", "Central"]


@contextmanager
def search_path(schema: str | None) -> Iterator[None]:
    if schema:
        execute(sql.SQL("SET search_path TO {}, public").format(sql.Identifier(schema)))
    try:
        yield
    finally:
        if schema:
            execute("SET search_path TO public")


def build_model(rng: random.Random, *, name: str, rules: int, countryless: int) -> TerritoryModel:
    """Regions → countries → segments, and `rules` rules spread over them (bulk, set-based)."""
    model = TerritoryModel.objects.create(name=name)
    regions = Territory.objects.bulk_create(
        [Territory(model=model, name=f"Region {i}", path="") for i in range(6)]
    )
    countries = Territory.objects.bulk_create(
        [
            Territory(model=model, name=code, parent=regions[i % 6], path="")
            for i, code in enumerate(COUNTRIES)
        ]
    )
    segments = Territory.objects.bulk_create(
        [
            Territory(
                model=model, name=f"{c.name} {s}", parent=c, path="", type=TerritoryType.SEGMENT
            )
            for c in countries
            for s in ("Enterprise", "Mid", "SMB")
        ]
    )
    paths_fill(model_id=model.pk)
    by_code = {t.name: t for t in countries}
    tree = [*regions, *countries, *segments]
    objs: list[AssignmentRule] = []
    for i in range(rules):
        if i < countryless:
            territory = rng.choice(tree)
            codes: list[str] = []
        else:
            code = rng.choice(COUNTRIES)
            territory = rng.choice(
                [by_code[code], *[s for s in segments if s.parent_id == by_code[code].pk]]
            )
            codes = [code] + ([rng.choice(COUNTRIES)] if rng.random() < 0.2 else [])
        lo_emp = rng.choice([None, None, 50, 250, 1000])
        objs.append(
            AssignmentRule(
                territory=territory,
                name=f"bench {i}",
                priority=rng.randrange(0, 50),
                countries=sorted(set(codes)),
                regions=rng.sample(REGIONS, 2) if rng.random() < 0.3 else [],
                sectors=rng.sample(SECTORS, rng.randrange(1, 4)) if rng.random() < 0.5 else [],
                postal_prefix=str(rng.randrange(10)) if rng.random() < 0.15 else "",
                employees_min=lo_emp,
                employees_max=rng.choice([None, 20000]) if lo_emp else None,
                revenue_min=Decimal(rng.choice([1, 5, 50]) * 1_000_000)
                if rng.random() < 0.25
                else None,
                name_pattern="*" + rng.choice("abcdefgh") + "*" if rng.random() < 0.05 else "",
            )
        )
    AssignmentRule.objects.bulk_create(objs, batch_size=1000)
    # Fresh statistics, so neither the engine nor the floor is planned on empty-table guesses.
    execute("ANALYZE territories_territory")
    execute("ANALYZE territories_assignmentrule")
    execute("ANALYZE territories_pin")
    return model


ACCOUNTS_SQL = """
INSERT INTO salesops_account (name, sector, country, region, postal_code, employees,
    annual_revenue, created_at, updated_at)
SELECT 'Bench account ' || i || ' ' || chr((97 + i * 7 %% 26)::int) || chr((97 + i * 11 %% 26)::int),
       (%(sectors)s::text[])[1 + (i * 31 %% %(n_sectors)s)],
       (%(countries)s::text[])[1 + ((i * 2654435761) %% 4294967296) %% %(n_countries)s],
       (%(regions)s::text[])[1 + (i * 17 %% 5)],
       lpad(((i * 40503) %% 100000)::text, 5, '0'),
       CASE WHEN i %% 10 = 0 THEN NULL ELSE (i * 7919) %% 20000 END,
       ((i * 104729) %% 100000)::numeric * 1000,
       now(), now()
FROM generate_series(%(first)s::bigint, %(last)s::bigint) AS i
"""


def add_accounts(first: int, last: int) -> None:
    execute(
        ACCOUNTS_SQL,
        {
            "sectors": SECTORS,
            "n_sectors": len(SECTORS),
            "countries": COUNTRIES,
            "n_countries": len(COUNTRIES),
            "regions": REGIONS,
            "first": first,
            "last": last,
        },
    )


def schema_setup(accounts: int) -> None:
    execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(SCHEMA)))
    execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(SCHEMA)))
    for table in TABLES:
        execute(
            sql.SQL("CREATE TABLE {} (LIKE {} INCLUDING ALL)").format(
                sql.Identifier(SCHEMA, table), sql.Identifier("public", table)
            )
        )
    with search_path(SCHEMA):
        add_accounts(1, accounts)
        execute("ANALYZE salesops_account")

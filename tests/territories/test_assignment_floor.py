"""The assignment engine's plan settings, and the benchmark floor it is measured against.

A full run computes the winners with hash joins only (the planner otherwise picks a nested loop
over the accounts' index, 1.5-10x slower at 50,000 accounts: docs/benchmarks.md) and leaves the
caller's settings as they were; a run for some accounts plans as usual. The floor of
`make bench` (one INSERT … SELECT of each account's best-ranked rule) writes exactly the engine's
rows, and so does the earlier floor kept as an info line.
"""

from __future__ import annotations

import random

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from benchmarks import territories_data, territories_floors
from benchmarks.harness import execute
from salesops import calendar
from salesops.models import Account
from territories import engine
from territories.models import AccountTerritory, PinKind, Territory
from territories.services import pin_set, territory_assignments_run
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db


def _setting(name: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting(%s)", [name])
        return str(cursor.fetchone()[0])


def _open_rows(model_id: int) -> set[tuple[int, int | None, int | None, str]]:
    return set(
        AccountTerritory.objects.filter(model_id=model_id, valid_to__isnull=True).values_list(
            "account_id", "territory_id", "rule_id", "source"
        )
    )


def _model_with_accounts(seed: int, *, rules: int = 80, accounts: int = 600):
    rng = random.Random(seed)
    territories_data.add_accounts(1, accounts)
    # Accounts the synthetic ones never are: no region, no sector, no country, no postal code.
    AccountFactory(country="", region="", sector="", postal_code="", employees=None)
    AccountFactory(country="DE", region="", sector="retail", postal_code="")
    model = territories_data.build_model(rng, name=f"floor {seed}", rules=rules, countryless=6)
    return model


def test_a_full_run_plans_the_winners_with_hash_joins_and_restores_the_settings():
    model = _model_with_accounts(1, rules=10, accounts=20)
    with transaction.atomic():
        before = (_setting("enable_nestloop"), _setting("enable_mergejoin"))
        with CaptureQueriesContext(connection) as queries:
            territory_assignments_run(model=model)
        after = (_setting("enable_nestloop"), _setting("enable_mergejoin"))
    statements = [q["sql"] for q in queries.captured_queries]
    winner = next(i for i, s in enumerate(statements) if "CREATE TEMP TABLE tt_winner" in s)
    assert "set_config('enable_nestloop', 'off', true)" in statements[winner - 1]
    assert "set_config('enable_nestloop'" in statements[winner + 1]
    assert after == before == ("on", "on")


def test_a_run_for_some_accounts_plans_as_usual():
    model = _model_with_accounts(2, rules=10, accounts=20)
    account = AccountFactory(country="DE")
    with CaptureQueriesContext(connection) as queries:
        territory_assignments_run(model=model, account_ids=[account.pk])
    assert not any("enable_nestloop" in q["sql"] for q in queries.captured_queries)
    assert AccountTerritory.objects.filter(model=model, valid_to__isnull=True).count() == 1


@pytest.mark.parametrize("seed", [3, 4])
def test_the_bench_floors_write_the_engines_rows(seed):
    model = _model_with_accounts(seed)
    territories = list(Territory.objects.filter(model=model).order_by("pk"))
    some = list(Account.objects.order_by("pk")[:2])
    pin_set(model=model, account=some[0], kind=PinKind.PIN, territory=territories[-1])
    pin_set(model=model, account=some[1], kind=PinKind.EXCLUSION, territory=None)

    territory_assignments_run(model=model)
    expected = _open_rows(model.pk)
    assert {source for *_, source in expected} >= {"rule", "pin", "excluded"}

    AccountTerritory.objects.filter(model=model).delete()
    params = {
        "model": model.pk,
        "today": calendar.company_today(),
        "work_mem": engine.WORK_MEM,
    }
    with transaction.atomic():
        execute(territories_floors.FLOOR_SETTINGS, params)
        execute(territories_floors.FLOOR_SQL, params)
    assert _open_rows(model.pk) == expected

    execute("DROP TABLE IF EXISTS tb_floor")
    execute("CREATE TEMP TABLE tb_floor (LIKE territories_accountterritory INCLUDING ALL)")
    execute(territories_floors.OLD_FLOOR_SQL, params)
    old = set(execute("SELECT account_id, territory_id, rule_id, source FROM tb_floor"))
    assert old == expected

"""A run that moves many accounts refreshes the planner's statistics of what it wrote (issue 22
item 2): a planning copy's first run writes every account's row, and the copy's balance page,
opened right after, was planned as if there were none (19 s instead of 1 s on the large demo)."""

from __future__ import annotations

import random

import pytest
from django.db import connection

from benchmarks import territories_data
from territories import engine
from territories.models import AccountTerritory
from territories.services import assignment, territory_assignments_run

pytestmark = pytest.mark.django_db


def _planner_rows(table: str) -> float:
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [table])
        return float(cursor.fetchone()[0])


def _model(accounts: int):
    territories_data.add_accounts(1, accounts)
    return territories_data.build_model(random.Random(3), name="stats", rules=10, countryless=2)


def test_a_run_that_moves_many_accounts_leaves_statistics_that_count_them(monkeypatch):
    monkeypatch.setattr(assignment, "ANALYZE_AFTER_CHANGES", 25)
    model = _model(accounts=60)
    result = territory_assignments_run(model=model)
    assert result.changed >= 25
    written = AccountTerritory.objects.count()
    assert written >= 60
    assert _planner_rows(engine.HISTORY) == written


def test_a_small_run_does_not_pay_for_an_analyze(monkeypatch):
    monkeypatch.setattr(assignment, "ANALYZE_AFTER_CHANGES", 10_000)
    analyzed: list[str] = []
    monkeypatch.setattr(assignment, "_analyze", lambda cursor: analyzed.append("yes"))
    territory_assignments_run(model=_model(accounts=30))
    assert analyzed == []

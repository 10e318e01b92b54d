"""`manage.py seed_demo`: what the demo data set contains, its logins, determinism, and the COPY path."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection

from salesops.demo import DemoError, DemoSize, demo_digest, demo_seed
from salesops.models import (
    Account,
    CostCategory,
    Deal,
    DealSplit,
    Person,
    SalesCost,
    Team,
)

TODAY = dt.date(2026, 5, 20)
TINY = DemoSize(people=40, accounts=150, deals=1_500)
CORE_TABLES = (
    "salesops_team",
    "salesops_person",
    "salesops_account",
    "salesops_product",
    "salesops_deal",
    "salesops_dealsplit",
    "salesops_salescost",
    "auth_user",
)

pytestmark = pytest.mark.django_db


def _wipe() -> None:
    """Empty the core tables inside the test transaction (fire deferred FK checks first)."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"TRUNCATE {', '.join(CORE_TABLES)} RESTART IDENTITY CASCADE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def _deals_whose_splits_do_not_sum_to_100() -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT d.id, COALESCE(SUM(s.percent), 0)
            FROM salesops_deal d LEFT JOIN salesops_dealsplit s ON s.deal_id = d.id
            GROUP BY d.id HAVING COALESCE(SUM(s.percent), 0) <> 100
            """
        )
        return cursor.fetchall()


def test_same_seed_gives_identical_rows_and_another_seed_different_ones() -> None:
    demo_seed(seed=11, scale="small", size=TINY, today=TODAY, hooks=False)
    first = demo_digest()
    _wipe()
    demo_seed(seed=11, scale="small", size=TINY, today=TODAY, hooks=False)
    assert demo_digest() == first
    _wipe()
    demo_seed(seed=12, scale="small", size=TINY, today=TODAY, hooks=False)
    assert demo_digest() != first


def test_copy_loader_writes_the_same_rows_as_bulk_create_and_resets_sequences() -> None:
    demo_seed(seed=3, scale="small", size=TINY, today=TODAY, hooks=False, loader="bulk")
    bulk = demo_digest()
    _wipe()
    counts = demo_seed(
        seed=3,
        scale="large",
        size=DemoSize(people=40, accounts=150, deals=1_500),
        today=TODAY,
        hooks=False,
        loader="copy",
    )
    assert demo_digest() == bulk
    assert counts["deals"] == Deal.objects.count() == 1_500
    assert counts["deal_splits"] == DealSplit.objects.count()
    assert _deals_whose_splits_do_not_sum_to_100() == []
    # COPY fills the auto timestamps, and new rows get ids after the copied ones.
    assert not Deal.objects.filter(created_at__isnull=True).exists()
    team = Team.objects.create(name="After the copy")
    assert team.pk == Team.objects.count()


def _schema_of_loaded_tables() -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT 'index', indexdef FROM pg_indexes
            WHERE tablename IN ('salesops_account', 'salesops_deal', 'salesops_dealsplit',
                                'salesops_salescost')
            UNION ALL
            SELECT 'constraint', conrelid::regclass::text || ' ' || pg_get_constraintdef(oid)
            FROM pg_constraint
            WHERE conrelid::regclass::text IN ('salesops_account', 'salesops_deal',
                                               'salesops_dealsplit', 'salesops_salescost')
            ORDER BY 1, 2
            """
        )
        return cursor.fetchall()


def test_copy_path_through_the_command_with_a_reduced_size_keeps_the_schema() -> None:
    schema = _schema_of_loaded_tables()
    call_command(
        "seed_demo",
        "--scale",
        "large",
        "--people",
        "50",
        "--accounts",
        "200",
        "--deals",
        "2000",
        "--cost-rows",
        "10000",
        verbosity=0,
    )
    assert Deal.objects.count() == 2_000
    assert Account.objects.count() == 200
    assert 8_500 <= SalesCost.objects.count() <= 11_500  # travel scales to the asked size
    assert _deals_whose_splits_do_not_sum_to_100() == []
    # Indexes and foreign keys dropped for the load are all back, as they were.
    assert _schema_of_loaded_tables() == schema
    assert len([row for row in schema if "FOREIGN KEY" in row[1]]) >= 6


def test_an_unknown_scale_or_loader_is_refused_before_anything_is_written() -> None:
    with pytest.raises(DemoError, match="Unknown scale 'huge'"):
        demo_seed(seed=1, scale="huge")
    with pytest.raises(DemoError, match="Unknown loader 'csv'"):
        demo_seed(seed=1, scale="small", size=TINY, loader="csv")
    assert not Person.objects.exists()


def test_app_demo_hooks_run_after_the_core_data_in_order(monkeypatch: pytest.MonkeyPatch) -> None:
    import compensation.demo
    import meetings.demo
    import territories.demo

    calls: list[tuple[str, int, str, int]] = []
    for module in (territories.demo, compensation.demo, meetings.demo):

        def record(*, seed: int, scale: str, _name: str = module.__name__) -> None:
            calls.append((_name, seed, scale, Deal.objects.count()))

        monkeypatch.setattr(module, "seed_demo", record)
    demo_seed(seed=9, scale="small", size=TINY, today=TODAY)
    assert calls == [
        ("territories.demo", 9, "small", 1_500),
        ("compensation.demo", 9, "small", 1_500),
        ("meetings.demo", 9, "small", 1_500),
    ]


def test_the_current_month_gets_travel_only_for_its_days_so_far() -> None:
    """Travel and adjustments fall on random days of a month: on the 1st, today has about a
    day's worth, not the whole month's crammed into one day (it was 30 times a normal day)."""
    first_of_month = dt.date(2026, 6, 1)
    demo_seed(seed=4, scale="small", size=TINY, today=first_of_month, hooks=False)
    travel = SalesCost.objects.filter(category=CostCategory.TRAVEL)
    may = travel.filter(date__range=(dt.date(2026, 5, 1), dt.date(2026, 5, 31))).count()
    today = travel.filter(date=first_of_month).count()
    assert may > 40
    assert today <= 3 * may / 31 + 3

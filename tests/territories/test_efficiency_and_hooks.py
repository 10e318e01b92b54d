"""Efficiency rows per territory (SQL run directly), the account hook and the nightly task."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection, transaction

from salesops.hooks import accounts_changed
from salesops.models import DealSplit, JobRun
from territories.efficiency import daily_rows_sql
from territories.models import AccountTerritory
from territories.services import (
    coverage_assign,
    territory_assignments_run,
    territory_model_activate,
)
from tests.factories import AccountFactory, PersonFactory, SalesCostFactory, WonDealFactory
from tests.territories.factories import make_model, make_rule, make_territory

D = Decimal


def rows(start: date, end: date) -> list[tuple]:
    sql, params = daily_rows_sql(start=start, end=end)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [(s, d, D(r), D(c), w) for s, d, r, c, w in cursor.fetchall()]


@pytest.mark.django_db
def test_daily_rows_credit_revenue_by_history_and_split_owner_costs():
    acc = AccountFactory(country="DE")
    model = make_model("Live")
    region = make_territory(model, "Europe")
    de = make_territory(model, "Germany", parent=region)
    fr = make_territory(model, "France", parent=region)
    make_rule(de, countries=["DE"])
    boss, dora = PersonFactory(), PersonFactory()
    coverage_assign(territory=region, person=boss, effective_from=date(2026, 1, 1))
    coverage_assign(territory=de, person=dora, effective_from=date(2026, 1, 1))
    coverage_assign(territory=fr, person=dora, effective_from=date(2026, 1, 1))
    territory_model_activate(model=model, on=date(2026, 1, 1))
    deal = WonDealFactory(account=acc, owner=dora, close_value=D(1000), close_date=date(2026, 3, 2))
    DealSplit.objects.filter(deal=deal).delete()
    DealSplit.objects.create(deal=deal, person=dora, percent=D(75))
    DealSplit.objects.create(deal=deal, person=boss, percent=D(25))
    SalesCostFactory(person=dora, date=date(2026, 3, 2), amount=D(300))
    SalesCostFactory(person=boss, date=date(2026, 3, 2), amount=D(50))
    SalesCostFactory(
        person=dora, date=date(2025, 12, 31), amount=D(999)
    )  # before the model went live

    got = {(s, d): (r, c, w) for s, d, r, c, w in rows(date(2025, 12, 1), date(2026, 3, 31))}

    day = date(2026, 3, 2)
    assert set(got) == {(region.pk, day), (de.pk, day), (fr.pk, day)}
    assert got[(de.pk, day)] == (D(1000), D(150), 1)
    assert got[(fr.pk, day)] == (D(0), D(150), 0)
    # Europe rolls up its subtree: its owner's 50 plus both halves of Dora's 300.
    assert got[(region.pk, day)] == (D(1000), D(350), 1)


@pytest.mark.django_db(transaction=True)
def test_editing_an_account_reassigns_it_on_commit():
    acc = AccountFactory(country="DE")
    model = make_model("Live")
    de = make_territory(model, "Germany")
    at = make_territory(model, "Austria")
    make_rule(de, countries=["DE"])
    make_rule(at, countries=["AT"])
    territory_model_activate(model=model)
    with transaction.atomic():
        acc.country = "AT"
        acc.save()
        transaction.on_commit(lambda: accounts_changed([acc.pk]))
        assert AccountTerritory.objects.get(account=acc, valid_to__isnull=True).territory == de

    assert AccountTerritory.objects.get(account=acc, valid_to__isnull=True).territory == at


@pytest.mark.django_db(transaction=True)
def test_the_core_account_service_reassigns_through_the_hook():
    from salesops.services.accounts import account_update

    acc = AccountFactory(country="DE")
    model = make_model("Live")
    make_territory(model, "Germany")
    at = make_territory(model, "Austria")
    make_rule(at, countries=["AT"])
    territory_model_activate(model=model)

    account_update(account=acc, data={"country": "AT"})

    row = AccountTerritory.objects.get(account=acc, valid_to__isnull=True)
    assert (row.territory_id, row.source) == (at.pk, "rule")


@pytest.mark.celery
def test_nightly_task_reassigns_once_per_business_date(celery_worker):
    from territories.tasks import territory_assignments_nightly_task

    acc = AccountFactory(country="DE")
    model = make_model("Live")
    make_rule(make_territory(model, "Germany"), countries=["DE"])
    territory_model_activate(model=model)
    AccountTerritory.objects.all().delete()

    first = territory_assignments_nightly_task.apply_async(["2026-03-01"], ignore_result=False).get(
        timeout=30
    )
    second = territory_assignments_nightly_task.apply_async(
        ["2026-03-01"], ignore_result=False
    ).get(timeout=30)

    assert (first, second) == (1, 0)

    assert AccountTerritory.objects.filter(account=acc, valid_to__isnull=True).count() == 1
    run = JobRun.objects.get(job="territories.assignments")
    assert (run.status, run.rows, run.attempts) == ("success", 1, 1)
    assert territory_assignments_run(model=model).changed == 0

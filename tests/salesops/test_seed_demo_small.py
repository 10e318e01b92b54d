"""The small demo `make run` loads, seeded once for this module: what it contains and its logins.

Seeding runs every app's demo (statements generated and approved, a year of pay) and takes seconds,
so the read-only checks share one seed in a transaction rolled back at the module's end; each test
runs in a savepoint inside it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import override_settings

from salesops.demo import demo_digest
from salesops.models import (
    OPEN_STAGES,
    Account,
    CostCategory,
    Deal,
    DealSplit,
    Person,
    Product,
    Role,
    SalesCost,
    Stage,
    Team,
)
from tests.salesops.test_seed_demo import _deals_whose_splits_do_not_sum_to_100

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def small_demo(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    # The suite's fast password hasher (tests/conftest.py) is per test: hash with it here too.
    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), transaction.atomic(), fast:
        call_command("seed_demo", "--scale", "small", "--seed", "5", verbosity=0)
        yield
        transaction.set_rollback(True)


def test_small_demo_has_every_role_stage_and_cost_category(small_demo: None) -> None:
    assert 55 <= Person.objects.count() <= 70
    assert Account.objects.count() == 500
    assert Deal.objects.count() == 5_000
    assert set(Person.objects.values_list("role", flat=True)) == set(Role.values)
    assert set(Deal.objects.values_list("stage", flat=True)) == set(Stage.values)
    lost_at = set(Deal.objects.filter(stage=Stage.LOST).values_list("lost_at_stage", flat=True))
    assert lost_at == set(OPEN_STAGES)
    assert not Deal.objects.exclude(stage=Stage.LOST).exclude(lost_at_stage="").exists()
    categories = set(SalesCost.objects.values_list("category", flat=True))
    assert categories == set(CostCategory.values)  # meeting_time comes from the meetings demo
    assert 3_000 <= SalesCost.objects.count() <= 20_000
    negative = SalesCost.objects.filter(amount__lt=0)
    assert negative.exists()
    assert set(negative.values_list("category", flat=True)) == {CostCategory.ADJUSTMENT}
    assert not negative.filter(note="").exists()
    assert Product.objects.values("series").distinct().count() >= 3


def test_every_demo_deal_has_splits_summing_to_100_and_some_are_shared(small_demo: None) -> None:
    assert _deals_whose_splits_do_not_sum_to_100() == []
    fifty_fifty = DealSplit.objects.filter(percent=Decimal(50)).values("deal").distinct().count()
    assert fifty_fifty > 100


def test_demo_dates_reach_two_years_back_and_open_pipeline_into_the_future(
    small_demo: None,
) -> None:
    from salesops import calendar

    today = calendar.company_today()
    closed = Deal.objects.filter(stage__in=[Stage.WON, Stage.LOST])
    assert not closed.filter(close_date__gt=today).exists()
    assert closed.filter(close_date__lt=today - dt.timedelta(days=700)).exists()
    assert Deal.objects.filter(stage__in=OPEN_STAGES, close_date__gt=today).exists()
    assert Person.objects.filter(hire_date__gt=today - dt.timedelta(days=180)).exists()
    zones = set(Person.objects.values_list("time_zone", flat=True))
    assert {"Europe/Berlin", "America/New_York", "America/Los_Angeles", "Asia/Singapore"} <= zones
    assert Account.objects.values("country").distinct().count() >= 10
    assert Account.objects.filter(parent__isnull=False).exists()


def test_won_deals_peak_at_fiscal_quarter_ends(small_demo: None, settings: Any) -> None:
    from salesops import calendar

    won = [
        day
        for day in Deal.objects.filter(stage=Stage.WON).values_list("close_date", flat=True)
        if day is not None
    ]
    last_ten_days = sum(1 for day in won if (calendar.quarter_containing(day).end - day).days < 10)
    # Ten days of a ~91-day quarter would hold ~11 % of closes without the quarter-end push.
    assert last_ten_days / len(won) > 0.25


def test_the_four_demo_logins_work_and_fit_their_personas(small_demo: None, client: Any) -> None:
    for username in ("admin", "ops", "manager", "rep"):
        assert client.login(username=username, password="demo12345"), username
        client.logout()
    users = get_user_model().objects
    admin = users.get(username="admin")
    assert admin.is_superuser and not Person.objects.filter(user=admin).exists()
    assert users.get(username="ops").person.role == Role.SALES_OPS_MANAGER
    assert users.get(username="ops").groups.filter(name=Role.SALES_OPS_MANAGER).exists()
    manager = users.get(username="manager").person
    assert manager.role == Role.SALES_MANAGER
    team = Team.objects.get(manager=manager)
    reps = Person.objects.filter(team=team, role__in=[Role.ACCOUNT_EXECUTIVE, Role.SDR])
    assert reps.count() >= 4
    rep = users.get(username="rep").person
    assert rep.role == Role.ACCOUNT_EXECUTIVE and rep.team == team and rep.manager == manager
    assert rep.deals.count() >= 100
    assert rep.deals.filter(stage=Stage.WON).exists()
    assert DealSplit.objects.filter(person=rep, percent__lt=100).exists()


def test_if_empty_does_nothing_when_data_exists_and_plain_reseed_is_refused(
    small_demo: None,
) -> None:
    digest = demo_digest()
    call_command("seed_demo", "--scale", "small", "--if-empty", verbosity=0)
    assert demo_digest() == digest
    with pytest.raises(CommandError, match="already holds sales data"):
        call_command("seed_demo", "--scale", "small", verbosity=0)

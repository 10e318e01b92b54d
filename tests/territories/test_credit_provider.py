"""Credited won revenue per territory (subtree), the provider of compensation's territory quotas."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from compensation.models import Metric, Quota
from salesops.models import DealSplit
from territories.models import AccountTerritory, TerritoryAssignment
from territories.selectors.attainment import territory_attainment
from territories.selectors.credit import credited_revenue_by_territory
from tests.factories import AccountFactory, DealFactory, PersonFactory, WonDealFactory
from tests.territories.factories import make_model, make_territory

pytestmark = pytest.mark.django_db

D = Decimal
FEB_1, MAR_31 = date(2026, 2, 1), date(2026, 3, 31)


def history(model, account, territory, valid_from, valid_to=None):
    return AccountTerritory.objects.create(
        model=model, account=account, territory=territory,
        source="rule" if territory else "unassigned",
        valid_from=valid_from, valid_to=valid_to,
    )  # fmt: skip


def fixture():
    """Europe > Germany, France (live). The account moves Germany → France on Mar 1.
    Feb 10: won 1,000 (split 75/25) in Germany; Mar 5: won 400 in France (+ a lost deal);
    Apr 5: won 500 (outside); Mar 10: won 300 on an unassigned account. A planning model puts
    the account in its own territory: a what-if, never credited."""
    live = make_model("Live", state="active")
    europe = make_territory(live, "Europe")
    germany = make_territory(live, "Germany", parent=europe)
    france = make_territory(live, "France", parent=europe)
    plan = make_model("Plan")
    plan_de = make_territory(plan, "Germany")
    acc, loose = AccountFactory(), AccountFactory()
    history(live, acc, germany, date(2026, 1, 1), date(2026, 3, 1))
    history(live, acc, france, date(2026, 3, 1))
    history(live, loose, None, date(2026, 1, 1))
    history(plan, acc, plan_de, date(2026, 1, 1))
    ana, ben = PersonFactory(), PersonFactory()
    d1 = WonDealFactory(account=acc, owner=ana, close_value=D(1000), close_date=date(2026, 2, 10))
    DealSplit.objects.filter(deal=d1).delete()
    DealSplit.objects.create(deal=d1, person=ana, percent=D(75))
    DealSplit.objects.create(deal=d1, person=ben, percent=D(25))
    WonDealFactory(account=acc, owner=ana, close_value=D(400), close_date=date(2026, 3, 5))
    DealFactory(account=acc, owner=ana, stage="lost", close_date=date(2026, 3, 5))
    WonDealFactory(account=acc, owner=ana, close_value=D(500), close_date=date(2026, 4, 5))
    WonDealFactory(account=loose, owner=ana, close_value=D(300), close_date=date(2026, 3, 10))
    return europe, germany, france, plan_de


def test_credited_revenue_per_territory_follows_history_at_close_date_and_rolls_up():
    europe, germany, france, plan_de = fixture()

    got = credited_revenue_by_territory(
        [europe.pk, germany.pk, france.pk, plan_de.pk], FEB_1, MAR_31
    )

    assert got == {europe.pk: D(1400), germany.pk: D(1000), france.pk: D(400)}
    assert credited_revenue_by_territory([france.pk], FEB_1, date(2026, 2, 28)) == {}
    assert credited_revenue_by_territory([], FEB_1, MAR_31) == {}


def test_territory_attainment_shows_credited_revenue(personas):
    europe, germany, _france, _plan = fixture()
    for month_start, month_end in [(FEB_1, date(2026, 2, 28)), (date(2026, 3, 1), MAR_31)]:
        Quota.objects.create(
            territory=europe, metric=Metric.REVENUE, fiscal_year=2026,
            period_start=month_start, period_end=month_end, amount=D(1000),
        )  # fmt: skip
    # Scoped like the territories: manager_a reads Europe (and below) because their rep covers it.
    TerritoryAssignment.objects.create(
        territory=europe, person=personas.rep_a1.person, effective_from=date(2026, 1, 1)
    )

    rows = territory_attainment(
        user=personas.manager_a, territory_ids=[europe.pk, germany.pk], start=FEB_1, end=MAR_31
    )

    assert rows[europe.pk].quota == D(2000)
    assert rows[europe.pk].credited == D(1400)
    assert rows[europe.pk].percent == D("70.00")
    assert rows[germany.pk].credited == D(1000) and rows[germany.pk].percent is None
    # Territory quotas are planning figures: a rep sees none, not even of the territory they cover.
    assert (
        territory_attainment(
            user=personas.rep_a1, territory_ids=[europe.pk], start=FEB_1, end=MAR_31
        )
        == {}
    )

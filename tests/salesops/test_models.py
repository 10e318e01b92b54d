import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.db.models.deletion import ProtectedError

from salesops.models import Account, Deal, DealSplit, Person, SalesCost, Team
from tests.factories import (
    AccountFactory,
    DealFactory,
    PersonFactory,
    ProductFactory,
    SalesCostFactory,
    TeamFactory,
    WonDealFactory,
)

pytestmark = pytest.mark.django_db


def _violates(make) -> bool:
    try:
        with transaction.atomic():
            make()
    except IntegrityError:
        return True
    return False


def test_won_deal_without_close_date_is_rejected_by_database():
    deal = DealFactory()
    assert _violates(lambda: Deal.objects.filter(pk=deal.pk).update(stage="won", close_value=10))


def test_lost_deal_without_close_date_is_rejected_but_with_it_is_fine():
    deal = DealFactory()
    assert _violates(lambda: Deal.objects.filter(pk=deal.pk).update(stage="lost"))
    Deal.objects.filter(pk=deal.pk).update(stage="lost", close_date=dt.date(2026, 2, 1))
    assert Deal.objects.get(pk=deal.pk).stage == "lost"


def test_won_deal_needs_close_value():
    deal = DealFactory()
    assert _violates(
        lambda: Deal.objects.filter(pk=deal.pk).update(stage="won", close_date=dt.date(2026, 2, 1))
    )


def test_negative_close_value_is_rejected():
    deal = WonDealFactory()
    assert _violates(lambda: Deal.objects.filter(pk=deal.pk).update(close_value=Decimal("-1")))


def test_close_date_before_engage_date_is_rejected():
    deal = WonDealFactory(engage_date=dt.date(2026, 3, 1))
    assert _violates(lambda: Deal.objects.filter(pk=deal.pk).update(close_date=dt.date(2026, 2, 1)))


def test_cost_must_belong_to_exactly_one_person_or_team():
    person = PersonFactory()
    team = TeamFactory()
    assert _violates(lambda: SalesCostFactory(person=person, team=team))
    assert _violates(lambda: SalesCostFactory(person=None, team=None))
    SalesCostFactory(person=None, team=team)
    assert SalesCost.objects.filter(team=team).count() == 1


def test_negative_cost_only_as_adjustment_with_reason():
    person = PersonFactory()
    assert _violates(lambda: SalesCostFactory(person=person, amount=Decimal("-5")))
    assert _violates(
        lambda: SalesCostFactory(person=person, amount=Decimal("-5"), category="adjustment")
    )
    SalesCostFactory(
        person=person, amount=Decimal("-5"), category="adjustment", note="refund of travel"
    )
    assert SalesCost.objects.filter(amount__lt=0).count() == 1


def test_account_names_are_unique_ignoring_case():
    AccountFactory(name="Acme Corporation")
    assert _violates(lambda: Account.objects.create(name="ACME corporation"))


def test_split_percent_must_be_in_range_and_person_once_per_deal():
    deal = DealFactory()  # owner split 100 %
    assert _violates(lambda: DealSplit.objects.create(deal=deal, person=deal.owner, percent=50))
    other = PersonFactory()
    assert _violates(lambda: DealSplit.objects.create(deal=deal, person=other, percent=0))
    assert _violates(lambda: DealSplit.objects.create(deal=deal, person=other, percent=101))


def test_person_with_deals_cannot_be_hard_deleted():
    deal = DealFactory()
    with pytest.raises(ProtectedError):
        deal.owner.delete()
    assert Person.objects.filter(pk=deal.owner_id).exists()


def test_team_cannot_be_its_own_parent():
    team = TeamFactory()
    assert _violates(lambda: Team.objects.filter(pk=team.pk).update(parent=team))


def test_product_price_cannot_be_negative():
    assert _violates(lambda: ProductFactory(list_price=Decimal("-1")))

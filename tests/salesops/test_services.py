import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from salesops.models import DealSplit, JobRun, JobStatus, SalesCost
from salesops.selectors.credit import credit_by_person
from salesops.services.costs import cost_record, costs_post_computed, costs_withdraw_computed
from salesops.services.deals import deal_create, deal_splits_set, deal_update
from salesops.services.jobs import job_claim, job_fail, job_succeed
from tests.factories import PersonFactory, ProductFactory, WonDealFactory

pytestmark = pytest.mark.django_db


def test_new_deal_credits_its_owner_100_percent():
    owner = PersonFactory()
    deal = deal_create(external_id="X1", owner=owner, product=ProductFactory())
    assert list(deal.splits.values_list("person_id", "percent")) == [(owner.pk, Decimal("100.00"))]


def test_splits_must_sum_to_100():
    deal = WonDealFactory()
    other = PersonFactory()
    with pytest.raises(ValidationError, match="sum to 100"):
        deal_splits_set(deal=deal, splits=[(deal.owner, Decimal(50)), (other, Decimal(40))])
    assert DealSplit.objects.filter(deal=deal).count() == 1


def test_credit_follows_splits_as_in_the_domain_example():
    """A rep with 100 % of a 5-unit deal and 50 % of a 10-unit deal has achieved 10."""
    rep, partner = PersonFactory(), PersonFactory()
    WonDealFactory(owner=rep, close_value=Decimal(5))
    shared = WonDealFactory(owner=rep, close_value=Decimal(10))
    deal_splits_set(deal=shared, splits=[(rep, Decimal(50)), (partner, Decimal(50))])
    credit = credit_by_person(start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 31))
    assert credit[rep.pk] == Decimal(10)
    assert credit[partner.pk] == Decimal(5)


def test_winning_without_close_date_is_a_validation_error():
    deal = deal_create(external_id="X2", owner=PersonFactory(), product=ProductFactory())
    with pytest.raises(ValidationError) as exc:
        deal_update(deal=deal, data={"stage": "won", "close_value": Decimal(5)})
    assert "close_date" in exc.value.message_dict


def test_losing_records_the_stage_it_was_lost_from():
    deal = deal_create(
        external_id="X3", owner=PersonFactory(), product=ProductFactory(), stage="presentation"
    )
    deal_update(deal=deal, data={"stage": "lost", "close_date": dt.date(2026, 5, 1)})
    assert deal.lost_at_stage == "presentation"


def test_negative_cost_needs_adjustment_and_reason():
    person = PersonFactory()
    with pytest.raises(ValidationError):
        cost_record(date=dt.date(2026, 1, 1), category="travel", amount=Decimal(-1), person=person)
    with pytest.raises(ValidationError):
        cost_record(
            date=dt.date(2026, 1, 1), category="adjustment", amount=Decimal(-1), person=person
        )


def test_computed_costs_post_once_per_reference_and_person():
    a, b = PersonFactory(), PersonFactory()
    day = dt.date(2026, 4, 1)
    entries = [(a, day, Decimal("30.00")), (b, day, Decimal("45.00"))]
    costs_post_computed(external_ref="meeting:1", category="meeting_time", entries=entries)
    costs_post_computed(external_ref="meeting:1", category="meeting_time", entries=entries)
    assert SalesCost.objects.filter(external_ref="meeting:1").count() == 2
    costs_withdraw_computed(external_ref="meeting:1")
    assert sum(SalesCost.objects.values_list("amount", flat=True)) == 0
    costs_post_computed(external_ref="meeting:1", category="meeting_time", entries=entries)
    assert sum(SalesCost.objects.values_list("amount", flat=True)) == Decimal("75.00")
    assert SalesCost.objects.count() == 2


def test_a_job_is_claimed_once_and_reclaimed_after_failure():
    day = dt.date(2026, 3, 1)
    run = job_claim(job="demo", business_date=day)
    assert run is not None
    assert job_claim(job="demo", business_date=day) is None
    job_succeed(run=run, rows=3)
    assert job_claim(job="demo", business_date=day) is None
    other = job_claim(job="demo", business_date=day, partition="p1")
    assert other is not None
    job_fail(run=other, error="boom")
    again = job_claim(job="demo", business_date=day, partition="p1")
    assert again is not None and again.attempts == 2
    assert JobRun.objects.filter(status=JobStatus.RUNNING).count() == 1


def test_an_expired_running_job_is_reclaimed():
    day = dt.date(2026, 3, 2)
    first = job_claim(job="demo", business_date=day, lease=dt.timedelta(seconds=-1))
    assert first is not None
    assert job_claim(job="demo", business_date=day) is not None

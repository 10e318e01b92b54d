"""Bounds where money enters pay: deal values, splits, adjustments, dispute corrections and the
simulator answer 400 naming the field; a manager's large correction needs sales ops; one person's
statement error never blocks the others."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from compensation.models import Adjustment, Dispute, Statement
from compensation.services import disputes as dispute_services
from compensation.services import statements as svc
from compensation.services.jobs import REGENERATE_JOB, statements_regenerate_open
from salesops import calendar
from salesops.models import Deal, JobRun
from tests.compensation.factories import FLAT_5, approved_plan, assign, month_quota, won_deal
from tests.factories import DealFactory, ProductFactory

pytestmark = pytest.mark.django_db
MAR = calendar.month_containing(dt.date(2026, 3, 15))
HUGE = "999999999999.99"


@pytest.fixture
def drafted(personas):
    version = approved_plan("Flat", FLAT_5, calendar.month_containing(dt.date(2026, 1, 15)).start)
    for name in ("rep_a1", "rep_a2", "rep_b1"):
        person = personas.person(name)
        assign(person, version, dt.date(2026, 1, 1))
        month_quota(person, MAR, "100000")
        won_deal(person, "1000", dt.date(2026, 3, 10))
    svc.statements_generate(period=MAR)
    return version


# --- deals and splits -------------------------------------------------------------------------


def test_a_deal_value_beyond_what_pay_can_hold_is_a_400_naming_the_field(personas, api_client_for):
    product = ProductFactory()
    client = api_client_for(personas.rep_a1)
    response = client.post(
        "/api/v1/deals/",
        {
            "product": product.pk,
            "stage": "won",
            "close_date": "2026-03-10",
            "close_value": HUGE,
        },
        format="json",
    )
    assert response.status_code == 400
    assert "close_value" in response.json()
    assert not Deal.objects.filter(close_value=D(HUGE)).exists()


def test_editing_or_winning_a_deal_with_a_huge_value_is_a_400(personas, api_client_for):
    deal = DealFactory(owner=personas.person("rep_a1"))
    client = api_client_for(personas.rep_a1)
    patched = client.patch(f"/api/v1/deals/{deal.pk}/", {"amount": HUGE}, format="json")
    assert patched.status_code == 400 and "amount" in patched.json()
    won = client.post(
        f"/api/v1/deals/{deal.pk}/stage/",
        {"stage": "won", "close_date": "2026-03-10", "close_value": HUGE},
        format="json",
    )
    assert won.status_code == 400 and "close_value" in won.json()
    deal.refresh_from_db()
    assert deal.stage != "won" and deal.amount != D(HUGE)


def test_the_deal_service_refuses_a_huge_value_whoever_calls_it(personas):
    from django.core.exceptions import ValidationError

    from salesops.services.deals import deal_update

    deal = DealFactory(owner=personas.person("rep_a1"))
    with pytest.raises(ValidationError) as exc:
        deal_update(
            deal=deal,
            data={"stage": "won", "close_date": dt.date(2026, 3, 10), "close_value": D(HUGE)},
        )
    assert "close_value" in exc.value.message_dict


def test_a_split_above_100_percent_is_a_400_naming_the_field(personas, api_client_for):
    deal = DealFactory(owner=personas.person("rep_a1"))
    response = api_client_for(personas.sales_ops).post(
        f"/api/v1/deals/{deal.pk}/splits/",
        {"splits": [{"person": personas.person("rep_a1").pk, "percent": "150"}]},
        format="json",
    )
    assert response.status_code == 400
    assert "percent" in str(response.json()["splits"])


def test_admin_refuses_a_huge_deal_value(personas, client_for):
    deal = DealFactory(owner=personas.person("rep_a1"))
    client = client_for(personas.admin)
    response = client.get(f"/admin/salesops/deal/{deal.pk}/change/")
    assert response.status_code == 200
    form = response.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(
        {
            "external_id": deal.external_id,
            "product": deal.product_id,
            "owner": deal.owner_id,
            "stage": "won",
            "close_date": "2026-03-10",
            "close_value": HUGE,
            "splits-TOTAL_FORMS": "0",
            "splits-INITIAL_FORMS": "0",
        }
    )
    data.pop("account", None)
    posted = client.post(f"/admin/salesops/deal/{deal.pk}/change/", data)
    assert posted.status_code == 200  # the form again, with the error
    assert "close_value" in posted.context["adminform"].form.errors
    deal.refresh_from_db()
    assert deal.close_value != D(HUGE)


# --- adjustments, corrections, simulator ------------------------------------------------------


def test_a_huge_adjustment_is_a_400_naming_the_amount(personas, drafted, api_client_for):
    response = api_client_for(personas.sales_ops).post(
        "/api/v1/compensation/adjustments/",
        {"person": personas.person("rep_a1").pk, "amount": HUGE, "reason": "typo"},
        format="json",
    )
    assert response.status_code == 400 and "amount" in response.json()
    assert not Adjustment.objects.exists()


def _open_dispute(personas):
    statement = Statement.objects.get(person=personas.person("rep_a1"), period_start=MAR.start)
    return dispute_services.dispute_open(
        user=personas.rep_a1, line=statement.lines.first(), comment="too low"
    )


def test_a_managers_correction_above_the_limit_needs_sales_ops(
    personas, drafted, api_client_for, settings
):
    settings.COMP_MANAGER_CORRECTION_LIMIT = D("1000")
    dispute = _open_dispute(personas)
    url = f"/api/v1/compensation/disputes/{dispute.pk}/resolve/"
    manager = api_client_for(personas.manager_a)
    refused = manager.post(
        url, {"accept": True, "resolution": "ok", "adjustment": "999999999.99"}, format="json"
    )
    assert refused.status_code == 400 and "adjustment" in refused.json()
    dispute.refresh_from_db()
    assert dispute.status == "open" and not Adjustment.objects.exists()
    # within the limit the manager decides alone
    within = manager.post(
        url, {"accept": True, "resolution": "ok", "adjustment": "1000.00"}, format="json"
    )
    assert within.status_code == 200, within.json()
    assert Adjustment.objects.get().amount == D("1000.00")


def test_sales_ops_approves_a_correction_above_the_managers_limit(
    personas, drafted, api_client_for, settings
):
    settings.COMP_MANAGER_CORRECTION_LIMIT = D("1000")
    dispute = _open_dispute(personas)
    response = api_client_for(personas.sales_ops).post(
        f"/api/v1/compensation/disputes/{dispute.pk}/resolve/",
        {"accept": True, "resolution": "agreed", "adjustment": "-5000.00"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert Adjustment.objects.get().amount == D("-5000.00")


def test_even_sales_ops_cannot_correct_beyond_what_pay_can_hold(personas, drafted, api_client_for):
    dispute = _open_dispute(personas)
    response = api_client_for(personas.sales_ops).post(
        f"/api/v1/compensation/disputes/{dispute.pk}/resolve/",
        {"accept": True, "resolution": "agreed", "adjustment": HUGE},
        format="json",
    )
    assert response.status_code == 400 and "adjustment" in response.json()
    assert Dispute.objects.get().status == "open"


def test_the_resolve_page_refuses_a_managers_large_correction(
    personas, drafted, client_for, settings
):
    settings.COMP_MANAGER_CORRECTION_LIMIT = D("1000")
    dispute = _open_dispute(personas)
    response = client_for(personas.manager_a).post(
        f"/compensation/disputes/{dispute.pk}/resolve/",
        {"accept": "1", "resolution": "ok", "adjustment": "999999999.99"},
        follow=True,
    )
    assert response.status_code == 200
    assert "sales ops" in response.content.decode().lower()
    dispute.refresh_from_db()
    assert dispute.status == "open" and not Adjustment.objects.exists()


def test_simulator_refuses_a_deal_beyond_what_pay_can_hold(personas, api_client_for):
    response = api_client_for(personas.rep_a1).post(
        "/api/v1/compensation/simulate/",
        {"plan": {"base_rate": "5"}, "deals": [{"amount": HUGE + "9999", "date": "2026-03-01"}]},
        format="json",
    )
    assert response.status_code == 400
    assert "amount" in str(response.json()["deals"])


# --- one person's failure never blocks the others ---------------------------------------------


def _poison(personas):
    """A deal stored before the bounds existed (written straight to the table): its attainment
    does not fit the statement's column."""
    return won_deal(personas.person("rep_a2"), HUGE, dt.date(2026, 3, 11))


def test_one_poisoned_person_gets_an_error_and_everyone_else_a_statement(personas, drafted):
    _poison(personas)
    won_deal(personas.person("rep_a1"), "2000", dt.date(2026, 3, 12))
    report = svc.statements_generate(period=MAR)
    assert report.failed == 1
    rep_a1 = Statement.objects.get(person=personas.person("rep_a1"), period_start=MAR.start)
    assert rep_a1.payable == D("150.00") and rep_a1.error == ""
    poisoned = Statement.objects.get(person=personas.person("rep_a2"), period_start=MAR.start)
    assert poisoned.error and "attainment" in poisoned.error
    assert HUGE not in poisoned.error  # amounts never reach error texts
    rep_b1 = Statement.objects.get(person=personas.person("rep_b1"), period_start=MAR.start)
    assert rep_b1.error == ""


def test_a_new_poisoned_person_gets_a_draft_that_carries_the_error(personas):
    version = approved_plan("Flat", FLAT_5, dt.date(2026, 1, 1))
    for name in ("rep_a1", "rep_a2"):
        assign(personas.person(name), version, dt.date(2026, 1, 1))
        month_quota(personas.person(name), MAR, "100000")
    won_deal(personas.person("rep_a1"), "1000", dt.date(2026, 3, 10))
    _poison(personas)
    svc.statements_generate(period=MAR)
    assert Statement.objects.get(person=personas.person("rep_a1")).payable == D("50.00")
    poisoned = Statement.objects.get(person=personas.person("rep_a2"))
    assert poisoned.error and poisoned.status == "draft"


def test_a_statement_with_an_error_cannot_be_approved(personas, drafted):
    _poison(personas)
    svc.statements_generate(period=MAR)
    poisoned = Statement.objects.get(person=personas.person("rep_a2"), period_start=MAR.start)
    from salesops.exceptions import ApplicationError

    with pytest.raises(ApplicationError):
        svc.statement_approve(user=personas.sales_ops, statement=poisoned)


def test_fixing_the_input_clears_the_error(personas, drafted):
    deal = _poison(personas)
    svc.statements_generate(period=MAR)
    Deal.objects.filter(pk=deal.pk).update(close_value=D("3000"))
    svc.statements_generate(period=MAR)
    fixed = Statement.objects.get(person=personas.person("rep_a2"), period_start=MAR.start)
    assert fixed.error == "" and fixed.payable == D("200.00")


def test_generate_endpoint_answers_200_with_the_failure_counted(personas, drafted, api_client_for):
    _poison(personas)
    response = api_client_for(personas.sales_ops).post(
        "/api/v1/compensation/statements/generate/", {"period": MAR.name}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["failed"] == 1


def test_nightly_regeneration_completes_and_shows_the_failure_on_ops(personas, drafted):
    _poison(personas)
    won_deal(personas.person("rep_b1"), "2000", dt.date(2026, 3, 12))
    day = MAR.start + dt.timedelta(days=20)
    statements_regenerate_open(business_date=day)
    run = JobRun.objects.get(job=REGENERATE_JOB, business_date=day)
    assert run.status == "success"
    assert "1 statement" in run.error and personas.person("rep_a2").name in run.error
    rep_b1 = Statement.objects.get(person=personas.person("rep_b1"), period_start=MAR.start)
    assert rep_b1.payable == D("150.00")


def test_the_statement_pages_show_the_error(personas, drafted, client_for):
    _poison(personas)
    svc.statements_generate(period=MAR)
    poisoned = Statement.objects.get(person=personas.person("rep_a2"), period_start=MAR.start)
    client = client_for(personas.sales_ops)
    detail = client.get(f"/compensation/statements/{poisoned.pk}/").content.decode()
    assert "Not computed" in detail and "too large" in detail
    listing = client.get("/compensation/statements/").content.decode()
    assert "not computed" in listing

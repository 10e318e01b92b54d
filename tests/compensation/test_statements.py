"""Statements: generation with the plan in force, idempotency, locking, clawbacks across months,
adjustments, disputes and the audit history."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied

from compensation.models import (
    Dispute,
    Statement,
    StatementLine,
    StatementStatus,
)
from compensation.services import clawbacks
from compensation.services import disputes as dispute_services
from compensation.services import plans as plan_services
from compensation.services import statements as svc
from salesops import calendar
from salesops.exceptions import ApplicationError
from salesops.services.deals import deal_update
from tests.compensation.factories import (
    FLAT_5,
    MARGINAL_ATTAINMENT,
    approved_plan,
    assign,
    month_quota,
    won_deal,
)

pytestmark = pytest.mark.django_db
JAN, FEB, MAR = (calendar.month_containing(dt.date(2026, i, 15)) for i in (1, 2, 3))


@pytest.fixture
def rep(personas):
    return personas.person("rep_a1")


def test_statement_pays_the_domain_accelerator_example_to_the_cent(personas, rep):
    version = approved_plan("Accelerated", MARGINAL_ATTAINMENT, JAN.start)
    assign(rep, version, JAN.start)
    month_quota(rep, MAR, "100000")
    won_deal(rep, "150000", dt.date(2026, 3, 10))
    statement = svc.statement_generate(person=rep, period=MAR, user=personas.sales_ops)
    assert statement is not None
    assert statement.payable == D("8250.00")
    assert statement.attainment == D("150.00")
    (line,) = statement.lines.all()
    assert line.kind == "commission"
    assert "25,000.00 × 6 %" in line.formula and "25,000.00 × 7 %" in line.formula
    assert len(line.slices) == 3


def test_split_deal_pays_on_the_credited_share_only(personas, rep):
    other = personas.person("rep_a2")
    version = approved_plan("Flat", FLAT_5, JAN.start)
    assign(rep, version, JAN.start)
    won_deal(rep, "10000", dt.date(2026, 3, 10), splits=[(rep, "50"), (other, "50")])
    statement = svc.statement_generate(person=rep, period=MAR)
    assert statement.payable == D("250.00")
    assert "your 50 % split" in statement.lines.get().description


def test_recalculating_a_draft_is_idempotent_no_new_rows_or_history(personas, rep):
    version = approved_plan("Flat", FLAT_5, JAN.start)
    assign(rep, version, JAN.start)
    won_deal(rep, "1000", dt.date(2026, 3, 10))
    svc.statements_generate(period=MAR)
    before = (
        Statement.history.count(),
        StatementLine.history.count(),
        list(StatementLine.objects.values_list("pk", flat=True)),
    )
    report = svc.statements_generate(period=MAR)
    assert report.unchanged == 1 and report.written == 0
    after = (
        Statement.history.count(),
        StatementLine.history.count(),
        list(StatementLine.objects.values_list("pk", flat=True)),
    )
    assert after == before


def test_a_draft_follows_new_deals_but_an_approved_statement_never_changes(personas, rep):
    version = approved_plan("Flat", FLAT_5, JAN.start)
    assign(rep, version, JAN.start)
    won_deal(rep, "1000", dt.date(2026, 3, 10))
    statement = svc.statement_generate(person=rep, period=MAR)
    won_deal(rep, "1000", dt.date(2026, 3, 11))
    statement = svc.statement_generate(person=rep, period=MAR)
    assert statement.payable == D("100.00")
    svc.statement_approve(user=personas.sales_ops, statement=statement)
    won_deal(rep, "1000", dt.date(2026, 3, 12))
    report = svc.statements_generate(period=MAR)
    assert report.locked == 1
    statement.refresh_from_db()
    assert statement.payable == D("100.00") and statement.status == StatementStatus.APPROVED
    assert len(mail.outbox) == 0  # on_commit: the test transaction never commits


def test_statement_uses_the_approved_version_in_force_not_a_later_draft(personas, rep):
    version = approved_plan("Flat", FLAT_5, JAN.start)
    plan_services.plan_version_create(
        user=None, plan=version.plan, definition={"base_rate": "50"}, effective_from=FEB.start
    )
    assign(rep, version, JAN.start)
    won_deal(rep, "1000", dt.date(2026, 3, 10))
    assert svc.statement_generate(person=rep, period=MAR).payable == D("50.00")


def test_approved_plan_version_is_immutable(personas):
    version = approved_plan("Flat", FLAT_5, JAN.start)
    with pytest.raises(ApplicationError):
        plan_services.plan_version_update(user=None, version=version, definition={"base_rate": "9"})


def test_a_person_is_on_one_plan_at_a_time(personas, rep):
    version = approved_plan("Flat", FLAT_5, JAN.start)
    assign(rep, version, JAN.start, end=MAR.end)
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        assign(rep, version, FEB.start)


def test_clawback_of_a_lost_deal_goes_on_the_next_statement_and_carries_forward(personas, rep):
    """docs/domain.md: a period earning 500 with a 1,000 clawback → statement 0, −500 carried forward."""
    version = approved_plan("Flat", FLAT_5, JAN.start)
    assign(rep, version, JAN.start)
    big = won_deal(rep, "20000", dt.date(2026, 1, 20))
    jan = svc.statement_generate(person=rep, period=JAN)
    assert jan.payable == D("1000.00")
    svc.statement_approve(user=personas.sales_ops, statement=jan)
    with time_machine.travel(dt.datetime(2026, 2, 15, 12, tzinfo=dt.UTC), tick=False):
        deal_update(deal=big, data={"stage": "lost"})
    won_deal(rep, "10000", dt.date(2026, 2, 10))
    feb = svc.statement_generate(person=rep, period=FEB)
    kinds = {line.kind: line.amount for line in feb.lines.all()}
    assert kinds == {"commission": D("500.00"), "clawback": D("-1000.00")}
    assert (feb.payable, feb.carry_forward) == (D("0.00"), D("-500.00"))
    svc.statement_approve(user=personas.sales_ops, statement=feb)
    won_deal(rep, "30000", dt.date(2026, 3, 10))
    mar = svc.statement_generate(person=rep, period=MAR)
    assert {line.kind: line.amount for line in mar.lines.all()} == {
        "commission": D("1500.00"),
        "carry_forward": D("-500.00"),
    }
    assert mar.payable == D("1000.00")
    # Conservation: paid 1,000 + 0 + 1,000 = earned 3,000 − clawed 1,000
    assert jan.payable + feb.payable + mar.payable == D("2000.00")


def test_refund_outside_the_clawback_window_is_not_clawed_back(personas, rep):
    version = approved_plan("Flat", FLAT_5, JAN.start)
    assign(rep, version, JAN.start)
    deal = won_deal(rep, "20000", dt.date(2026, 1, 2))
    svc.statement_approve(user=None, statement=svc.statement_generate(person=rep, period=JAN))
    clawbacks.deal_reversal_record(
        user=None, deal_id=deal.pk, reversed_on=dt.date(2026, 5, 1), reason="refunded"
    )
    may = svc.statement_generate(person=rep, period=calendar.month_containing(dt.date(2026, 5, 15)))
    assert not may.lines.filter(kind="clawback").exists()


def test_adjustment_on_a_locked_month_lands_on_the_next_open_statement(personas, rep):
    version = approved_plan("Flat", FLAT_5, JAN.start)
    assign(rep, version, JAN.start)
    jan = svc.statement_generate(person=rep, period=JAN)
    svc.statement_approve(user=personas.sales_ops, statement=jan)
    svc.statement_generate(person=rep, period=FEB)
    adj = svc.adjustment_add(
        user=personas.sales_ops, person=rep, amount=D("120"), reason="missed deal", on=JAN.start
    )
    assert adj.period_start == FEB.start
    feb = Statement.objects.get(person=rep, period_start=FEB.start)
    assert feb.payable == D("120.00")
    assert feb.lines.get().description == "Adjustment: missed deal"


def test_dispute_flow_blocks_approval_until_resolved_and_accepted_correction_pays(personas, rep):
    version = approved_plan("Flat", FLAT_5, JAN.start)
    assign(rep, version, JAN.start)
    won_deal(rep, "1000", dt.date(2026, 3, 10))
    statement = svc.statement_generate(person=rep, period=MAR)
    line = statement.lines.get()
    with pytest.raises(PermissionDenied):
        dispute_services.dispute_open(user=personas.manager_a, line=line, comment="not mine")
    dispute = dispute_services.dispute_open(user=personas.rep_a1, line=line, comment="rate is 6 %")
    with pytest.raises(ApplicationError):
        svc.statement_approve(user=personas.sales_ops, statement=statement)
    with pytest.raises(PermissionDenied):
        dispute_services.dispute_resolve(
            user=personas.manager_b, dispute=dispute, accept=True, resolution="ok"
        )
    dispute_services.dispute_resolve(
        user=personas.manager_a,
        dispute=dispute,
        accept=True,
        resolution="agreed, 1 % more",
        adjustment=D("10"),
    )
    statement.refresh_from_db()
    assert statement.payable == D("60.00")
    assert Dispute.objects.get().status == "accepted"
    svc.statement_approve(user=personas.sales_ops, statement=statement)


def test_history_rows_carry_the_acting_user(personas, rep):
    version = approved_plan("Flat", FLAT_5, JAN.start)
    assign(rep, version, JAN.start)
    won_deal(rep, "1000", dt.date(2026, 3, 10))
    statement = svc.statement_generate(person=rep, period=MAR, user=personas.sales_ops)
    assert statement.history.get().history_user == personas.sales_ops
    assert StatementLine.history.get().history_user == personas.sales_ops
    svc.statement_approve(user=personas.admin, statement=statement)
    assert statement.history.first().history_user == personas.admin
    assert statement.history.first().status == "approved"


def test_paying_needs_approval_first(personas, rep):
    version = approved_plan("Flat", FLAT_5, JAN.start)
    assign(rep, version, JAN.start)
    statement = svc.statement_generate(person=rep, period=MAR)
    with pytest.raises(ApplicationError):
        svc.statement_mark_paid(user=None, statement=statement)
    svc.statement_approve(user=None, statement=statement)
    assert svc.statement_mark_paid(user=None, statement=statement).status == "paid"


def test_people_without_a_plan_get_no_statement(personas, rep):
    assert svc.statement_generate(person=rep, period=MAR) is None

"""Clawbacks go through the payout ledger as their own path (issue 18): a lost or refunded deal
gives one negative line for what the ledger paid for it, net of its corrections, recorded in the
ledger as a clawback; the months that paid it are never recomputed."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
import time_machine

from compensation.models import PayoutEntry, Statement
from compensation.services import statements as svc
from compensation.services.clawbacks import deal_reversal_record
from salesops import calendar
from salesops.services.deals import deal_update
from tests.compensation.factories import FLAT_5, approved_plan, assign, won_deal

pytestmark = pytest.mark.django_db
JAN, FEB, MAR, APR, MAY = (calendar.month_containing(dt.date(2026, i, 15)) for i in range(1, 6))


def _approve(personas, statement: Statement | None) -> Statement:
    assert statement is not None
    return svc.statement_approve(user=personas.sales_ops, statement=statement)


def test_a_lost_deal_is_clawed_back_from_the_ledger_net_of_its_corrections(personas):
    rep = personas.person("rep_a1")
    assign(rep, approved_plan("Flat", FLAT_5, JAN.start), JAN.start)
    deal = won_deal(rep, "40000", dt.date(2026, 2, 10), external_id="CLAW-1")
    _approve(personas, svc.statement_generate(person=rep, period=FEB))  # 2,000
    deal_update(deal=deal, data={"close_value": D("30000")})
    _approve(personas, svc.statement_generate(person=rep, period=MAR))  # −500 correction
    with time_machine.travel(dt.datetime(2026, 4, 5, 12, tzinfo=dt.UTC), tick=False):
        deal_update(deal=deal, data={"stage": "lost"})
    apr = _approve(personas, svc.statement_generate(person=rep, period=APR))
    (claw,) = apr.lines.filter(deal=deal)
    assert (claw.kind, claw.amount) == ("clawback", D("-1500.00"))
    assert "payout ledger paid it, net of corrections" in claw.description
    rows = PayoutEntry.objects.filter(person=rep, deal=deal).order_by("pk")
    assert [(r.component, r.correction, r.amount) for r in rows] == [
        ("commission", False, D("2000.00")),
        ("commission", True, D("-500.00")),
        ("clawback", False, D("-1500.00")),
    ]
    assert sum(r.amount for r in rows) == D("0.00")
    # Never again, and never as a recomputation of February or March.
    may = svc.statement_generate(person=rep, period=MAY)
    assert may is not None and not may.lines.filter(deal=deal).exists()


def test_a_refund_outside_the_clawback_window_is_not_clawed(personas):
    rep = personas.person("rep_a1")
    assign(rep, approved_plan("Flat", {**FLAT_5, "clawback_days": 10}, JAN.start), JAN.start)
    deal = won_deal(rep, "10000", dt.date(2026, 2, 10))
    _approve(personas, svc.statement_generate(person=rep, period=FEB))
    deal_reversal_record(
        user=None, deal_id=deal.pk, reversed_on=dt.date(2026, 3, 20), reason="refunded"
    )
    mar = svc.statement_generate(person=rep, period=MAR)
    assert mar is not None and not mar.lines.filter(kind="clawback").exists()

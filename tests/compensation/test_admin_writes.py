"""The compensation admin writes through the services or not at all: an adjustment for an approved
month lands on the next open statement; approved and paid statements and their lines cannot be
changed or deleted, one by one or in bulk; quotas are set by the quota service."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from compensation.models import Adjustment, Dispute, Quota, Statement, StatementLine
from compensation.services import disputes as dispute_services
from compensation.services import statements as svc
from salesops import calendar
from tests.compensation.factories import FLAT_5, approved_plan, assign, month_quota, won_deal

pytestmark = pytest.mark.django_db
MAR = calendar.month_containing(dt.date(2026, 3, 15))
APR = MAR.next()


@pytest.fixture
def rep(personas):
    return personas.person("rep_a1")


@pytest.fixture
def approved_march(personas, rep):
    version = approved_plan("Flat", FLAT_5, calendar.month_containing(dt.date(2026, 1, 15)).start)
    assign(rep, version, dt.date(2026, 1, 1))
    won_deal(rep, "1000", MAR.start + dt.timedelta(days=5))
    march = svc.statement_generate(person=rep, period=MAR)
    svc.statement_approve(user=personas.sales_ops, statement=march)
    svc.statements_generate(period=APR)
    march.refresh_from_db()
    return march


def test_admin_adjustment_for_an_approved_month_lands_on_the_next_open_statement(
    personas, rep, approved_march, client_for
):
    response = client_for(personas.admin).post(
        "/admin/compensation/adjustment/add/",
        {
            "person": rep.pk,
            "period_start": MAR.start.isoformat(),
            "amount": "100.00",
            "reason": "missed SPIF",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    adjustment = Adjustment.objects.get()
    assert adjustment.period_start == APR.start
    assert adjustment.created_by == personas.admin
    april = Statement.objects.get(person=rep, period_start=APR.start)
    assert april.lines.filter(kind="adjustment", amount=D("100.00")).exists()
    approved_march.refresh_from_db()
    assert not approved_march.lines.filter(kind="adjustment").exists()


def test_admin_cannot_edit_or_delete_an_adjustment(personas, rep, approved_march, client_for):
    adjustment = svc.adjustment_add(
        user=personas.sales_ops, person=rep, amount=D("50"), reason="x", on=MAR.start
    )
    client = client_for(personas.admin)
    url = f"/admin/compensation/adjustment/{adjustment.pk}/"
    changed = client.post(
        url + "change/",
        {
            "person": rep.pk,
            "period_start": MAR.start.isoformat(),
            "amount": "5000.00",
            "reason": "x",
        },
    )
    assert changed.status_code == 403
    assert client.post(url + "delete/", {"post": "yes"}).status_code == 403
    adjustment.refresh_from_db()
    assert adjustment.amount == D("50") and adjustment.period_start == APR.start


def test_lines_of_an_approved_or_paid_statement_cannot_be_deleted(
    personas, approved_march, client_for
):
    svc.statement_mark_paid(user=personas.sales_ops, statement=approved_march)
    line = approved_march.lines.get()
    client = client_for(personas.admin)
    url = f"/admin/compensation/statementline/{line.pk}/"
    assert client.post(url + "delete/", {"post": "yes"}).status_code == 403
    client.post(
        "/admin/compensation/statementline/",
        {"action": "delete_selected", "_selected_action": [line.pk], "post": "yes"},
    )
    assert StatementLine.objects.filter(pk=line.pk).exists()
    changed = client.post(url + "change/", {"amount": "9999.00"})
    assert changed.status_code == 403
    line.refresh_from_db()
    assert line.amount == D("50.00")


def test_bulk_delete_never_removes_an_approved_statement(personas, rep, approved_march, client_for):
    april = Statement.objects.get(person=rep, period_start=APR.start)
    client_for(personas.admin).post(
        "/admin/compensation/statement/",
        {
            "action": "delete_selected",
            "_selected_action": [approved_march.pk, april.pk],
            "post": "yes",
        },
    )
    assert Statement.objects.filter(pk=approved_march.pk).exists()
    assert approved_march.lines.exists()


def test_disputes_are_resolved_through_the_pages_not_edited_in_the_admin(personas, rep, client_for):
    version = approved_plan("Flat", FLAT_5, calendar.month_containing(dt.date(2026, 1, 15)).start)
    assign(rep, version, dt.date(2026, 1, 1))
    won_deal(rep, "1000", MAR.start + dt.timedelta(days=5))
    statement = svc.statement_generate(person=rep, period=MAR)
    dispute = dispute_services.dispute_open(
        user=personas.rep_a1, line=statement.lines.get(), comment="too low"
    )
    client = client_for(personas.admin)
    url = f"/admin/compensation/dispute/{dispute.pk}/change/"
    assert client.get(url).status_code == 200  # visible
    assert client.post(url, {"status": "accepted", "resolution": "x"}).status_code == 403
    assert Dispute.objects.get().status == "open"


def test_admin_quota_edits_go_through_the_quota_service(personas, rep, client_for):
    month_quota(rep, MAR, "1000")
    quota = Quota.objects.get()
    client = client_for(personas.admin)
    response = client.post(f"/admin/compensation/quota/{quota.pk}/change/", {"amount": "2500.00"})
    assert response.status_code == 302
    quota.refresh_from_db()
    assert quota.amount == D("2500.00") and quota.basis == "set by hand"
    assert quota.history.first().history_user == personas.admin


def test_admin_adds_a_quota_for_the_fiscal_month_through_the_service(personas, rep, client_for):
    response = client_for(personas.admin).post(
        "/admin/compensation/quota/add/",
        {
            "person": rep.pk,
            "metric": "revenue",
            "period_start": (MAR.start + dt.timedelta(days=3)).isoformat(),
            "amount": "4000.00",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    quota = Quota.objects.get()
    assert (quota.period_start, quota.period_end, quota.fiscal_year) == (
        MAR.start,
        MAR.end,
        MAR.fy,
    )
    assert quota.amount == D("4000.00")

"""Nightly regeneration and the period-close reminder, on a real worker and the real Redis."""

from __future__ import annotations

import datetime as dt
import time
from decimal import Decimal as D

import pytest
from django.core import mail

from compensation.models import Statement
from compensation.services import statements as svc
from compensation.services.jobs import (
    REGENERATE_JOB,
    REMIND_JOB,
    open_periods,
    period_close_remind,
    statements_regenerate_open,
)
from compensation.services.notifications import READY_JOB
from compensation.tasks import (
    period_close_remind_task,
    statement_ready_notify_task,
    statements_regenerate_open_task,
)
from salesops import calendar
from salesops.models import JobRun
from tests.compensation.factories import FLAT_5, approved_plan, assign, won_deal

MAR = calendar.month_containing(dt.date(2026, 3, 15))


def _wait_for(condition, timeout: float = 60) -> None:
    """The tasks ignore their results, so wait on their effect in the database."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the worker did not finish in time"
        time.sleep(0.1)


def _job_done(job: str, day: dt.date, partition: str = "") -> bool:
    return JobRun.objects.filter(
        job=job, business_date=day, partition=partition, status="success"
    ).exists()


def _setup(personas):
    version = approved_plan("Flat", FLAT_5, dt.date(2026, 1, 1))
    rep = personas.person("rep_a1")
    assign(rep, version, dt.date(2026, 1, 1))
    won_deal(rep, "1000", dt.date(2026, 3, 10))
    return rep


@pytest.mark.celery
def test_nightly_task_drafts_open_months_once_per_business_date(personas, celery_worker):
    rep = _setup(personas)
    statements_regenerate_open_task.delay("2026-03-20")
    statements_regenerate_open_task.delay("2026-03-20")
    _wait_for(lambda: _job_done(REGENERATE_JOB, dt.date(2026, 3, 20)))
    time.sleep(1)  # let the duplicate delivery run too
    statement = Statement.objects.get(person=rep, period_start=MAR.start)
    assert statement.payable == D("50.00")
    assert Statement.objects.filter(person=rep).count() == 2  # February and March
    run = JobRun.objects.get(job=REGENERATE_JOB, business_date=dt.date(2026, 3, 20))
    assert run.status == "success" and run.attempts == 1


@pytest.mark.celery
def test_period_close_reminder_emails_sales_ops_once(personas, celery_worker, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    _setup(personas)
    statements_regenerate_open_task.delay(MAR.end.isoformat())
    _wait_for(lambda: _job_done(REGENERATE_JOB, MAR.end))
    first_of_next = MAR.next().start
    period_close_remind_task.delay(first_of_next.isoformat())
    period_close_remind_task.delay(first_of_next.isoformat())
    _wait_for(lambda: _job_done(REMIND_JOB, first_of_next, MAR.name))
    time.sleep(1)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    quarter_end = calendar.quarter_of(MAR).end == MAR.end
    assert message.subject == f"Period {MAR.name} closed" + (
        " (quarter end)" if quarter_end else ""
    )
    assert message.to == [personas.person("sales_ops").email]
    assert "Draft statements to review and approve: 1" in message.body
    assert "50" not in message.body  # never the amounts


@pytest.mark.django_db
def test_no_reminder_mid_month(personas):
    assert period_close_remind(business_date=MAR.next().start + dt.timedelta(days=1)) == 0


@pytest.mark.django_db
def test_open_periods_include_older_months_with_drafts(personas):
    rep = _setup(personas)
    statements_regenerate_open(business_date=dt.date(2026, 3, 20))
    assert Statement.objects.filter(person=rep).count() == 2
    periods = open_periods(business_date=dt.date(2026, 6, 5))
    assert periods == [calendar.month_containing(dt.date(2026, m, 15)) for m in (2, 3, 5, 6)]
    assert calendar.month_containing(dt.date(2026, 2, 15)) in periods


@pytest.mark.celery
def test_approving_tells_the_rep_once_through_celery_without_amounts(
    personas, celery_worker, settings
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    rep = _setup(personas)
    statement = svc.statement_generate(person=rep, period=MAR)
    svc.statement_approve(user=personas.sales_ops, statement=statement)
    _wait_for(lambda: _job_done(READY_JOB, statement.period_start, f"statement:{statement.pk}"))
    statement_ready_notify_task.delay(statement.pk)  # a duplicate delivery
    time.sleep(1)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [rep.email]
    assert MAR.name in mail.outbox[0].subject
    assert "50" not in mail.outbox[0].body

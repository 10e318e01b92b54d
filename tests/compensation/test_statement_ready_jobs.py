"""The statement-ready mail through a real SMTP server (aiosmtpd on 127.0.0.1) that refuses:
retried with backoff until it goes through, and when it never does, the failure is recorded on
the run (shown on /ops/) rather than lost with the run left RUNNING."""

from __future__ import annotations

import datetime as dt

import pytest

from compensation.services import statements as svc
from compensation.services.notifications import READY_JOB
from compensation.tasks import statement_ready_notify_task
from salesops import calendar
from salesops.models import JobRun
from tests.compensation.factories import FLAT_5, approved_plan, assign, won_deal
from tests.faults.smtp import SlowSMTPServer

MAR = calendar.month_containing(dt.date(2026, 3, 15))


@pytest.fixture
def smtp(settings):
    with SlowSMTPServer(delay=0) as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = server.port
        settings.EMAIL_USE_TLS = False
        yield server


def _approved_statement(personas):
    version = approved_plan("Flat", FLAT_5, dt.date(2026, 1, 1))
    rep = personas.person("rep_a1")
    assign(rep, version, dt.date(2026, 1, 1))
    won_deal(rep, "1000", dt.date(2026, 3, 10))
    statement = svc.statement_generate(person=rep, period=MAR)
    svc.statement_approve(user=personas.sales_ops, statement=statement)
    return rep, statement


def _run(statement):
    return JobRun.objects.get(job=READY_JOB, partition=f"statement:{statement.pk}")


@pytest.mark.django_db
def test_a_refused_statement_mail_is_retried_until_the_relay_takes_it(personas, smtp):
    rep, statement = _approved_statement(personas)
    smtp.handler.refuse[rep.email] = 2
    statement_ready_notify_task.apply(args=[statement.pk])
    assert [m.to for m in smtp.messages] == [(rep.email,)]
    run = _run(statement)
    assert (run.status, run.attempts, run.error) == ("success", 3, "")


@pytest.mark.django_db
def test_a_statement_mail_the_relay_never_takes_is_recorded_as_failed(personas, smtp):
    rep, statement = _approved_statement(personas)
    smtp.handler.refuse[rep.email] = 100
    statement_ready_notify_task.apply(args=[statement.pk])
    assert smtp.messages == []
    run = _run(statement)
    assert run.status == "failed"
    assert "mail not sent" in run.error and "451" in run.error
    assert "1000" not in run.error and "50" not in run.error  # never the amounts

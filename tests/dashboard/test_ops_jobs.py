"""/ops/ lists what needs attention: business dates with no nightly run, runs whose heartbeat
stopped, runs going for too long, failed runs — each with how long ago it became a problem."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from salesops.models import JobRun, JobStatus
from salesops.services.efficiency import JOB

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 4, 12, 8, 0, tzinfo=dt.UTC)  # 10:00 in Berlin: the 11th's run is due


def _run(job: str, day: dt.date, status: str, started: dt.datetime, **kw: Any) -> JobRun:
    return JobRun.objects.create(
        job=job, business_date=day, status=status, started_at=started, **kw
    )


@pytest.mark.usefixtures("january_berlin")
def test_ops_lists_gaps_and_late_runs_with_their_age(personas: Any, client_for: Any) -> None:
    with time_machine.travel(NOW, tick=False):
        _run(JOB, dt.date(2026, 4, 8), JobStatus.SUCCESS, NOW - dt.timedelta(days=3))
        _run(
            JOB,
            dt.date(2026, 4, 11),
            JobStatus.RUNNING,
            NOW - dt.timedelta(minutes=30),
            deadline=NOW - dt.timedelta(minutes=5),
            heartbeat_at=NOW - dt.timedelta(minutes=7),
        )
        _run(
            "compensation.statements_regenerate",
            dt.date(2026, 4, 11),
            JobStatus.RUNNING,
            NOW - dt.timedelta(hours=3),
            deadline=NOW + dt.timedelta(minutes=2),
        )
        _run(
            "territories.assignments",
            dt.date(2026, 4, 11),
            JobStatus.FAILED,
            NOW - dt.timedelta(hours=1),
            finished_at=NOW - dt.timedelta(minutes=50),
            error="DataError: boom",
        )
        response = client_for(personas.sales_ops).get("/ops/")
    problems = [(a.job, a.business_date.day, a.problem) for a in response.context["attention"]]
    assert problems == [
        (JOB, 9, "missing"),
        (JOB, 10, "missing"),
        ("compensation.statements_regenerate", 11, "late"),
        ("territories.assignments", 11, "failed"),
        (JOB, 11, "worker lost"),
    ]
    html = response.content.decode()
    assert 'data-testid="job-attention"' in html
    assert html.count('data-problem="missing"') == 2
    assert "no heartbeat since 2026-04-12 07:53 UTC" in html and "DataError: boom" in html


def test_nothing_needs_attention_on_a_fresh_install(personas: Any, client_for: Any) -> None:
    response = client_for(personas.sales_ops).get("/ops/")
    assert response.context["attention"] == []
    assert 'data-testid="job-attention"' not in response.content.decode()


def test_failed_messages_are_listed_with_a_retry_that_sends_them_once(
    personas: Any, client_for: Any, settings: Any
) -> None:
    from django.core import mail
    from django.utils import timezone

    from meetings.models import Delivery
    from meetings.services.reminders import reminders_dispatch

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    dead = Delivery.objects.create(
        kind="follow_up",
        object_ref="deal:1",
        recipient_key="email:x@example.com",
        email="x@example.com",
        subject="Follow up with Acme",
        body="…",
        status="dead",
        attempts=6,
        next_attempt_at=timezone.now(),
        last_error="SMTPServerDisconnected: Connection unexpectedly closed",
    )
    ops = client_for(personas.sales_ops)
    html = ops.get("/ops/").content.decode()
    assert 'data-testid="failed-deliveries"' in html and "Connection unexpectedly closed" in html
    url = f"/ops/deliveries/{dead.pk}/retry/"
    assert client_for(personas.manager_a).post(url).status_code == 404
    dead.refresh_from_db()
    assert dead.status == "dead"
    ops = client_for(personas.sales_ops)  # one test client: log sales ops back in
    assert ops.post(url).status_code == 302
    dead.refresh_from_db()
    assert dead.status == "pending"
    reminders_dispatch()
    reminders_dispatch()
    assert [m.to for m in mail.outbox] == [["x@example.com"]]
    assert Delivery.objects.get(pk=dead.pk).status == "sent"
    assert 'data-testid="failed-deliveries"' not in ops.get("/ops/").content.decode()

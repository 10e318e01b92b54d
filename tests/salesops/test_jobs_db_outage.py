"""A database outage during a job: the task's retries span minutes and take their own claim back
(the run used to stay RUNNING, its claim refusing the retry), and a run nobody will take over is
recorded as failed, "worker lost", instead of staying RUNNING."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import OperationalError
from django.utils import timezone

import salesops.tasks as tasks
from salesops.celery import app as celery_app
from salesops.models import JobRun, JobStatus
from salesops.services.efficiency import JOB
from salesops.services.jobs import job_heartbeats_stop_all, job_runs_mark_lost

AS_OF = dt.date(2026, 4, 10)


@pytest.fixture
def eager() -> Any:
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False
    job_heartbeats_stop_all()


@pytest.mark.django_db
def test_retries_after_database_errors_take_their_own_claim_back_and_finish(eager, monkeypatch):
    real = tasks.efficiency_run_single
    failures = iter([OperationalError("server closed the connection unexpectedly")] * 3)

    def flaky(**kwargs: Any) -> Any:
        error = next(failures, None)
        if error is not None:
            raise error
        return real(**kwargs)

    monkeypatch.setattr(tasks, "efficiency_run_single", flaky)
    tasks.efficiency_snapshots_compute_task.apply(kwargs={"as_of": AS_OF.isoformat()})
    run = JobRun.objects.get(job=JOB, business_date=AS_OF)
    assert run.status == JobStatus.SUCCESS
    assert run.attempts == 4  # the first delivery and three retries, all of the same task


def test_the_retries_span_a_failover_of_several_minutes():
    task = tasks.efficiency_snapshots_compute_task
    waits = [
        min(task.retry_backoff * 2**n, task.retry_backoff_max) for n in range(task.max_retries)
    ]
    assert not task.retry_jitter
    assert sum(waits) >= 600, waits  # it was about 6 s


@pytest.mark.django_db
def test_a_run_nobody_takes_over_is_recorded_as_worker_lost():
    now = timezone.now()
    gone = dict(
        started_at=now - dt.timedelta(minutes=10), heartbeat_at=now - dt.timedelta(minutes=9)
    )
    unknown = JobRun.objects.create(
        job="someone.elses_job", business_date=AS_OF, deadline=now - dt.timedelta(minutes=1), **gone
    )
    exhausted = JobRun.objects.create(
        job=JOB, business_date=AS_OF, attempts=5, deadline=now - dt.timedelta(minutes=1), **gone
    )
    retried = JobRun.objects.create(
        job=JOB,
        business_date=AS_OF - dt.timedelta(days=1),
        attempts=1,
        deadline=now - dt.timedelta(minutes=1),
        **gone,
    )
    alive = JobRun.objects.create(
        job="someone.elses_job",
        business_date=AS_OF - dt.timedelta(days=1),
        deadline=now + dt.timedelta(minutes=1),
        **gone,
    )
    assert job_runs_mark_lost() == 2
    for run in (unknown, exhausted):
        run.refresh_from_db()
        assert run.status == JobStatus.FAILED and run.error.startswith("worker lost")
    for run in (retried, alive):
        run.refresh_from_db()
        assert run.status == JobStatus.RUNNING  # re-queued by the sweeper / still beating

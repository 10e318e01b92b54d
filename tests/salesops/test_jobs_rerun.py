"""The /ops/ re-run button queues the run's own Celery task for its business date (a JobRun's job
name is not its task's name), leaves a finished run's status alone, and records who asked."""

from __future__ import annotations

import datetime as dt
import inspect
from typing import Any

import pytest
from django.utils import timezone

from salesops.celery import app as celery_app
from salesops.models import JobRun, JobStatus

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 3, 19)


@pytest.fixture
def queued(monkeypatch: Any) -> list[tuple[str, dict[str, Any]]]:
    celery_app.loader.import_default_modules()  # every app's tasks, as in a worker
    sent: list[tuple[str, dict[str, Any]]] = []
    monkeypatch.setattr(
        celery_app, "send_task", lambda name, kwargs=None, **_: sent.append((name, kwargs))
    )
    return sent


def _run(job: str, status: str = JobStatus.SUCCESS, partition: str = "", **kw: Any) -> JobRun:
    now = timezone.now()
    return JobRun.objects.create(
        job=job,
        business_date=DAY,
        partition=partition,
        status=status,
        started_at=now - dt.timedelta(seconds=30),
        finished_at=None if status == JobStatus.RUNNING else now,
        rows=12,
        **kw,
    )


def _rerun(client: Any, run: JobRun, capture: Any) -> Any:
    with capture(execute=True):
        return client.post(
            "/ops/jobs/rerun/",
            {"job": run.job, "business_date": DAY.isoformat(), "partition": run.partition},
            follow=True,
        )


@pytest.mark.parametrize(
    ("job", "partition", "task", "kwargs"),
    [
        (
            "efficiency_snapshots",
            "",
            "salesops.efficiency_snapshots_compute",
            {"as_of": "2026-03-19"},
        ),
        (
            "compensation.statements_regenerate",
            "",
            "compensation.statements_regenerate_open_task",
            {"business_date": "2026-03-19"},
        ),
        (
            "compensation.period_close_remind",
            "2026-02",
            "compensation.period_close_remind_task",
            {"business_date": "2026-03-19"},
        ),
        (
            "compensation.statement_ready",
            "statement:42",
            "compensation.statement_ready_notify_task",
            {"statement_id": 42},
        ),
        (
            "territories.assignments",
            "",
            "territories.tasks.territory_assignments_nightly_task",
            {"business_date": "2026-03-19"},
        ),
    ],
)
def test_rerun_queues_the_runs_own_task_and_keeps_its_status(
    personas, client_for, queued, django_capture_on_commit_callbacks, job, partition, task, kwargs
):
    run = _run(job, partition=partition)
    response = _rerun(client_for(personas.sales_ops), run, django_capture_on_commit_callbacks)
    assert "will run again" in response.content.decode()
    assert queued == [(task, kwargs)]
    assert task in celery_app.tasks
    inspect.signature(celery_app.tasks[task].run).bind(**kwargs)
    run.refresh_from_db()
    assert run.status == JobStatus.SUCCESS and run.error == "" and run.rows == 12
    assert run.requested_by_id == personas.sales_ops.pk and run.requested_at is not None


def test_the_queued_task_runs_the_date_again_as_an_ops_rerun(
    personas, client_for, queued, django_capture_on_commit_callbacks
):
    run = _run("efficiency_snapshots")
    _rerun(client_for(personas.admin), run, django_capture_on_commit_callbacks)
    ((task, kwargs),) = queued
    page = client_for(personas.admin).get("/ops/").content.decode()
    assert "re-run queued" in page and f"re-run asked by {personas.admin.username}" in page
    run.refresh_from_db()
    assert run.rerun_pending and run.attempts == 1
    celery_app.tasks[task].apply(kwargs=kwargs)
    run.refresh_from_db()
    assert (run.status, run.attempts, run.trigger) == (JobStatus.SUCCESS, 2, "ops")
    assert "Re-run from /ops/" in client_for(personas.admin).get("/ops/").content.decode()
    assert run.requested_by_id == personas.admin.pk and not run.rerun_pending
    # Asked once, run once: a duplicate delivery of that message does nothing.
    celery_app.tasks[task].apply(kwargs=kwargs)
    run.refresh_from_db()
    assert run.attempts == 2


def test_a_failed_run_stays_failed_with_its_error_until_the_new_attempt(
    personas, client_for, queued, django_capture_on_commit_callbacks
):
    run = _run("compensation.statements_regenerate", status=JobStatus.FAILED, error="boom")
    _rerun(client_for(personas.sales_ops), run, django_capture_on_commit_callbacks)
    run.refresh_from_db()
    assert (run.status, run.error) == (JobStatus.FAILED, "boom")
    assert queued == [
        ("compensation.statements_regenerate_open_task", {"business_date": "2026-03-19"})
    ]


def test_rerun_of_a_live_run_or_an_unknown_job_queues_nothing(
    personas, client_for, queued, django_capture_on_commit_callbacks
):
    live = _run(
        "efficiency_snapshots",
        status=JobStatus.RUNNING,
        deadline=timezone.now() + dt.timedelta(minutes=2),
    )
    unknown = _run("no_such_job")
    client = client_for(personas.sales_ops)
    for run in (live, unknown):
        response = _rerun(client, run, django_capture_on_commit_callbacks)
        assert "nothing to re-run" in response.content.decode()
        status = run.status
        run.refresh_from_db()
        assert run.status == status and run.requested_by_id is None
    assert queued == []

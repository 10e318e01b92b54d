"""Heartbeats, take-over and the sweeper: a run whose process died is claimable again within its
short lease (never after an hour, or the broker's redelivery), a fanned-out run whose chord was
lost is finished from what the database records, a business date whose nightly message was lost
is created and queued, a killed import does not stay running."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from salesops.celery import app as celery_app
from salesops.models import ImportRun, JobRun, JobStatus
from salesops.services.efficiency import (
    JOB,
    PARTITION_JOB,
    efficiency_partition_run,
    efficiency_run_claim,
    efficiency_runs_to_sweep,
    efficiency_snapshots_compute,
)
from salesops.services.efficiency.daily import partition_names
from salesops.services.jobs import job_claim, job_runs_to_requeue, job_succeed
from tests.salesops.test_efficiency_support import cost, table, won

AS_OF = dt.date(2026, 4, 10)


@pytest.mark.django_db(transaction=True)
def test_a_running_job_holds_a_short_lease_its_heartbeat_renews(settings):
    settings.JOB_LEASE_SECONDS = 3
    settings.JOB_HEARTBEAT_SECONDS = 0.3
    run = efficiency_run_claim(as_of=AS_OF)
    assert run is not None and run.deadline is not None
    assert (run.deadline - run.started_at).total_seconds() == pytest.approx(3, abs=0.5)
    time.sleep(1.5)
    run.refresh_from_db()
    assert run.heartbeat_at is not None and run.deadline is not None
    assert run.heartbeat_at > run.started_at
    assert run.deadline > run.started_at + dt.timedelta(seconds=3.5)
    job_succeed(run=run)
    time.sleep(0.6)
    beat = JobRun.objects.get(pk=run.pk).heartbeat_at
    time.sleep(0.6)
    assert JobRun.objects.get(pk=run.pk).heartbeat_at == beat  # stopped with the run


@pytest.mark.django_db
def test_a_run_whose_heartbeat_stopped_is_taken_over_by_the_next_delivery():
    """The default lease: a worker killed mid-run leaves its run claimable two minutes later (it
    used to be an hour), by a redelivered message or the sweeper's."""
    with time_machine.travel(dt.datetime(2026, 4, 11, 1, 30, tzinfo=dt.UTC), tick=False) as t:
        dead = efficiency_run_claim(as_of=AS_OF)
        assert dead is not None
        from salesops.services.jobs import job_heartbeat_stop

        job_heartbeat_stop(run_id=dead.pk)  # its process was SIGKILLed
        t.shift(dt.timedelta(seconds=60))
        assert efficiency_run_claim(as_of=AS_OF) is None  # alive as far as anyone knows
        t.shift(dt.timedelta(seconds=61))
        assert efficiency_runs_to_sweep() == [AS_OF]
        again = efficiency_run_claim(as_of=AS_OF)
    assert again is not None and again.attempts == 2
    from salesops.services.jobs import job_heartbeats_stop_all

    job_heartbeats_stop_all()


@pytest.mark.django_db
def test_the_sweeper_creates_and_queues_a_business_date_whose_nightly_message_was_lost():
    now = dt.datetime(2026, 4, 12, 8, 0, tzinfo=dt.UTC)  # 10:00 in Berlin: the 11th is due
    for day in (dt.date(2026, 4, 9), dt.date(2026, 4, 11)):
        JobRun.objects.create(
            job=JOB, business_date=day, status=JobStatus.SUCCESS, started_at=now, finished_at=now
        )
    with time_machine.travel(now, tick=False):
        assert efficiency_runs_to_sweep() == [dt.date(2026, 4, 10)]
    gap = JobRun.objects.get(job=JOB, business_date=dt.date(2026, 4, 10))
    assert gap.status == JobStatus.FAILED and gap.error.startswith("missing")
    assert gap.trigger == "sweeper" and gap.attempts == 0
    with time_machine.travel(now, tick=False):
        claimed = efficiency_run_claim(as_of=dt.date(2026, 4, 10))
    assert claimed is not None and claimed.attempts == 1
    from salesops.services.jobs import job_heartbeats_stop_all

    job_heartbeats_stop_all()


@pytest.mark.django_db
def test_a_date_not_yet_due_or_before_the_first_run_is_not_missing():
    early = dt.datetime(2026, 4, 11, 23, 10, tzinfo=dt.UTC)  # 01:10 on the 12th in Berlin
    JobRun.objects.create(
        job=JOB,
        business_date=dt.date(2026, 4, 10),
        status=JobStatus.SUCCESS,
        started_at=early,
        finished_at=early,
    )
    with time_machine.travel(early, tick=False):
        assert efficiency_runs_to_sweep() == []  # the 11th's nightly run is not due yet
    assert JobRun.objects.count() == 1


@pytest.mark.django_db
def test_the_sweeper_requeues_other_jobs_runs_whose_worker_died():
    now = timezone.now()
    JobRun.objects.create(
        job="compensation.statements_regenerate",
        business_date=now.date(),
        status=JobStatus.RUNNING,
        started_at=now - dt.timedelta(minutes=10),
        deadline=now - dt.timedelta(minutes=1),
    )
    JobRun.objects.create(
        job="territories.assignments",
        business_date=now.date(),
        status=JobStatus.RUNNING,
        started_at=now,
        deadline=now + dt.timedelta(minutes=2),
    )
    assert job_runs_to_requeue() == [
        ("compensation.statements_regenerate_open_task", {"business_date": str(now.date())})
    ]


@pytest.mark.django_db
def test_a_killed_import_is_marked_failed_worker_lost_by_the_sweeper(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    celery_app.conf.task_always_eager = True
    try:
        run = ImportRun.objects.create(report={"files": {}})
        ImportRun.objects.filter(pk=run.pk).update(
            started_at=timezone.now() - dt.timedelta(hours=2)
        )
        fresh = ImportRun.objects.create()
        from salesops.tasks import efficiency_runs_sweep_task

        efficiency_runs_sweep_task.apply()
    finally:
        celery_app.conf.task_always_eager = False
    run.refresh_from_db()
    assert run.status == "failed" and run.finished_at is not None
    assert run.report["message"].startswith("worker lost")
    fresh.refresh_from_db()
    assert fresh.status == "running"


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("january_berlin")
def test_a_fanned_out_run_whose_worker_died_is_finished_by_the_sweeper(personas, settings):
    """One partition refreshed, the others' worker killed and the chord lost: the sweeper's
    take-over refreshes only the partitions not recorded as done, then publishes; the snapshots
    equal a single-worker full run's."""
    settings.EFFICIENCY_FANOUT_MIN_PEOPLE = 1  # this org fans out
    for name in ("rep_a1", "rep_a3", "rep_b1", "outsider"):
        won(personas.person(name), "1000", dt.date(2026, 3, 5))
        cost("400", dt.date(2026, 3, 6), person=personas.person(name))
    efficiency_snapshots_compute(as_of=AS_OF, full=True)
    reference = table()
    names = partition_names()
    assert len(names) > 1
    celery_app.conf.task_always_eager = True
    try:
        with time_machine.travel(dt.datetime(2026, 4, 11, 1, 30, tzinfo=dt.UTC), tick=True) as t:
            parent = job_claim(job=JOB, business_date=AS_OF, heartbeat=False)
            assert parent is not None
            assert efficiency_partition_run(as_of=AS_OF, partition=names[0])
            dead = job_claim(
                job=PARTITION_JOB, business_date=AS_OF, partition=names[1], heartbeat=False
            )
            assert dead is not None
            t.shift(dt.timedelta(minutes=3))  # no heartbeat for three minutes
            from salesops.tasks import efficiency_runs_sweep_task

            efficiency_runs_sweep_task.apply()
    finally:
        celery_app.conf.task_always_eager = False
    run = JobRun.objects.get(job=JOB, business_date=AS_OF, partition="")
    assert (run.status, run.attempts) == (JobStatus.SUCCESS, 2)
    parts: dict[str, Any] = {
        r.partition: r for r in JobRun.objects.filter(job=PARTITION_JOB, business_date=AS_OF)
    }
    assert set(parts) == set(names)
    assert all(r.status == JobStatus.SUCCESS for r in parts.values())
    assert parts[names[0]].attempts == 1  # recorded as done: not refreshed again
    assert parts[names[1]].attempts == 2  # taken over
    assert table() == reference

"""The database goes away mid-run for longer than the task's retries used to last (about 6 s):
the run retries with backoff, takes its own claim back when the database returns, and finishes
with the snapshots of an uninterrupted run — not RUNNING with its error lost."""

from __future__ import annotations

import time

import pytest
from django.db import connection

from salesops.models import JobRun, JobStatus
from salesops.services.efficiency import JOB, efficiency_snapshots_compute
from salesops.services.efficiency.daily import ALL
from salesops.tasks import efficiency_runs_sweep_task, efficiency_snapshots_compute_task
from tests.faults.proxy import CuttableProxy
from tests.faults.test_killed_worker import AS_OF, _data
from tests.salesops.test_efficiency_support import table

QUEUE = "celery"
OUTAGE = 25  # seconds


@pytest.mark.usefixtures("january_berlin")
def test_a_database_outage_mid_run_is_retried_through_and_the_run_finishes(workers, personas):
    _data(personas)
    db = connection.settings_dict
    proxy = CuttableProxy(upstream_host=db["HOST"], upstream_port=int(db["PORT"] or 5432))
    try:
        key = f"salesops.eff:{ALL}"
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(hashtext(%s))", [key])
        # Retries scaled 5× (1 s doubling to 24 s; the defaults are 5 s to 120 s, ~12 minutes).
        settings = {
            "JOB_DB_RETRY_BACKOFF_SECONDS": 1,
            "JOB_DB_RETRY_MAX_SECONDS": 24,
            "JOB_LEASE_SECONDS": 6,
            "JOB_HEARTBEAT_SECONDS": 1,
        }
        workers(count=1, queue=QUEUE, settings=settings, db_port=proxy.port)
        efficiency_snapshots_compute_task.apply_async(
            kwargs={"as_of": AS_OF.isoformat()}, queue=QUEUE
        )
        running = JobRun.objects.filter(job=JOB, business_date=AS_OF, status=JobStatus.RUNNING)
        deadline = time.monotonic() + 60
        while not running.exists():
            assert time.monotonic() < deadline, "the worker did not start the run"
            time.sleep(0.2)
        time.sleep(1)
        proxy.cut()
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(hashtext(%s))", [key])
        time.sleep(OUTAGE)
        proxy.restore()
        back = time.monotonic()
        done = JobRun.objects.filter(job=JOB, business_date=AS_OF, status=JobStatus.SUCCESS)
        while not done.exists():
            assert time.monotonic() - back < 90, list(JobRun.objects.values())
            time.sleep(0.2)
        print(f"finished {time.monotonic() - back:.1f} s after the database was back")
    finally:
        proxy.close()
    assert JobRun.objects.get(job=JOB, business_date=AS_OF).attempts >= 2
    fault_run = table()
    efficiency_snapshots_compute(as_of=AS_OF, full=True)
    assert table() == fault_run


@pytest.mark.usefixtures("january_berlin")
def test_an_outage_longer_than_every_retry_leaves_no_run_running(workers, personas):
    """The database stays away after the task's last retry, so the failure itself cannot be
    written: the run's lease runs out, and the sweeper (every minute in production, called here
    once the database is back) re-queues it; the new attempt finishes with the snapshots of an
    uninterrupted run."""
    _data(personas)
    db = connection.settings_dict
    proxy = CuttableProxy(upstream_host=db["HOST"], upstream_port=int(db["PORT"] or 5432))
    try:
        key = f"salesops.eff:{ALL}"
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(hashtext(%s))", [key])
        # Two retries, 1 s and 2 s apart: all spent well inside the outage.
        settings = {
            "JOB_DB_RETRY_BACKOFF_SECONDS": 1,
            "JOB_DB_RETRY_MAX_SECONDS": 2,
            "JOB_DB_RETRIES": 2,
            "JOB_LEASE_SECONDS": 6,
            "JOB_HEARTBEAT_SECONDS": 1,
        }
        workers(count=1, queue=QUEUE, settings=settings, db_port=proxy.port)
        efficiency_snapshots_compute_task.apply_async(
            kwargs={"as_of": AS_OF.isoformat()}, queue=QUEUE
        )
        running = JobRun.objects.filter(job=JOB, business_date=AS_OF, status=JobStatus.RUNNING)
        deadline = time.monotonic() + 60
        while not running.exists():
            assert time.monotonic() < deadline, "the worker did not start the run"
            time.sleep(0.2)
        time.sleep(1)
        proxy.cut()
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(hashtext(%s))", [key])
        time.sleep(15)  # > 1 s + 2 s of retries and the 6 s lease
        proxy.restore()
        # The task gave up while the database was away: nothing could record it.
        assert running.exists()
        assert efficiency_runs_sweep_task() >= 1
        back = time.monotonic()
        done = JobRun.objects.filter(job=JOB, business_date=AS_OF, status=JobStatus.SUCCESS)
        while not done.exists():
            assert time.monotonic() - back < 90, list(JobRun.objects.values())
            time.sleep(0.2)
    finally:
        proxy.close()
    run = JobRun.objects.get(job=JOB, business_date=AS_OF)
    assert run.attempts >= 2
    assert not JobRun.objects.filter(status=JobStatus.RUNNING).exists()
    fault_run = table()
    efficiency_snapshots_compute(as_of=AS_OF, full=True)
    assert table() == fault_run

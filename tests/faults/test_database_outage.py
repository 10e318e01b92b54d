"""The database goes away mid-run for longer than the task's retries used to last (about 6 s):
the run retries with backoff, takes its own claim back when the database returns, and finishes
with the snapshots of an uninterrupted run — not RUNNING with its error lost."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.db import connection
from django.db.models import QuerySet

from salesops.models import JobRun, JobStatus
from salesops.services.efficiency import JOB, efficiency_snapshots_compute
from salesops.services.efficiency.daily import ALL
from salesops.tasks import efficiency_runs_sweep_task, efficiency_snapshots_compute_task
from tests.faults.proxy import CuttableProxy
from tests.faults.test_killed_worker import AS_OF, _data
from tests.salesops.test_efficiency_support import table

QUEUE = "celery"
OUTAGE = 25  # seconds


def _wait_until_exists(rows: QuerySet[JobRun], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not rows.exists():
        assert time.monotonic() < deadline, list(JobRun.objects.values())
        time.sleep(0.2)


def _run(status: str) -> QuerySet[JobRun]:
    return JobRun.objects.filter(job=JOB, business_date=AS_OF, status=status)


@contextmanager
def _database_away_mid_run(
    personas: Any, workers: Any, *, settings: dict[str, int], seconds: float
) -> Iterator[None]:
    """The nightly run on one worker that reaches the database through a proxy: the run is held
    on its advisory lock until it is RUNNING, then the proxy cuts the database off for `seconds`
    (and the lock goes); the body runs once the database is back, before the proxy closes."""
    _data(personas)
    db = connection.settings_dict
    proxy = CuttableProxy(upstream_host=db["HOST"], upstream_port=int(db["PORT"] or 5432))
    try:
        key = f"salesops.eff:{ALL}"
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(hashtext(%s))", [key])
        workers(count=1, queue=QUEUE, settings=settings, db_port=proxy.port)
        efficiency_snapshots_compute_task.apply_async(
            kwargs={"as_of": AS_OF.isoformat()}, queue=QUEUE
        )
        _wait_until_exists(_run(JobStatus.RUNNING), 60)  # the worker started the run
        time.sleep(1)
        proxy.cut()
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(hashtext(%s))", [key])
        time.sleep(seconds)
        proxy.restore()
        yield
    finally:
        proxy.close()


def _same_as_an_uninterrupted_run() -> None:
    fault_run = table()
    efficiency_snapshots_compute(as_of=AS_OF, full=True)
    assert table() == fault_run


@pytest.mark.usefixtures("january_berlin")
def test_a_database_outage_mid_run_is_retried_through_and_the_run_finishes(workers, personas):
    # Retries scaled 5× (1 s doubling to 24 s; the defaults are 5 s to 120 s, ~12 minutes).
    settings = {
        "JOB_DB_RETRY_BACKOFF_SECONDS": 1,
        "JOB_DB_RETRY_MAX_SECONDS": 24,
        "JOB_LEASE_SECONDS": 6,
        "JOB_HEARTBEAT_SECONDS": 1,
    }
    with _database_away_mid_run(personas, workers, settings=settings, seconds=OUTAGE):
        back = time.monotonic()
        _wait_until_exists(_run(JobStatus.SUCCESS), 90)
        print(f"finished {time.monotonic() - back:.1f} s after the database was back")
    assert JobRun.objects.get(job=JOB, business_date=AS_OF).attempts >= 2
    _same_as_an_uninterrupted_run()


@pytest.mark.usefixtures("january_berlin")
def test_an_outage_longer_than_every_retry_leaves_no_run_running(workers, personas):
    """The database stays away after the task's last retry, so the failure itself cannot be
    written: the run's lease runs out, and the sweeper (every minute in production, called here
    once the database is back) re-queues it; the new attempt finishes with the snapshots of an
    uninterrupted run."""
    # Two retries, 1 s and 2 s apart: all spent well inside the outage.
    settings = {
        "JOB_DB_RETRY_BACKOFF_SECONDS": 1,
        "JOB_DB_RETRY_MAX_SECONDS": 2,
        "JOB_DB_RETRIES": 2,
        "JOB_LEASE_SECONDS": 6,
        "JOB_HEARTBEAT_SECONDS": 1,
    }
    # 15 s > 1 s + 2 s of retries and the 6 s lease.
    with _database_away_mid_run(personas, workers, settings=settings, seconds=15):
        # The task gave up while the database was away: nothing could record it.
        assert _run(JobStatus.RUNNING).exists()
        assert efficiency_runs_sweep_task() >= 1
        _wait_until_exists(_run(JobStatus.SUCCESS), 90)
    assert JobRun.objects.get(job=JOB, business_date=AS_OF).attempts >= 2
    assert not JobRun.objects.filter(status=JobStatus.RUNNING).exists()
    _same_as_an_uninterrupted_run()

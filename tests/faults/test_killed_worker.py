"""A worker SIGKILLed in the middle of the nightly run: the run finishes once a new worker is up,
within the lease and a sweep (never the broker's one-hour visibility timeout, which keeps the
killed worker's message), with the same snapshots as an uninterrupted run.

The test holds the engine's advisory lock of one partition (or of the whole refresh), so the
worker is reliably mid-run — its JobRun claimed, its transaction open — when it is killed. Beat
is simulated: the sweeper task is queued every `sweep_every` seconds, as beat does every minute.
"""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.db import connection

from salesops.models import JobRun, JobStatus
from salesops.services.efficiency import (
    JOB,
    PARTITION_JOB,
    efficiency_snapshots_compute,
    nightly_business_date,
)
from salesops.services.efficiency.daily import ALL, partition_names
from salesops.tasks import efficiency_runs_sweep_task, efficiency_snapshots_compute_task
from tests.salesops.test_efficiency_support import cost, table, won

# Last night's date: the sweeper looks at the last week (the workers' clock is the real one).
AS_OF = nightly_business_date()
QUEUE = "celery"  # the run queues its partitions, publish and the sweeper's messages here


def _data(personas) -> None:
    for name in ("rep_a1", "rep_a3", "rep_b1", "outsider"):
        person = personas.person(name)
        won(person, "1000", dt.date(2026, 3, 5))
        cost("400", dt.date(2026, 3, 6), person=person)
    cost("50", dt.date(2026, 4, 1), team=personas.team_a_east, category="tools")


def _wait(condition, timeout: float, what: str) -> float:
    start = time.monotonic()
    while not condition():
        assert time.monotonic() - start < timeout, f"timed out waiting for {what}"
        time.sleep(0.2)
    return time.monotonic() - start


def _kill_mid_run(workers, *, fanout: bool, settings: dict, sweep_every: float, limit: float):
    locked = partition_names()[-1] if fanout else ALL
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(hashtext(%s))", [f"salesops.eff:{locked}"])
    pool = workers(count=1, queue=QUEUE, settings=settings)
    (first,) = pool.procs
    efficiency_snapshots_compute_task.apply_async(
        kwargs={"as_of": AS_OF.isoformat(), "fanout": fanout}, queue=QUEUE
    )
    if fanout:
        blocked = JobRun.objects.filter(
            job=PARTITION_JOB, business_date=AS_OF, partition=locked, status=JobStatus.RUNNING
        )
    else:
        blocked = JobRun.objects.filter(job=JOB, business_date=AS_OF, status=JobStatus.RUNNING)
    _wait(blocked.exists, 60, "the worker to start the run")
    time.sleep(1)
    pool.kill(first)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_unlock(hashtext(%s))", [f"salesops.eff:{locked}"])
    pool.start("faults-replacement")
    up = time.monotonic()
    done = JobRun.objects.filter(job=JOB, business_date=AS_OF, status=JobStatus.SUCCESS)
    next_sweep = 0.0
    while not done.exists():
        elapsed = time.monotonic() - up
        assert elapsed < limit, (
            f"the run was not finished {limit:.0f} s after a new worker was up: "
            f"{list(JobRun.objects.values_list('job', 'partition', 'status', 'attempts'))}"
        )
        if elapsed >= next_sweep:
            efficiency_runs_sweep_task.apply_async(queue=QUEUE)
            next_sweep += sweep_every
        time.sleep(0.2)
    recovered = time.monotonic() - up
    run = JobRun.objects.get(job=JOB, business_date=AS_OF, partition="")
    assert run.attempts == 2
    assert not JobRun.objects.filter(status=JobStatus.RUNNING).exists()
    return recovered


def _same_as_uninterrupted() -> None:
    fault_run = table()
    efficiency_snapshots_compute(as_of=AS_OF, full=True)
    assert table() == fault_run


SCALED = {"JOB_LEASE_SECONDS": 6, "JOB_HEARTBEAT_SECONDS": 1}


# `make test` keeps the single run; the fanned-out one runs in `make faults` (a fanned-out run's
# take-over by the sweeper is in `make test` through test_broker_restart.py).
@pytest.mark.parametrize(
    "fanout", [False, pytest.param(True, marks=pytest.mark.full_only)], ids=["single", "fanout"]
)
@pytest.mark.usefixtures("january_berlin")
def test_a_run_killed_mid_way_finishes_after_a_new_worker_is_up_scaled(workers, personas, fanout):
    """Lease 6 s, heartbeat 1 s, a sweep every 3 s (the defaults are 120 s, 30 s and 60 s)."""
    _data(personas)
    # Fanned out, the take-over fans out too (this small org would otherwise run on one worker).
    settings = {**SCALED, "EFFICIENCY_FANOUT_MIN_PEOPLE": 1} if fanout else SCALED
    recovered = _kill_mid_run(workers, fanout=fanout, settings=settings, sweep_every=3, limit=60)
    print(f"recovered {recovered:.1f} s after the new worker was up")
    _same_as_uninterrupted()


@pytest.mark.full_only
@pytest.mark.parametrize("fanout", [False, True], ids=["single", "fanout"])
@pytest.mark.usefixtures("january_berlin")
def test_a_run_killed_mid_way_finishes_within_5_minutes_of_a_new_worker_with_the_defaults(
    workers, personas, fanout
):
    _data(personas)
    settings = {"EFFICIENCY_FANOUT_MIN_PEOPLE": 1} if fanout else {}
    recovered = _kill_mid_run(workers, fanout=fanout, settings=settings, sweep_every=60, limit=300)
    print(f"recovered {recovered:.1f} s after the new worker was up")
    _same_as_uninterrupted()

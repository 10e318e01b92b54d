"""The broker (an embedded Valkey of this test's own, without persistence) stops and restarts
during a fanned-out run: every queued message and the chord's state are gone. The partitions
recorded in the database are not redone; the sweeper takes the run over once its heartbeat
stops, refreshes what is missing and publishes, with the snapshots of an uninterrupted run."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from django.db import connection

from salesops.devservers import Valkey
from salesops.models import JobRun, JobStatus
from salesops.services.efficiency import JOB, PARTITION_JOB, efficiency_snapshots_compute
from salesops.services.efficiency.daily import partition_names
from salesops.tasks import efficiency_runs_sweep_task, efficiency_snapshots_compute_task
from tests.faults.conftest import broker_app
from tests.faults.smtp import free_port
from tests.faults.test_killed_worker import AS_OF, SCALED, _data
from tests.salesops.test_efficiency_support import table

QUEUE = "celery"


@pytest.mark.usefixtures("january_berlin")
def test_a_broker_restart_during_fan_out_loses_nothing(workers, personas, tmp_path: Path):
    _data(personas)
    names = partition_names()
    locked = names[-1]
    broker = Valkey(tmp_path / "valkey", free_port(), persist=False)
    broker.start()
    try:
        workers(
            count=1,
            queue=QUEUE,
            settings={**SCALED, "EFFICIENCY_FANOUT_MIN_PEOPLE": 1},
            redis_url=broker.url,
        )
        key = f"salesops.eff:{locked}"
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(hashtext(%s))", [key])
        control = broker_app(broker.url)
        control.send_task(
            efficiency_snapshots_compute_task.name,
            kwargs={"as_of": AS_OF.isoformat(), "fanout": True},
            queue=QUEUE,
        )
        blocked = JobRun.objects.filter(
            job=PARTITION_JOB, business_date=AS_OF, partition=locked, status=JobStatus.RUNNING
        )
        deadline = time.monotonic() + 60
        while not blocked.exists():
            assert time.monotonic() < deadline, list(JobRun.objects.values())
            time.sleep(0.2)
        broker.stop()
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(hashtext(%s))", [key])
        time.sleep(3)
        broker.start()
        back = time.monotonic()
        done = JobRun.objects.filter(job=JOB, business_date=AS_OF, status=JobStatus.SUCCESS)
        next_sweep = 0.0
        while not done.exists():
            elapsed = time.monotonic() - back
            assert elapsed < 90, list(JobRun.objects.values_list("partition", "status"))
            if elapsed >= next_sweep:
                control.send_task(efficiency_runs_sweep_task.name, queue=QUEUE)
                next_sweep += 3
            time.sleep(0.2)
        print(f"published {time.monotonic() - back:.1f} s after the broker was back")
    finally:
        broker.stop()
    parts = dict(
        JobRun.objects.filter(job=PARTITION_JOB, business_date=AS_OF).values_list(
            "partition", "status"
        )
    )
    assert parts == dict.fromkeys(names, JobStatus.SUCCESS)
    assert not JobRun.objects.filter(status=JobStatus.RUNNING).exists()
    fault_run = table()
    efficiency_snapshots_compute(as_of=AS_OF, full=True)
    assert table() == fault_run

"""Messages that never arrive: a nightly run whose beat message was dropped is created and
computed by the sweeper on a real worker, without anyone acting, and its snapshots equal a
recomputation."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.utils import timezone

from salesops.models import JobRun, JobStatus
from salesops.services.efficiency import JOB, efficiency_snapshots_compute, nightly_business_date
from salesops.tasks import efficiency_runs_sweep_task
from tests.salesops.test_efficiency_support import cost, table_for, won

QUEUE = "celery"


@pytest.mark.usefixtures("january_berlin")
def test_a_dropped_nightly_message_is_computed_by_the_sweeper(workers, personas):
    yesterday = nightly_business_date()
    before = yesterday - dt.timedelta(days=1)
    for name in ("rep_a1", "rep_b1"):
        won(personas.person(name), "1000", before - dt.timedelta(days=3))
        cost("400", before - dt.timedelta(days=2), person=personas.person(name))
    efficiency_snapshots_compute(as_of=before)
    now = timezone.now()
    JobRun.objects.create(
        job=JOB, business_date=before, status=JobStatus.SUCCESS, started_at=now, finished_at=now
    )
    # Beat's message for `yesterday` was dropped: no run exists. The next sweep notices.
    workers(count=1, queue=QUEUE)
    started = time.monotonic()
    efficiency_runs_sweep_task.apply_async(queue=QUEUE)
    done = JobRun.objects.filter(job=JOB, business_date=yesterday, status=JobStatus.SUCCESS)
    while not done.exists():
        assert time.monotonic() - started < 120, list(JobRun.objects.values())
        time.sleep(0.2)
    computed = table_for(yesterday)
    assert computed
    efficiency_snapshots_compute(as_of=yesterday, full=True)
    assert table_for(yesterday) == computed
    assert JobRun.objects.get(job=JOB, business_date=yesterday).attempts == 1

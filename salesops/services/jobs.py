"""Claiming background work exactly once, recorded in JobRun.

Every idempotent job calls `job_claim` first: only the caller that gets a JobRun back does the work.
A duplicate delivery for a (job, business date, partition) that succeeded or is running gets None;
a FAILED run, or a RUNNING run past its deadline (its worker died), is re-claimed. An operator's
explicit request (`again=True`, or a re-run requested on /ops/ with `job_rerun_request`) also
re-claims a run that succeeded, never one that is running.

A claimed run holds a short lease (`JOB_LEASE_SECONDS`, default 120 s) that a heartbeat thread of
the claiming process renews every `JOB_HEARTBEAT_SECONDS` (default 30 s) until `job_succeed` or
`job_fail`: a killed process stops renewing, and within the lease its run is claimable again by
the next delivery or the sweeper — never an hour (the old lease) or the broker's visibility
timeout. The run records who started its latest attempt (`trigger`) and which process holds it
(`worker`).

Which job a run belongs to, which runs should exist by now, and the sweeper that re-queues or
closes them are salesops.services.job_sweeper (re-exported here for existing callers).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone

from salesops.models import JobRun, JobStatus
from salesops.models.jobs import JobTrigger

logger = logging.getLogger(__name__)


def job_lease() -> timedelta:
    """How long a claimed run is owned without a heartbeat."""
    return timedelta(seconds=int(getattr(settings, "JOB_LEASE_SECONDS", 120)))


def job_heartbeat_interval() -> float:
    return float(getattr(settings, "JOB_HEARTBEAT_SECONDS", 30))


def _worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:200]


class _Heartbeat(threading.Thread):
    """Renews one run's lease from its own database connection until stopped, or until the run
    is no longer this attempt's (taken over, or finished elsewhere)."""

    def __init__(
        self, *, run_id: int, attempts: int, lease: timedelta, also: list[int] | None = None
    ) -> None:
        super().__init__(name=f"jobrun-heartbeat-{run_id}", daemon=True)
        self.run_id = run_id
        self.attempts = attempts
        self.lease = lease
        self.also = also or []
        self.stopped = threading.Event()

    def beat(self) -> bool:
        now = timezone.now()
        mine = JobRun.objects.filter(
            pk=self.run_id, status=JobStatus.RUNNING, attempts=self.attempts
        ).update(deadline=now + self.lease, heartbeat_at=now)
        if mine and self.also:
            # The run this one is a part of (a fan-out partition's run) is alive while it is.
            JobRun.objects.filter(pk__in=self.also, status=JobStatus.RUNNING).update(
                deadline=now + self.lease, heartbeat_at=now
            )
        return bool(mine)

    def run(self) -> None:
        try:
            while not self.stopped.wait(job_heartbeat_interval()):
                try:
                    if not self.beat():
                        return
                except DatabaseError as exc:
                    # The database is away: keep trying; the lease covers a short outage, and a
                    # long one lets another worker take over, which is what should happen.
                    logger.warning("heartbeat of run %s failed: %s", self.run_id, exc)
                finally:
                    # One short connection a beat: none held open between beats.
                    connection.close()
        finally:
            connection.close()


_HEARTBEATS: dict[int, _Heartbeat] = {}
_HEARTBEATS_LOCK = threading.Lock()


def _heartbeat_start(run: JobRun, lease: timedelta, also: list[int]) -> None:
    beat = _Heartbeat(run_id=run.pk, attempts=run.attempts, lease=lease, also=also)
    with _HEARTBEATS_LOCK:
        old = _HEARTBEATS.pop(run.pk, None)
        _HEARTBEATS[run.pk] = beat
    if old is not None:
        old.stopped.set()
    beat.start()


def job_heartbeat_stop(*, run_id: int) -> None:
    with _HEARTBEATS_LOCK:
        beat = _HEARTBEATS.pop(run_id, None)
    if beat is not None:
        beat.stopped.set()


def job_heartbeats_stop_all() -> None:
    """Stop every heartbeat of this process (a task ended without closing its run: its lease
    then runs out and the run is taken over, instead of looking alive forever)."""
    with _HEARTBEATS_LOCK:
        beats = list(_HEARTBEATS.values())
        _HEARTBEATS.clear()
    for beat in beats:
        beat.stopped.set()


def job_claim(
    *,
    job: str,
    business_date: date,
    partition: str = "",
    lease: timedelta | None = None,
    trigger: JobTrigger = JobTrigger.WORKER,
    again: bool = False,
    heartbeat: bool = True,
    also_renew: list[int] | None = None,
    owner: str = "",
    retrying: bool = False,
) -> JobRun | None:
    """Claim the run of (job, business date, partition), or None (see the module docstring).
    `heartbeat` renews the lease from a thread until job_succeed/job_fail; `also_renew` are
    runs whose lease that heartbeat renews too (the run a partition belongs to). `owner` (a
    task's id) is recorded with the process; `retrying` (that task's retry after a database
    error) also takes back a RUNNING run the same owner holds: its own claim, still there."""
    lease = lease or job_lease()
    now = timezone.now()
    worker = f"{_worker_name()} {owner}".strip()[:200]
    run: JobRun | None = None
    try:
        with transaction.atomic():
            run = JobRun.objects.create(
                job=job,
                business_date=business_date,
                partition=partition,
                status=JobStatus.RUNNING,
                started_at=now,
                deadline=now + lease,
                heartbeat_at=now,
                trigger=trigger,
                worker=worker,
            )
    except IntegrityError:
        pass
    if run is None:
        run = _job_reclaim(
            job=job,
            business_date=business_date,
            partition=partition,
            lease=lease,
            trigger=trigger,
            again=again,
            now=now,
            worker=worker,
            own=owner if retrying else "",
        )
    if run is not None and heartbeat:
        _heartbeat_start(run, lease, also_renew or [])
    return run


def _job_reclaim(
    *,
    job: str,
    business_date: date,
    partition: str,
    lease: timedelta,
    trigger: JobTrigger,
    again: bool,
    now: datetime,
    worker: str,
    own: str = "",
) -> JobRun | None:
    # The row exists: take it over only if it failed, its lease ran out, an operator asked for a
    # re-run, or (`again`) it succeeded — a conditional UPDATE, so of two racing callers exactly
    # one wins.
    expired = Q(status=JobStatus.RUNNING, deadline__lt=now)
    claimable = (
        Q(status=JobStatus.FAILED)
        | expired
        | (Q(rerun_pending=True) & ~Q(status=JobStatus.RUNNING))
    )
    if again:
        claimable |= Q(status=JobStatus.SUCCESS)
    if own:
        claimable |= Q(status=JobStatus.RUNNING, worker__endswith=f" {own}")
    claimed = (
        JobRun.objects.filter(job=job, business_date=business_date, partition=partition)
        .filter(claimable)
        .update(
            status=JobStatus.RUNNING,
            started_at=now,
            finished_at=None,
            deadline=now + lease,
            heartbeat_at=now,
            attempts=F("attempts") + 1,
            error="",
            trigger=Case(
                When(rerun_pending=True, then=Value(JobTrigger.OPS.value)),
                default=Value(trigger.value),
            ),
            rerun_pending=False,
            worker=worker,
        )
    )
    if not claimed:
        return None
    return JobRun.objects.get(job=job, business_date=business_date, partition=partition)


def job_succeed(*, run: JobRun, rows: int = 0) -> JobRun:
    job_heartbeat_stop(run_id=run.pk)
    run.status = JobStatus.SUCCESS
    run.finished_at = timezone.now()
    run.rows = rows
    run.save(update_fields=["status", "finished_at", "rows"])
    return run


def job_fail(*, run: JobRun, error: str) -> JobRun:
    job_heartbeat_stop(run_id=run.pk)
    run.status = JobStatus.FAILED
    run.finished_at = timezone.now()
    run.error = error[:10_000]
    run.save(update_fields=["status", "finished_at", "error"])
    return run


def job_rerun_request(
    *, job: str, business_date: date, partition: str = "", user_id: int | None
) -> JobRun | None:
    """Record an operator's re-run request on a run that is not running (or whose lease ran
    out): who asked and when. The run's status is left as it is (a success stays a success until
    the new attempt claims it); the next claim of that run takes it whatever its status. None
    when there is no such run or it is running."""
    now = timezone.now()
    live = Q(status=JobStatus.RUNNING, deadline__gte=now) | Q(
        status=JobStatus.RUNNING, deadline__isnull=True
    )
    updated = (
        JobRun.objects.filter(job=job, business_date=business_date, partition=partition)
        .exclude(live)
        .update(rerun_pending=True, requested_by_id=user_id, requested_at=now)
    )
    if not updated:
        return None
    return JobRun.objects.get(job=job, business_date=business_date, partition=partition)


# The sweeper's half, imported from here by the tasks, /ops/ and the tests (one import path for
# "jobs"); it imports nothing from this module, so there is no cycle.
from salesops.services.job_sweeper import (  # noqa: E402
    EXPECTED_DAILY,
    EXPECTED_GRACE,
    EXPECTED_MONTHLY,
    JOB_TASKS,
    MISSING_RUN_ERROR,
    SWEEP_DAYS,
    SWEEP_MAX_ATTEMPTS,
    SWEPT_ELSEWHERE,
    import_runs_mark_lost,
    job_expected_runs,
    job_missing_runs_create,
    job_missing_runs_record,
    job_runs_mark_lost,
    job_runs_to_requeue,
    job_task_for,
)

__all__ = [
    "EXPECTED_DAILY",
    "EXPECTED_GRACE",
    "EXPECTED_MONTHLY",
    "JOB_TASKS",
    "MISSING_RUN_ERROR",
    "SWEEP_DAYS",
    "SWEEP_MAX_ATTEMPTS",
    "SWEPT_ELSEWHERE",
    "import_runs_mark_lost",
    "job_claim",
    "job_expected_runs",
    "job_fail",
    "job_heartbeat_interval",
    "job_heartbeat_stop",
    "job_heartbeats_stop_all",
    "job_lease",
    "job_missing_runs_create",
    "job_missing_runs_record",
    "job_rerun_request",
    "job_runs_mark_lost",
    "job_runs_to_requeue",
    "job_succeed",
    "job_task_for",
]

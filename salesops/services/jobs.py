"""Claiming background work exactly once, recorded in JobRun.

Every idempotent job calls `job_claim` first: only the caller that gets a JobRun back does the work.
A duplicate delivery for a (job, business date, partition) that succeeded or is running gets None;
a FAILED run, or a RUNNING run past its deadline (its worker died), is re-claimed. An operator's
explicit request (`again=True`) also re-claims a run that succeeded, never one that is running.
The run records who started its latest attempt (`trigger`: the worker or the command line).
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from salesops.models import JobRun, JobStatus
from salesops.models.jobs import JobTrigger

DEFAULT_LEASE = timedelta(hours=1)


def job_claim(
    *,
    job: str,
    business_date: date,
    partition: str = "",
    lease: timedelta = DEFAULT_LEASE,
    trigger: JobTrigger = JobTrigger.WORKER,
    again: bool = False,
) -> JobRun | None:
    now = timezone.now()
    try:
        with transaction.atomic():
            return JobRun.objects.create(
                job=job,
                business_date=business_date,
                partition=partition,
                status=JobStatus.RUNNING,
                started_at=now,
                deadline=now + lease,
                trigger=trigger,
            )
    except IntegrityError:
        pass
    # The row exists: take it over only if it failed or its lease ran out, or (`again`) it
    # succeeded (a conditional UPDATE, so of two racing callers exactly one wins).
    claimable = Q(status=JobStatus.FAILED) | Q(status=JobStatus.RUNNING, deadline__lt=now)
    if again:
        claimable |= Q(status=JobStatus.SUCCESS)
    claimed = (
        JobRun.objects.filter(job=job, business_date=business_date, partition=partition)
        .filter(claimable)
        .update(
            status=JobStatus.RUNNING,
            started_at=now,
            finished_at=None,
            deadline=now + lease,
            attempts=F("attempts") + 1,
            error="",
            trigger=trigger,
        )
    )
    if not claimed:
        return None
    return JobRun.objects.get(job=job, business_date=business_date, partition=partition)


def job_succeed(*, run: JobRun, rows: int = 0) -> JobRun:
    run.status = JobStatus.SUCCESS
    run.finished_at = timezone.now()
    run.rows = rows
    run.save(update_fields=["status", "finished_at", "rows"])
    return run


def job_fail(*, run: JobRun, error: str) -> JobRun:
    run.status = JobStatus.FAILED
    run.finished_at = timezone.now()
    run.error = error[:10_000]
    run.save(update_fields=["status", "finished_at", "error"])
    return run


def job_reset(*, job: str, business_date: date, partition: str = "") -> int:
    """Let a succeeded run be claimed again (the ops page's re-run button)."""
    return (
        JobRun.objects.filter(job=job, business_date=business_date, partition=partition)
        .exclude(status=JobStatus.RUNNING)
        .update(status=JobStatus.FAILED, error="re-run requested")
    )

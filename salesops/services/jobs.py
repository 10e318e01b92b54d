"""Claiming background work exactly once, recorded in JobRun.

Every idempotent job calls `job_claim` first: only the caller that gets a JobRun back does the work.
A duplicate delivery for a (job, business date, partition) that succeeded or is running gets None;
a FAILED run, or a RUNNING run past its deadline (its worker died), is re-claimed.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from salesops.models import JobRun, JobStatus

DEFAULT_LEASE = timedelta(hours=1)


def job_claim(
    *, job: str, business_date: date, partition: str = "", lease: timedelta = DEFAULT_LEASE
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
            )
    except IntegrityError:
        pass
    # The row exists: take it over only if it failed or its lease ran out (a conditional UPDATE,
    # so of two racing callers exactly one wins).
    claimed = (
        JobRun.objects.filter(job=job, business_date=business_date, partition=partition)
        .filter(Q(status=JobStatus.FAILED) | Q(status=JobStatus.RUNNING, deadline__lt=now))
        .update(
            status=JobStatus.RUNNING,
            started_at=now,
            finished_at=None,
            deadline=now + lease,
            attempts=F("attempts") + 1,
            error="",
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

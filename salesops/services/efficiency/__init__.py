"""The nightly sales-efficiency engine (docs/efficiency.md).

`efficiency_snapshots_compute(as_of=…, full=…)` is the whole run in one transaction: refresh the
per-day aggregates (incrementally unless `full`), then write the snapshot set S(as_of). The same
result whatever the number or order of runs: every snapshot row is a function of the source data
and its period. For large orgs the nightly task fans the refresh out over partitions (root team
subtrees) on several workers and publishes in one final transaction; the result is identical.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from salesops.models import JobRun, JobStatus, Person
from salesops.services.efficiency.daily import (
    ALL,
    RefreshResult,
    daily_refresh,
    horizon_recorded,
    partition_names,
    partition_resolve,
)
from salesops.services.efficiency.periods import (
    business_date,
    nightly_business_date,
    state_horizon,
)
from salesops.services.efficiency.snapshots import PublishResult, snapshots_publish
from salesops.services.jobs import job_claim, job_fail, job_succeed

JOB = "efficiency_snapshots"
DEFAULT_LEASE = timedelta(hours=1)
SWEEP_DAYS = 7
MAX_ATTEMPTS = 5

__all__ = [
    "JOB",
    "ComputeResult",
    "business_date",
    "efficiency_fanout_partitions",
    "efficiency_needs_rebuild",
    "efficiency_partition_refresh",
    "efficiency_run_claim",
    "efficiency_run_publish",
    "efficiency_run_single",
    "efficiency_runs_to_sweep",
    "efficiency_snapshots_compute",
    "nightly_business_date",
]


@dataclass(frozen=True)
class ComputeResult:
    as_of: date
    full: bool
    periods: int
    rows: int
    # Periods computed from the previous night's rows (see snapshots.PublishResult).
    rolled: int = 0


def _lease() -> timedelta:
    return timedelta(
        seconds=getattr(settings, "EFFICIENCY_JOB_LEASE_SECONDS", DEFAULT_LEASE.total_seconds())
    )


def efficiency_snapshots_compute(*, as_of: date, full: bool = False) -> ComputeResult:
    """Refresh the per-day aggregates and write S(as_of), in one transaction.

    Set-based: the number of SQL statements does not depend on the number of people.
    Serialised by advisory locks, so concurrent runs queue instead of interleaving.
    A full refresh keeps the days from `as_of`'s horizon on (periods.state_horizon); a date that
    reads earlier days than the tables hold (a backfill of an older date) rebuilds in full.
    """
    with transaction.atomic():
        refreshed = daily_refresh(
            partition=partition_resolve(ALL),
            full=full or efficiency_needs_rebuild(as_of=as_of),
            horizon=state_horizon(as_of),
            defer_person_days=True,
        )
        published = snapshots_publish(
            as_of=as_of,
            full=full or refreshed.full,
            person_days_insert=refreshed.person_days_insert,
        )
    return ComputeResult(
        as_of=as_of,
        full=published.full,
        periods=published.periods,
        rows=published.rows,
        rolled=published.rolled,
    )


def efficiency_needs_rebuild(*, as_of: date) -> bool:
    """Whether S(as_of) reads days before the first one the per-day tables hold."""
    recorded = horizon_recorded()
    return recorded is not None and state_horizon(as_of) < recorded


def efficiency_run_claim(*, as_of: date) -> JobRun | None:
    """Claim the nightly run of `as_of`; None when it already succeeded or is running."""
    return job_claim(job=JOB, business_date=as_of, lease=_lease())


def efficiency_run_single(*, run: JobRun, as_of: date, full: bool = False) -> ComputeResult:
    """The whole claimed run on this worker; records success or failure on the JobRun."""
    try:
        result = efficiency_snapshots_compute(as_of=as_of, full=full)
    except Exception as exc:
        job_fail(run=run, error=f"{type(exc).__name__}: {exc}")
        raise
    job_succeed(run=run, rows=result.rows)
    return result


def efficiency_fanout_partitions(*, as_of: date, fanout: bool | None = None) -> list[str]:
    """Partitions to fan the run of `as_of` out over, or [] when one worker should do it all.

    `fanout`: None lets the org size decide (small orgs: one worker); True/False forces it. A
    date older than the per-day tables reach back is one worker's full rebuild whatever the
    size (partition refreshes keep to the recorded horizon).
    """
    if fanout is False or efficiency_needs_rebuild(as_of=as_of):
        return []
    if fanout is None:
        threshold = getattr(settings, "EFFICIENCY_FANOUT_MIN_PEOPLE", 2000)
        if Person.objects.count() < threshold:
            return []
    names = partition_names()
    if fanout:
        return names
    return names if len(names) > 1 else []


def efficiency_partition_refresh(*, partition: str, full: bool = False) -> RefreshResult:
    """Refresh one partition's per-day aggregates (its own transaction; idempotent)."""
    return daily_refresh(partition=partition_resolve(partition), full=full)


def efficiency_run_publish(*, as_of: date, full: bool = False) -> PublishResult:
    """Final step of a fanned-out run: write S(as_of) in one transaction, close the JobRun."""
    run = JobRun.objects.get(job=JOB, business_date=as_of, partition="")
    try:
        result = snapshots_publish(as_of=as_of, full=full)
    except Exception as exc:
        job_fail(run=run, error=f"{type(exc).__name__}: {exc}")
        raise
    job_succeed(run=run, rows=result.rows)
    return result


def efficiency_runs_to_sweep() -> list[date]:
    """Business dates of the last week whose run failed or outlived its lease (worker died)."""
    now = timezone.now()
    since = business_date(now) - timedelta(days=SWEEP_DAYS)
    runs = JobRun.objects.filter(job=JOB, partition="", business_date__gte=since)
    stuck = runs.filter(status=JobStatus.RUNNING, deadline__lt=now)
    failed = runs.filter(status=JobStatus.FAILED, attempts__lt=MAX_ATTEMPTS)
    return sorted(set((stuck | failed).values_list("business_date", flat=True)))

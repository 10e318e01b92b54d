"""The nightly sales-efficiency engine (docs/efficiency.md).

`efficiency_snapshots_compute(as_of=…, full=…)` is the whole run in one transaction: refresh the
per-day aggregates (incrementally unless `full`), then write the snapshot set S(as_of). The same
result whatever the number or order of runs: every snapshot row is a function of the source data
and its period. For large orgs the nightly task fans the refresh out over partitions (root team
subtrees) on several workers and publishes in one final transaction; the result is identical.
Every run, the worker's or the command line's, is the JobRun of its business date (`JOB`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Min
from django.utils import timezone

from salesops.models import JobRun, JobStatus, Person
from salesops.models.jobs import JobTrigger
from salesops.services.efficiency.cursors import (
    credit_rule,
    credit_rule_recorded,
    day_horizon_recorded,
    horizon_recorded,
)
from salesops.services.efficiency.daily import (
    ALL,
    RefreshResult,
    daily_refresh,
    partition_names,
    partition_resolve,
)
from salesops.services.efficiency.periods import (
    business_date,
    day_state_horizon,
    nightly_business_date,
    state_horizon,
)
from salesops.services.efficiency.run_progress import RunProgress
from salesops.services.efficiency.snapshots import (
    PUBLISH_STEPS,
    Progress,
    PublishResult,
    snapshots_publish,
)
from salesops.services.jobs import (
    job_claim,
    job_fail,
    job_lease,
    job_missing_runs_record,
    job_succeed,
)

JOB = "efficiency_snapshots"
# A fan-out partition's refresh for one business date: its own JobRun (partition = its name), so
# a partition whose worker died is seen (its heartbeat stops) and one that finished is not redone.
PARTITION_JOB = "efficiency_snapshots.partition"
SWEEP_DAYS = 7
MAX_ATTEMPTS = 5

__all__ = [
    "COMPUTE_STEPS",
    "JOB",
    "PARTITION_JOB",
    "ComputeResult",
    "business_date",
    "efficiency_expected_dates",
    "efficiency_fanout_partitions",
    "efficiency_history_dates",
    "efficiency_missing_runs_create",
    "efficiency_needs_rebuild",
    "efficiency_partition_refresh",
    "efficiency_partition_run",
    "efficiency_partitions_pending",
    "efficiency_partitions_reset",
    "efficiency_run_claim",
    "efficiency_run_command",
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
    # The short lease every job has, renewed by its heartbeat (salesops.services.jobs); the old
    # hour-long EFFICIENCY_JOB_LEASE_SECONDS kept a killed run locked for that hour.
    return job_lease()


# The steps of a run that refreshes the per-day tables: the refresh, then the publish's.
COMPUTE_STEPS = 1 + PUBLISH_STEPS


def efficiency_snapshots_compute(
    *, as_of: date, full: bool = False, progress: Progress | None = None
) -> ComputeResult:
    """Refresh the per-day aggregates and write S(as_of), in one transaction.

    Set-based: the number of SQL statements does not depend on the number of people.
    Serialised by advisory locks, so concurrent runs queue instead of interleaving.
    A full refresh keeps the days from `as_of`'s horizon on (periods.state_horizon); a date that
    reads earlier days than the tables hold (a backfill of an older date) rebuilds in full.
    `progress` is told (steps done, COMPUTE_STEPS) as each step ends.
    """
    step = progress or (lambda done, total: None)
    with transaction.atomic():
        refreshed = daily_refresh(
            partition=partition_resolve(ALL),
            full=full or efficiency_needs_rebuild(as_of=as_of),
            horizon=state_horizon(as_of),
            day_horizon=day_state_horizon(as_of),
            defer_person_days=True,
        )
        step(1, COMPUTE_STEPS)
        published = snapshots_publish(
            as_of=as_of,
            full=full or refreshed.full,
            person_days_insert=refreshed.person_days_insert,
            progress=lambda done, total: step(1 + done, 1 + total),
        )
        if published.full:
            # The pages read these rows by period and scope: after a full rewrite the planner
            # should know the table's size now, not last night's (the per-day table is analyzed
            # by the publish itself). Statistics of the key columns only, the ones the pages
            # filter, join and group on: the amounts' inform no plan and took half the time
            # (120 ms against 56 ms on the large demo).
            with connection.cursor() as cur:
                cur.execute(
                    "ANALYZE salesops_efficiencysnapshot "
                    "(scope_type, scope_id, scope_key, period, period_start, period_end)"
                )
    return ComputeResult(
        as_of=as_of,
        full=published.full,
        periods=published.periods,
        rows=published.rows,
        rolled=published.rolled,
    )


def efficiency_needs_rebuild(*, as_of: date) -> bool:
    """Whether S(as_of) reads days before the first one the per-day tables hold, or the per-day
    tables were built under another credit rule (COMP_REP_DEALS_PAY_BEFORE_CONFIRMATION changed)."""
    if credit_rule_recorded() != credit_rule():
        return True
    recorded, day_recorded = horizon_recorded(), day_horizon_recorded()
    if day_recorded is not None and day_state_horizon(as_of) < day_recorded:
        return True
    return recorded is not None and state_horizon(as_of) < recorded


def efficiency_run_claim(
    *,
    as_of: date,
    trigger: JobTrigger = JobTrigger.WORKER,
    again: bool = False,
    owner: str = "",
    retrying: bool = False,
) -> JobRun | None:
    """Claim the run of `as_of`; None when it is running, or already succeeded (unless `again`).
    `owner`: see job_claim (a task's retry takes its own claim back)."""
    return job_claim(
        job=JOB,
        business_date=as_of,
        lease=_lease(),
        trigger=trigger,
        again=again,
        owner=owner,
        retrying=retrying,
    )


def efficiency_run_single(
    *, run: JobRun, as_of: date, full: bool = False, refresh: bool = True
) -> ComputeResult:
    """The whole claimed run in this process; records success or failure on the JobRun.

    `refresh=False` writes S(as_of) from the per-day tables as they are, without refreshing them
    first: for the later dates of a backfill whose first date refreshed them (each date then
    follows from the one before; a change made meanwhile is the next refresh's, as on any
    night). A date older than the tables reach back is rebuilt whatever `refresh` says.
    The run's progress (its steps done) is written as it goes (run_progress.RunProgress).
    """
    try:
        if refresh or full or efficiency_needs_rebuild(as_of=as_of):
            progress = RunProgress(run=run, total=COMPUTE_STEPS)
            result = efficiency_snapshots_compute(
                as_of=as_of, full=full, progress=lambda done, total: progress.step(done)
            )
        else:
            progress = RunProgress(run=run, total=PUBLISH_STEPS)
            published = snapshots_publish(
                as_of=as_of, progress=lambda done, total: progress.step(done)
            )
            result = ComputeResult(
                as_of=as_of,
                full=published.full,
                periods=published.periods,
                rows=published.rows,
                rolled=published.rolled,
            )
    except Exception as exc:
        job_fail(run=run, error=f"{type(exc).__name__}: {exc}")
        raise
    progress.finish()
    job_succeed(run=run, rows=result.rows)
    return result


def efficiency_run_command(
    *, as_of: date, full: bool = False, refresh: bool = True, again: bool = True
) -> ComputeResult | None:
    """Compute `as_of` from the command line as the JobRun of that date (trigger "command"):
    /ops/ lists it like a nightly run, and the worker does not compute the date again.

    `again` (an operator's explicit date) also re-runs a date that already succeeded. None when
    the date is being computed right now (a RUNNING run within its lease), or has succeeded and
    not `again`. `refresh`: see efficiency_run_single.
    """
    run = efficiency_run_claim(as_of=as_of, trigger=JobTrigger.COMMAND, again=again)
    if run is None:
        return None
    return efficiency_run_single(run=run, as_of=as_of, full=full, refresh=refresh)


def efficiency_history_dates(*, as_of: date, months: int) -> list[date]:
    """The business dates of the `months` months that end with `as_of` (after the same date
    `months` months earlier, up to `as_of`), oldest first, without a successful run yet (by the
    worker or the command line): what a history run still has to compute."""
    first = as_of - relativedelta(months=months) + timedelta(days=1)
    done = set(
        JobRun.objects.filter(
            job=JOB, partition="", status=JobStatus.SUCCESS, business_date__range=(first, as_of)
        ).values_list("business_date", flat=True)
    )
    days = (first + timedelta(days=i) for i in range((as_of - first).days + 1))
    return [day for day in days if day not in done]


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


def efficiency_partitions_reset(*, as_of: date) -> None:
    """Forget the partition runs of `as_of` (an explicit re-run refreshes every partition)."""
    JobRun.objects.filter(job=PARTITION_JOB, business_date=as_of).exclude(
        status=JobStatus.RUNNING, deadline__gte=timezone.now()
    ).delete()


def efficiency_partition_run(
    *, as_of: date, partition: str, full: bool = False, owner: str = "", retrying: bool = False
) -> bool:
    """The fan-out step of the run of `as_of` for one partition, claimed as its own JobRun with a
    heartbeat that also keeps the run itself alive (the run's own task has handed on). Returns
    whether this call refreshed it: a partition already refreshed for that date, or being
    refreshed by a live worker, is left alone (a re-queued run or a redelivered message)."""
    parent = JobRun.objects.filter(job=JOB, business_date=as_of, partition="").first()
    run = job_claim(
        job=PARTITION_JOB,
        business_date=as_of,
        partition=partition,
        lease=_lease(),
        also_renew=[parent.pk] if parent is not None else [],
        owner=owner,
        retrying=retrying,
    )
    if run is None:
        return False
    try:
        result = efficiency_partition_refresh(partition=partition, full=full)
    except Exception as exc:
        job_fail(run=run, error=f"{type(exc).__name__}: {exc}")
        raise
    job_succeed(run=run, rows=result.person_days + result.team_days)
    return True


def efficiency_partitions_pending(*, as_of: date, partitions: list[str]) -> list[str]:
    """The partitions of `as_of` without a successful partition run (recorded in the database,
    whatever happened to the chord's messages)."""
    done = set(
        JobRun.objects.filter(
            job=PARTITION_JOB, business_date=as_of, status=JobStatus.SUCCESS
        ).values_list("partition", flat=True)
    )
    return [name for name in partitions if name not in done]


def efficiency_run_publish(
    *, as_of: date, full: bool = False, partitions: list[str] | None = None
) -> PublishResult | None:
    """Final step of a fanned-out run: write S(as_of) in one transaction, close the JobRun.
    Only once every partition run of the date succeeded (the chord callback may fire after a
    partition message was skipped as a duplicate, or not at all: the sweeper re-queues the run,
    which publishes once the database says every partition is done). None when not yet."""
    run = JobRun.objects.get(job=JOB, business_date=as_of, partition="")
    if run.status != JobStatus.RUNNING:
        return None
    names = partition_names() if partitions is None else partitions
    if efficiency_partitions_pending(as_of=as_of, partitions=names):
        return None
    try:
        result = snapshots_publish(as_of=as_of, full=full)
    except Exception as exc:
        job_fail(run=run, error=f"{type(exc).__name__}: {exc}")
        raise
    job_succeed(run=run, rows=result.rows)
    return result


# The nightly run fires at 01:30 company time; from 02:00 a business date without a run is late.
NIGHTLY_LATE_AFTER = timedelta(hours=2)
MISSING_ERROR = (
    "missing: no run was recorded for this business date (its nightly message was lost or "
    "expired); the sweeper queued it"
)


def efficiency_expected_dates(*, now: datetime | None = None) -> list[date]:
    """The business dates of the last SWEEP_DAYS that should have a nightly run by now: from the
    first date ever run (a fresh install expects nothing before it) to the date whose nightly
    run is due (after NIGHTLY_LATE_AFTER)."""
    now = now or timezone.now()
    latest = nightly_business_date(now - NIGHTLY_LATE_AFTER)
    first = JobRun.objects.filter(job=JOB, partition="").aggregate(first=Min("business_date"))[
        "first"
    ]
    if first is None:
        return []
    start = max(first, latest - timedelta(days=SWEEP_DAYS - 1))
    return [start + timedelta(days=i) for i in range((latest - start).days + 1)]


def efficiency_missing_runs_create(*, now: datetime | None = None) -> list[date]:
    """Record the expected business dates that have no JobRun (a dropped beat message) as
    failed runs saying so, for the sweeper to queue; returns those dates."""
    expected = efficiency_expected_dates(now=now)
    missing = job_missing_runs_record(
        expected=[(JOB, day, "") for day in expected], error=MISSING_ERROR, now=now
    )
    return [day for _, day, _ in missing]


def efficiency_runs_to_sweep() -> list[date]:
    """Business dates of the last week whose run failed, outlived its lease (its heartbeat
    stopped: the worker died), or never existed (created here as failed "missing" runs)."""
    now = timezone.now()
    efficiency_missing_runs_create(now=now)
    since = business_date(now) - timedelta(days=SWEEP_DAYS)
    runs = JobRun.objects.filter(job=JOB, partition="", business_date__gte=since)
    stuck = runs.filter(status=JobStatus.RUNNING, deadline__lt=now)
    failed = runs.filter(status=JobStatus.FAILED, attempts__lt=MAX_ATTEMPTS)
    return sorted(set((stuck | failed).values_list("business_date", flat=True)))

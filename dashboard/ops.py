"""Reads of the sales-ops page: background job runs and CRM import history.

Only sales ops and admins see them; anyone else gets 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from celery.schedules import crontab
from django.db.models import Count, Max, Q
from django.http import Http404
from django.utils import timezone

from meetings.models import Delivery, DeliveryStatus
from salesops import calendar
from salesops.importer.selectors import import_run_get as importer_run_get
from salesops.importer.selectors import import_run_list
from salesops.models import ImportRun, JobRun, JobStatus
from salesops.schedule import BEAT_SCHEDULE
from salesops.selectors.scope import AnyUser, sees_everything
from salesops.services.efficiency import JOB as NIGHTLY_JOB
from salesops.services.efficiency import (
    MISSING_ERROR,
    NIGHTLY_LATE_AFTER,
    efficiency_expected_dates,
)
from salesops.services.jobs import MISSING_RUN_ERROR

RUNS_SHOWN = 100
IMPORTS_SHOWN = 25


def require_ops(user: AnyUser) -> None:
    if not sees_everything(user):
        raise Http404("Sales operations only.")


@dataclass(frozen=True)
class JobSummary:
    job: str
    last_business_date: date
    last_started_at: datetime
    runs: int
    failed: int
    running: int


def job_summaries(*, user: AnyUser) -> list[JobSummary]:
    """Per job: its latest business date and how many of its runs failed or are running (one query)."""
    require_ops(user)
    rows = (
        JobRun.objects.values("job")
        .annotate(
            last_business_date=Max("business_date"),
            last_started_at=Max("started_at"),
            runs=Count("id"),
            failed=Count("id", filter=Q(status=JobStatus.FAILED)),
            running=Count("id", filter=Q(status=JobStatus.RUNNING)),
        )
        .order_by("job")
    )
    return [JobSummary(**row) for row in rows]


def job_runs_recent(*, user: AnyUser, job: str = "", status: str = "") -> list[JobRun]:
    """The latest runs (per job, business date and partition), newest business date first."""
    require_ops(user)
    qs = JobRun.objects.select_related("requested_by")
    if job:
        qs = qs.filter(job=job)
    if status:
        qs = qs.filter(status=status)
    return list(qs.order_by("-business_date", "job", "partition")[:RUNS_SHOWN])


# The beat entry of the nightly job the page's empty state points to.
NIGHTLY_ENTRY = "efficiency-nightly"


@dataclass(frozen=True)
class NextRun:
    at: datetime  # aware, in the beat's time zone
    zone: str


def nightly_next_run(*, user: AnyUser) -> NextRun:
    """When the beat schedule next starts the nightly efficiency run (no query: the page says
    when to expect a run, without claiming to know whether the worker and beat are up)."""
    require_ops(user)
    schedule = BEAT_SCHEDULE[NIGHTLY_ENTRY]["schedule"]
    assert isinstance(schedule, crontab)
    # remaining_delta: the start it counts from (in the beat's zone) and the time to the next run.
    start, delta, _now = schedule.remaining_delta(timezone.now())
    at = start + delta
    return NextRun(at=at, zone=str(at.tzinfo))


# A run still going after this long is listed as late (a nightly run takes minutes).
LATE_RUNNING = timedelta(hours=1)


@dataclass(frozen=True)
class Attention:
    job: str
    business_date: date
    partition: str
    problem: str  # "missing", "late", "worker lost", "failed"
    since: datetime  # when it became a problem: the due time, the start, the last heartbeat
    detail: str


def jobs_needing_attention(*, user: AnyUser) -> list[Attention]:
    """Gaps and late runs, oldest problem first (two queries): business dates of the last week
    with no nightly run (or only the sweeper's "missing" record), runs whose heartbeat stopped,
    runs going for longer than LATE_RUNNING, and failed runs of the last week."""
    require_ops(user)
    now = timezone.now()
    expected = efficiency_expected_dates(now=now)
    week = now.date() - timedelta(days=7)
    runs = list(
        JobRun.objects.filter(business_date__gte=min([week, *expected]))
        .exclude(status=JobStatus.SUCCESS)
        .order_by("business_date", "job", "partition")
    )
    nightly = set(
        JobRun.objects.filter(job=NIGHTLY_JOB, partition="", business_date__in=expected)
        .exclude(error=MISSING_ERROR, status=JobStatus.FAILED)
        .values_list("business_date", flat=True)
    )
    items = [
        Attention(
            job=NIGHTLY_JOB,
            business_date=day,
            partition="",
            problem="missing",
            since=calendar.company_midnight(day + timedelta(days=1)) + NIGHTLY_LATE_AFTER,
            detail="no nightly run recorded; the sweeper queues it",
        )
        for day in expected
        if day not in nightly
    ]
    for run in runs:
        if run.status == JobStatus.RUNNING and run.deadline is not None and run.deadline < now:
            since = run.heartbeat_at or run.started_at
            items.append(
                Attention(
                    run.job,
                    run.business_date,
                    run.partition,
                    "worker lost",
                    since,
                    f"no heartbeat since {since:%Y-%m-%d %H:%M} UTC; the sweeper takes it over",
                )
            )
        elif run.status == JobStatus.RUNNING and run.started_at < now - LATE_RUNNING:
            items.append(
                Attention(
                    run.job,
                    run.business_date,
                    run.partition,
                    "late",
                    run.started_at,
                    f"running for {(now - run.started_at).total_seconds() / 60:.0f} min",
                )
            )
        elif run.status == JobStatus.FAILED and run.error == MISSING_RUN_ERROR:
            items.append(
                Attention(
                    run.job,
                    run.business_date,
                    run.partition,
                    "missing",
                    run.started_at,
                    "no run was recorded (its beat message was lost); the sweeper queued it",
                )
            )
        elif run.status == JobStatus.FAILED and run.error != MISSING_ERROR:
            items.append(
                Attention(
                    run.job,
                    run.business_date,
                    run.partition,
                    "failed",
                    run.finished_at or run.started_at,
                    run.error[:200],
                )
            )
    return sorted(items, key=lambda item: item.since)


DELIVERIES_SHOWN = 25


def deliveries_failed(*, user: AnyUser) -> list[Delivery]:
    """Reminders and e-mails that failed (and will retry) or were given up, newest first."""
    require_ops(user)
    return list(
        Delivery.objects.filter(status__in=[DeliveryStatus.FAILED, DeliveryStatus.DEAD])
        .only("kind", "email", "subject", "status", "attempts", "next_attempt_at", "last_error")
        .order_by("-next_attempt_at", "-id")[:DELIVERIES_SHOWN]
    )


def import_runs_recent(*, user: AnyUser) -> list[ImportRun]:
    """The latest CRM imports (the importer's own selector, without the bulky report)."""
    require_ops(user)
    return list(import_run_list(user=user).defer("report", "files")[:IMPORTS_SHOWN])


def import_run_get(*, user: AnyUser, import_id: int) -> ImportRun:
    require_ops(user)
    return importer_run_get(user=user, run_id=import_id)

"""Which runs should exist and the sweeper's queries (split from salesops.services.jobs, which
claims runs and keeps their heartbeats; this module never claims or writes a running run).

- JOB_TASKS / job_task_for: the Celery task that runs a job for one (business date, partition),
  for the /ops/ re-run and the sweeper.
- job_expected_runs / job_missing_runs_create / job_missing_runs_record: runs the beat schedule
  must have produced by now; a missing one is recorded as a failed "missing" run.
- job_runs_to_requeue / job_runs_mark_lost / import_runs_mark_lost: what the sweeper re-queues or
  closes.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db.models import CharField, F, Min, Q, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from salesops import calendar
from salesops.models import JobRun, JobStatus
from salesops.models.jobs import JobTrigger


# The Celery task that runs each job for one (business date, partition), by name: the core
# cannot import the domain apps' tasks, and a JobRun's job name is not its task's name. Used by
# the /ops/ re-run and the sweeper; tests/salesops/test_jobs_rerun.py checks every entry names a
# registered task that takes these arguments.
def _statement_id(partition: str) -> dict[str, object]:
    return {"statement_id": int(partition.removeprefix("statement:"))}


JOB_TASKS: dict[str, tuple[str, str]] = {
    # job: (task name, how the run's key becomes the task's arguments)
    "efficiency_snapshots": ("salesops.efficiency_snapshots_compute", "as_of"),
    "compensation.statements_regenerate": (
        "compensation.statements_regenerate_open_task",
        "business_date",
    ),
    "compensation.period_close_remind": ("compensation.period_close_remind_task", "business_date"),
    "compensation.statement_ready": ("compensation.statement_ready_notify_task", "statement"),
    "territories.assignments": (
        "territories.tasks.territory_assignments_nightly_task",
        "business_date",
    ),
    # Drafts of one fiscal month generated on request from the statements page (partition: the
    # month's key, e.g. FY2026-M03).
    "compensation.statements_generate": ("compensation.statements_generate_task", "period"),
}


def job_task_for(
    *, job: str, business_date: date, partition: str = ""
) -> tuple[str, dict[str, object]] | None:
    """(task name, keyword arguments) that run `job` for this date and partition, or None when
    no task runs that job on its own (an unknown job, a fan-out partition of a run)."""
    entry = JOB_TASKS.get(job)
    if entry is None:
        return None
    name, argument = entry
    if argument == "statement":
        if not partition.startswith("statement:"):
            return None
        return name, _statement_id(partition)
    if argument == "period":
        if not partition:
            return None
        return name, {"business_date": business_date.isoformat(), "period": partition}
    if partition and job != "compensation.period_close_remind":
        return None
    return name, {argument: business_date.isoformat()}


# --- The sweeper -------------------------------------------------------------------------------
SWEEP_DAYS = 7
SWEEP_MAX_ATTEMPTS = 5
# Jobs the sweeper re-queues by JOB_TASKS; the nightly efficiency run has its own sweep (missing
# business dates too), and a fan-out partition is re-run through its run.
SWEPT_ELSEWHERE = frozenset({"efficiency_snapshots"})


# Runs the beat schedule must have produced by now (company time; the apps' schedule.py): the
# daily jobs for every business date, and the period-close reminder on each fiscal month's first
# day (its partition is the month that closed). A dropped or expired beat message leaves no run;
# job_missing_runs_create records the gap for the sweeper to queue and /ops/ to show.
EXPECTED_DAILY: dict[str, timedelta] = {  # job: its time of day, after company midnight
    "compensation.statements_regenerate": timedelta(hours=2, minutes=30),
    "territories.assignments": timedelta(hours=2, minutes=30),
}
EXPECTED_MONTHLY = {"compensation.period_close_remind": timedelta(hours=7)}
# A run is expected this long after its scheduled time (a worker may be busy with the night's work).
EXPECTED_GRACE = timedelta(minutes=30)
MISSING_RUN_ERROR = (
    "missing: no run was recorded for this business date (its beat message was lost or "
    "expired); the sweeper queued it"
)


def job_expected_runs(*, now: datetime | None = None) -> list[tuple[str, date, str]]:
    """(job, business date, partition) of the last SWEEP_DAYS whose scheduled time (plus grace)
    has passed, from each job's first recorded run on (a fresh install expects nothing before)."""
    now = now or timezone.now()
    jobs = [*EXPECTED_DAILY, *EXPECTED_MONTHLY]
    first = dict(
        JobRun.objects.filter(job__in=jobs)
        .values("job")
        .annotate(first=Min("business_date"))
        .values_list("job", "first")
    )
    today = calendar.company_date(now)
    days = [today - timedelta(days=i) for i in range(SWEEP_DAYS)]
    expected: list[tuple[str, date, str]] = []
    for job, at in [*EXPECTED_DAILY.items(), *EXPECTED_MONTHLY.items()]:
        since = first.get(job)
        for day in days:
            due = calendar.company_midnight(day) + at
            if since is None or day < since or due + EXPECTED_GRACE > now:
                continue
            if job in EXPECTED_DAILY:
                expected.append((job, day, ""))
            elif calendar.period_containing(day, calendar.MONTH).start == day:
                closed = calendar.period_containing(day - timedelta(days=1), calendar.MONTH)
                expected.append((job, day, closed.key))
    return expected


def job_missing_runs_create(*, now: datetime | None = None) -> list[tuple[str, date, str]]:
    """Record each expected run that does not exist as a failed "missing" run (attempts 0), which
    the sweeper queues at once (job_runs_to_requeue); returns what it recorded."""
    now = now or timezone.now()
    return job_missing_runs_record(
        expected=job_expected_runs(now=now), error=MISSING_RUN_ERROR, now=now
    )


def job_missing_runs_record(
    *, expected: Iterable[tuple[str, date, str]], error: str, now: datetime | None = None
) -> list[tuple[str, date, str]]:
    """Of the (job, business date, partition) keys `expected`, record those without a JobRun as
    failed runs (attempts 0, trigger sweeper) saying `error`; returns the keys it recorded. Every
    job's missing runs go through here (the nightly efficiency run's too)."""
    now = now or timezone.now()
    expected = list(expected)
    if not expected:
        return []
    existing = set(
        JobRun.objects.filter(
            job__in={job for job, _, _ in expected},
            business_date__gte=min(day for _, day, _ in expected),
        ).values_list("job", "business_date", "partition")
    )
    missing = [key for key in expected if key not in existing]
    JobRun.objects.bulk_create(
        [
            JobRun(
                job=job,
                business_date=day,
                partition=partition,
                status=JobStatus.FAILED,
                started_at=now,
                finished_at=now,
                attempts=0,
                error=error,
                trigger=JobTrigger.SWEEPER,
            )
            for job, day, partition in missing
        ],
        ignore_conflicts=True,
    )
    return missing


def _retry_due(run: JobRun, now: datetime) -> bool:
    """A failed run waits 2^attempts minutes (at most an hour) before the sweeper re-queues it;
    a missing one (never attempted) is due at once."""
    if run.attempts == 0:
        return True
    wait = timedelta(minutes=min(2 ** max(run.attempts, 0), 60))
    return run.finished_at is None or run.finished_at + wait <= now


def job_runs_to_requeue(*, now: datetime | None = None) -> list[tuple[str, dict[str, object]]]:
    """(task name, arguments) of the last week's runs whose worker died (RUNNING past their
    lease: the heartbeat stopped) or that failed and may try again (fewer than
    SWEEP_MAX_ATTEMPTS attempts, after a backoff), for every job a task runs on its own."""
    now = now or timezone.now()
    since = now.date() - timedelta(days=SWEEP_DAYS)
    runs = (
        JobRun.objects.filter(job__in=set(JOB_TASKS) - SWEPT_ELSEWHERE, business_date__gte=since)
        .filter(
            Q(status=JobStatus.RUNNING, deadline__lt=now)
            | Q(status=JobStatus.FAILED, attempts__lt=SWEEP_MAX_ATTEMPTS)
        )
        .order_by("business_date", "job", "partition")
    )
    queued: list[tuple[str, dict[str, object]]] = []
    for run in runs:
        if run.status == JobStatus.FAILED and not _retry_due(run, now):
            continue
        target = job_task_for(job=run.job, business_date=run.business_date, partition=run.partition)
        if target is not None:
            queued.append(target)
    return queued


def job_runs_mark_lost(*, now: datetime | None = None) -> int:
    """Close RUNNING runs whose heartbeat stopped and that nobody will take over: jobs no task
    runs on its own (a fan-out partition is re-claimed by its run's take-over whatever its
    status), and runs that already had SWEEP_MAX_ATTEMPTS attempts. They become FAILED, "worker
    lost", so no run stays RUNNING without a live heartbeat. Returns how many."""
    now = now or timezone.now()
    stuck = JobRun.objects.filter(status=JobStatus.RUNNING, deadline__lt=now)
    lost = stuck.exclude(job__in=set(JOB_TASKS)) | stuck.filter(attempts__gte=SWEEP_MAX_ATTEMPTS)
    return lost.update(
        status=JobStatus.FAILED,
        finished_at=now,
        error=Concat(
            Value("worker lost: no heartbeat since "),
            Cast(F("heartbeat_at"), output_field=CharField()),
            Value(" (its process died or lost the database)"),
        ),
    )


def import_runs_mark_lost(*, now: datetime | None = None) -> int:
    """Close CRM imports still RUNNING after the longest an import may run (IMPORT_LOST_AFTER_
    SECONDS, default the Celery hard time limit): their process died (an import's rows are
    written in one transaction, so a killed one wrote nothing). Returns how many."""
    from salesops.models import ImportRun, ImportStatus

    now = now or timezone.now()
    limit = int(
        getattr(
            settings,
            "IMPORT_LOST_AFTER_SECONDS",
            getattr(settings, "CELERY_TASK_TIME_LIMIT", 2100),
        )
    )
    lost = 0
    for run in ImportRun.objects.filter(
        status=ImportStatus.RUNNING, started_at__lt=now - timedelta(seconds=limit)
    ):
        message = (
            "worker lost: the import stopped without finishing (its process died); "
            "nothing was written"
        )
        report = dict(run.report or {})
        report.update(status=ImportStatus.FAILED, message=message)
        lost += ImportRun.objects.filter(pk=run.pk, status=ImportStatus.RUNNING).update(
            status=ImportStatus.FAILED, finished_at=now, report=report
        )
    return lost

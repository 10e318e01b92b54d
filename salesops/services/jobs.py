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
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import Case, CharField, F, Min, Q, Value, When
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from salesops import calendar
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
    expected = job_expected_runs(now=now)
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
                error=MISSING_RUN_ERROR,
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

"""Celery tasks of the core app: thin wrappers that take ids and ISO dates and call a service."""

from __future__ import annotations

from datetime import date
from typing import Any

from celery import Task, chord, current_app, shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError, connection

from salesops.hooks import efficiency_published
from salesops.models.jobs import JobTrigger
from salesops.services.efficiency import (
    efficiency_fanout_partitions,
    efficiency_partition_refresh,
    efficiency_partition_run,
    efficiency_partitions_pending,
    efficiency_partitions_reset,
    efficiency_run_claim,
    efficiency_run_publish,
    efficiency_run_single,
    efficiency_runs_to_sweep,
    nightly_business_date,
)
from salesops.services.jobs import (
    import_runs_mark_lost,
    job_missing_runs_create,
    job_runs_mark_lost,
    job_runs_to_requeue,
)


@shared_task(name="salesops.ping", ignore_result=False)
def ping_task() -> str:
    """Round trip through broker, worker and database; used by tests and operators."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "pong"


# --- Efficiency engine -------------------------------------------------------------------------
# Policy: the compute is idempotent (JobRun claim + upserts on natural keys), so acks_late and
# reject_on_worker_lost are safe: a worker that dies mid-run gets its message redelivered, and
# the claim turns a second delivery for a date that succeeded or is running into a no-op.
# Transient database errors retry with exponential backoff (5 times at most).
TRANSIENT_DB_ERRORS = (OperationalError, InterfaceError)


def _day(as_of: str | None) -> date:
    return date.fromisoformat(as_of) if as_of else nightly_business_date()


# A database failover takes minutes: retries wait 5, 10, 20, 40, 80 s, then 120 s each, about
# 12.5 minutes in all with the defaults (JOB_DB_RETRY_BACKOFF_SECONDS, JOB_DB_RETRY_MAX_SECONDS,
# JOB_DB_RETRIES). A retry takes its own claim back (the task id is the claim's owner); when the
# last one fails, the run's lease runs out and the sweeper re-queues it or records "worker lost".
DB_RETRY_BACKOFF = int(getattr(settings, "JOB_DB_RETRY_BACKOFF_SECONDS", 5))
DB_RETRY_MAX = int(getattr(settings, "JOB_DB_RETRY_MAX_SECONDS", 120))
DB_RETRIES = int(getattr(settings, "JOB_DB_RETRIES", 10))


def _owner(task: Task) -> dict[str, Any]:
    """Claim as this task (its id), taking the claim back when this is a retry of it."""
    return {"owner": f"task:{task.request.id}", "retrying": bool(task.request.retries)}


@shared_task(
    name="salesops.efficiency_snapshots_compute",
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
    autoretry_for=TRANSIENT_DB_ERRORS,
    retry_backoff=DB_RETRY_BACKOFF,
    retry_backoff_max=DB_RETRY_MAX,
    retry_jitter=False,
    max_retries=DB_RETRIES,
)
def efficiency_snapshots_compute_task(
    self: Task, as_of: str | None = None, full: bool = False, fanout: bool | None = None
) -> None:
    """The nightly run for business date `as_of` (default: the company day that just ended).

    `fanout`: None lets the org size decide; True/False forces it. Fanned out, each partition is
    refreshed by its own task and a chord callback publishes the snapshots and closes the JobRun.
    """
    day = _day(as_of)
    run = efficiency_run_claim(as_of=day, **_owner(self))
    if run is None:
        return
    partitions = efficiency_fanout_partitions(as_of=day, fanout=fanout)
    if not partitions:
        efficiency_run_single(run=run, as_of=day, full=full)
        efficiency_published(day)
        return
    if run.trigger in (JobTrigger.OPS, JobTrigger.COMMAND):
        efficiency_partitions_reset(as_of=day)  # an explicit re-run refreshes every partition
    # A take-over (the first attempt's worker died, or its chord's messages were lost) only
    # refreshes the partitions the database does not record as done.
    pending = efficiency_partitions_pending(as_of=day, partitions=partitions)
    publish = efficiency_run_publish_task.si(
        as_of=day.isoformat(), full=full, partitions=partitions
    )
    if not pending:
        publish.delay()
        return
    chord(
        efficiency_partition_refresh_task.si(partition=name, full=full, as_of=day.isoformat())
        for name in pending
    )(publish)


@shared_task(
    name="salesops.efficiency_partition_refresh",
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=TRANSIENT_DB_ERRORS,
    retry_backoff=DB_RETRY_BACKOFF,
    retry_backoff_max=DB_RETRY_MAX,
    retry_jitter=False,
    max_retries=DB_RETRIES,
    # A chord needs the results of its header tasks.
    ignore_result=False,
)
def efficiency_partition_refresh_task(
    self: Task, partition: str, full: bool = False, as_of: str | None = None
) -> str:
    if as_of is None:  # a message queued before partitions were runs of their own
        efficiency_partition_refresh(partition=partition, full=full)
    else:
        efficiency_partition_run(
            as_of=date.fromisoformat(as_of), partition=partition, full=full, **_owner(self)
        )
    return partition


@shared_task(
    name="salesops.efficiency_run_publish",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=TRANSIENT_DB_ERRORS,
    retry_backoff=DB_RETRY_BACKOFF,
    retry_backoff_max=DB_RETRY_MAX,
    retry_jitter=False,
    max_retries=DB_RETRIES,
    ignore_result=True,
)
def efficiency_run_publish_task(
    as_of: str, full: bool = False, partitions: list[str] | None = None
) -> None:
    day = date.fromisoformat(as_of)
    if efficiency_run_publish(as_of=day, full=full, partitions=partitions) is not None:
        efficiency_published(day)


@shared_task(name="salesops.efficiency_runs_sweep", ignore_result=True)
def efficiency_runs_sweep_task() -> int:
    """The sweeper (every minute): re-queue nightly runs that failed, whose heartbeat stopped
    (worker died: a fan-out run is taken over and refreshes only the partitions not recorded as
    done, or publishes when all are) or that never ran (a lost beat message); the same for every
    other job's runs; close imports whose process died. Never waits on the broker's visibility
    timeout: the run's lease in the database decides. Returns the messages queued."""
    days = efficiency_runs_to_sweep()
    for day in days:
        efficiency_snapshots_compute_task.delay(as_of=day.isoformat())
    job_missing_runs_create()
    others = job_runs_to_requeue()
    for name, kwargs in others:
        current_app.send_task(name, kwargs=kwargs)
    job_runs_mark_lost()
    import_runs_mark_lost()
    return len(days) + len(others)

"""Celery tasks of the meetings app: thin wrappers around services.

Policy: both tasks are idempotent in their service (deliveries are claimed with SKIP LOCKED and a
conditional UPDATE; occurrences are unique per series and start), so they run with acks_late and
reject_on_worker_lost, retry transient database errors with backoff (max 3), and keep no result.
"""

from __future__ import annotations

from celery import shared_task
from django.db import InterfaceError, OperationalError

from meetings.services.feeds import busy_feeds_fetch
from meetings.services.reminders import reminders_dispatch
from meetings.services.series import meeting_series_extend

TRANSIENT = (OperationalError, InterfaceError)


@shared_task(
    name="meetings.reminders_dispatch",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=TRANSIENT,
    retry_backoff=True,
    max_retries=3,
    ignore_result=True,
)
def reminders_dispatch_task() -> dict[str, int]:
    result = reminders_dispatch()
    return {"planned": result.planned, "sent": result.sent, "failed": result.failed}


@shared_task(
    name="meetings.meeting_series_extend",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=TRANSIENT,
    retry_backoff=True,
    max_retries=3,
    ignore_result=True,
)
def meeting_series_extend_task() -> int:
    return meeting_series_extend()


# Idempotent (feeds are claimed with SKIP LOCKED and a lease; a refetch replaces the blocks), so
# acks_late; database errors retry with backoff, a feed's own failure is recorded on that feed
# (the next beat tries it again) and never fails the task.
@shared_task(
    name="meetings.busy_feeds_fetch",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=TRANSIENT,
    retry_backoff=True,
    max_retries=3,
    ignore_result=True,
)
def busy_feeds_fetch_task() -> dict[str, int]:
    return busy_feeds_fetch()


@shared_task(
    name="meetings.invitations_send",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=TRANSIENT,
    retry_backoff=True,
    max_retries=3,
    ignore_result=True,
)
def invitations_send_task() -> dict[str, int]:
    """Queued on commit by every scheduling change that planned invitations; idempotent (the
    deliveries are claimed with a lease). What fails is retried by the reminder dispatcher."""
    from meetings.services.invitations import invitations_send

    sent, failed = invitations_send()
    return {"sent": sent, "failed": failed}

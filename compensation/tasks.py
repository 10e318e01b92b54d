"""Celery wrappers (thin): ids and ISO dates in, the service does the work and the idempotency.

Policy for all of them (IDEMPOTENT): idempotent through job_claim, so acks_late +
reject_on_worker_lost; transient database errors retry with backoff (max 3; mail errors of the
statement-ready mail too, max 8); results are not read (ignore_result)."""

from __future__ import annotations

from datetime import date
from typing import Any

from celery import shared_task
from django.db import InterfaceError, OperationalError

from compensation.services.jobs import (
    period_close_remind,
    statements_generate_run,
    statements_regenerate_open,
)
from compensation.services.notifications import MAIL_ERRORS, statement_ready_notify
from salesops import calendar

IDEMPOTENT: dict[str, Any] = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": (OperationalError, InterfaceError),
    "retry_backoff": True,
    "max_retries": 3,
    "ignore_result": True,
}


def _business_date(iso: str | None) -> date:
    """The given ISO date, or today in the company zone (the 1st at 00:30 is the new month)."""
    return date.fromisoformat(iso) if iso else calendar.company_today()


@shared_task(name="compensation.statements_regenerate_open_task", **IDEMPOTENT)
def statements_regenerate_open_task(business_date: str | None = None) -> int | None:
    return statements_regenerate_open(business_date=_business_date(business_date))


@shared_task(name="compensation.statements_generate_task", **IDEMPOTENT)
def statements_generate_task(business_date: str, period: str) -> int | None:
    """Drafts of one fiscal month requested from the statements page (JobRun with progress)."""
    run = statements_generate_run(
        business_date=date.fromisoformat(business_date), period_key=period
    )
    return None if run is None else run.rows


@shared_task(name="compensation.period_close_remind_task", **IDEMPOTENT)
def period_close_remind_task(business_date: str | None = None) -> int | None:
    return period_close_remind(business_date=_business_date(business_date))


# A mail relay's error is retried for about an hour (backoff 1 s … 10 min, 8 retries); the run
# records each failure, so the last one stays visible on /ops/.
@shared_task(
    name="compensation.statement_ready_notify_task",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError, InterfaceError, *MAIL_ERRORS),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=8,
    ignore_result=True,
)
def statement_ready_notify_task(statement_id: int) -> bool:
    return statement_ready_notify(statement_id=statement_id)

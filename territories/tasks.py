"""Celery wrappers of the territory services (ids and ISO dates only).

Policy: both tasks are idempotent (the engine diffs before it writes; the nightly run is claimed
once per business date in JobRun), so acks_late + reject_on_worker_lost are safe; transient
database errors retry with backoff, three times; results are not read.
"""

from __future__ import annotations

from datetime import date

from celery import shared_task
from django.db import OperationalError

from salesops import calendar
from territories.models import TerritoryModel
from territories.services import territory_assignments_nightly, territory_assignments_run
from territories.services.balance import territory_balance_snapshots_nightly
from territories.services.batches import assignment_batch_apply


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
    ignore_result=True,
)
def territory_assignments_run_task(model_id: int) -> int:
    """Re-assign every account of one model; returns the number of changed accounts."""
    model = TerritoryModel.objects.get(pk=model_id)
    return territory_assignments_run(model=model).changed


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
    ignore_result=True,
)
def territory_assignments_nightly_task(business_date: str | None = None) -> int:
    """The nightly backstop over the active model (once per business date)."""
    day = date.fromisoformat(business_date) if business_date else calendar.company_today()
    result = territory_assignments_nightly(business_date=day)
    return result.changed if result else 0


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
    ignore_result=True,
)
def assignment_batch_apply_task(batch_id: int) -> int:
    """Apply an approved assignment run; idempotent (the batch is claimed queued → running)."""
    batch = assignment_batch_apply(batch_id=batch_id)
    return batch.changed if batch else 0


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
    ignore_result=True,
)
def territory_balance_snapshots_nightly_task(business_date: str | None = None) -> int:
    """The balance snapshot of every active model for the night's business date (idempotent:
    a date's rows are replaced)."""
    day = date.fromisoformat(business_date) if business_date else calendar.nightly_business_date()
    return territory_balance_snapshots_nightly(as_of=day)

"""The dashboard's one write: the ops page's re-run button."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from salesops.celery import app as celery_app
from salesops.dashboard.ops import require_ops
from salesops.selectors.scope import AnyUser
from salesops.services.jobs import job_reset


def job_run_rerun(*, user: AnyUser, job: str, business_date: date, partition: str = "") -> bool:
    """Make a finished run claimable again (`job_reset`) and, when a Celery task is registered under
    the job's name, enqueue it for that business date after commit. False when nothing was reset
    (unknown run, or still running)."""
    require_ops(user)
    with transaction.atomic():
        reset = job_reset(job=job, business_date=business_date, partition=partition) > 0
        task = celery_app.tasks.get(job)
        if reset and task is not None:
            transaction.on_commit(lambda: task.delay(business_date.isoformat()))
    return reset

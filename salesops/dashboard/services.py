"""The dashboard's writes: the ops page's re-run button, ticking off an action item on /me/."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404

from meetings.models import ActionStatus
from meetings.selectors.meetings import action_item_can_update, action_items_visible
from meetings.services.items import action_item_set_status
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


def action_item_tick_off(*, user: AnyUser, item_id: int) -> None:
    """Mark one of the caller's action items done, through the meetings app's service (404 when
    the item is not visible to the caller; 403 when visible but not theirs to tick off)."""
    item = action_items_visible(user=user).filter(pk=item_id).first()
    if item is None:
        raise Http404("No such action item.")
    if not action_item_can_update(user=user, item=item):
        raise PermissionDenied("Only the owner or the meeting's organiser may tick this off.")
    action_item_set_status(item=item, status=ActionStatus.DONE)

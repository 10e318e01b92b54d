"""The dashboard's writes: the ops page's re-run button, ticking off an action item on /me/, and
the night's deal figures the pages read (written after the efficiency run publishes)."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404

from dashboard.deal_snapshots import deal_snapshots_replace
from dashboard.ops import require_ops
from meetings.models import ActionStatus
from meetings.selectors.meetings import action_item_can_update, action_items_visible
from meetings.services.items import action_item_set_status
from meetings.services.reminders import delivery_retry
from salesops.celery import app as celery_app
from salesops.selectors.scope import AnyUser
from salesops.services.jobs import job_rerun_request, job_task_for


def job_run_rerun(*, user: AnyUser, job: str, business_date: date, partition: str = "") -> bool:
    """Queue the run's own Celery task for its business date (and partition) after commit, and
    record who asked on the run. The run's status is not touched: the new attempt claims it
    (`job_rerun_request`). False when nothing was queued (unknown run, still running, or a job
    no task runs on its own)."""
    require_ops(user)
    target = job_task_for(job=job, business_date=business_date, partition=partition)
    if target is None:
        return False
    name, kwargs = target
    with transaction.atomic():
        run = job_rerun_request(
            job=job, business_date=business_date, partition=partition, user_id=user.pk
        )
        if run is not None:
            transaction.on_commit(lambda: celery_app.send_task(name, kwargs=kwargs))
    return run is not None


def delivery_retry_now(*, user: AnyUser, delivery_id: int) -> bool:
    """The /ops/ retry button of a failed delivery (sales ops only)."""
    require_ops(user)
    return delivery_retry(delivery_id=delivery_id)


def action_item_tick_off(*, user: AnyUser, item_id: int) -> None:
    """Mark one of the caller's action items done, through the meetings app's service (404 when
    the item is not visible to the caller; 403 when visible but not theirs to tick off)."""
    item = action_items_visible(user=user).filter(pk=item_id).first()
    if item is None:
        raise Http404("No such action item.")
    if not action_item_can_update(user=user, item=item):
        raise PermissionDenied("Only the owner or the meeting's organiser may tick this off.")
    action_item_set_status(item=item, status=ActionStatus.DONE)


def deal_snapshots_write(as_of: date) -> None:
    """The publish listener (salesops.hooks): the deal figures of business date `as_of` for the
    funnel, win rates, open pipeline and cost-of-pursuit counts (dashboard.deal_snapshots)."""
    deal_snapshots_replace(as_of=as_of)

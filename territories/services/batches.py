"""Approved assignment runs (batches): queued from the product, applied by a worker with
progress, and undone by a rollback.

`assignment_batch_apply` is idempotent: it claims the batch with a conditional UPDATE (queued →
running) and its JobRun (one per batch), so a duplicate delivery does nothing. The history rows a
batch changed are recorded in `undo`; `assignment_batch_rollback` restores them, only for the
latest applied batch of a model and only while nothing has changed those rows since.
"""

from __future__ import annotations

from datetime import date

from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone

from salesops import calendar
from salesops.exceptions import ApplicationError
from salesops.models import JobRun
from salesops.selectors.scope import AnyUser
from salesops.services.jobs import job_claim, job_fail, job_succeed
from salesops.services.progress import JobProgress
from territories.models import AccountTerritory, AssignmentBatch, BatchStatus, TerritoryModel
from territories.services.assignment import RUN_STEPS, territory_assignments_run
from territories.services.common import ensure_editable, lock_model

BATCH_JOB = "territories.assignment_batch"


def _user_or_none(user: AnyUser | None) -> AnyUser | None:
    return user if user is not None and user.is_authenticated else None


def assignment_batch_request(*, model: TerritoryModel, user: AnyUser | None) -> AssignmentBatch:
    """Approve a run of `model`: a queued batch the worker applies (after this commits)."""
    from territories.tasks import assignment_batch_apply_task

    ensure_editable(model)
    # A run whose worker died is RUNNING with its JobRun closed by the sweeper: it failed.
    AssignmentBatch.objects.filter(
        model=model, status=BatchStatus.RUNNING, job_run__finished_at__isnull=False
    ).update(status=BatchStatus.FAILED, error="The worker was lost; nothing was applied.")
    try:
        with transaction.atomic():
            batch = AssignmentBatch.objects.create(
                model=model,
                requested_by=_user_or_none(user),  # type: ignore[misc]
            )
    except IntegrityError as exc:
        raise ApplicationError(
            "An assignment run of this model is already queued or running."
        ) from exc
    transaction.on_commit(lambda: assignment_batch_apply_task.delay(batch.pk))
    return batch


def _claim(batch_id: int) -> bool:
    return bool(
        AssignmentBatch.objects.filter(pk=batch_id, status=BatchStatus.QUEUED).update(
            status=BatchStatus.RUNNING
        )
    )


def assignment_batch_apply(*, batch_id: int, on: date | None = None) -> AssignmentBatch | None:
    """Apply a queued batch (once): a full run of its model that records its undo."""
    today = on or calendar.company_today()
    if not _claim(batch_id):
        return None
    batch = AssignmentBatch.objects.select_related("model").get(pk=batch_id)
    run = job_claim(job=BATCH_JOB, business_date=today, partition=f"batch:{batch.pk}")
    if run is None:  # claimed by nobody else while queued: only a re-delivery gets here
        return None
    AssignmentBatch.objects.filter(pk=batch.pk).update(job_run=run)
    progress = JobProgress(model=JobRun, pk=run.pk, total=RUN_STEPS, interval=0)
    try:
        result = territory_assignments_run(
            model=batch.model,
            on=today,
            record_undo=True,
            progress=lambda step: progress.update(done=step),
        )
    except (DatabaseError, ApplicationError) as exc:
        message = exc.message if isinstance(exc, ApplicationError) else str(exc)
        AssignmentBatch.objects.filter(pk=batch.pk).update(
            status=BatchStatus.FAILED, error=message[:2000]
        )
        job_fail(run=run, error=message)
        raise
    progress.finish()
    AssignmentBatch.objects.filter(pk=batch.pk).update(
        status=BatchStatus.APPLIED,
        applied_on=today,
        changed=result.changed,
        unassigned=result.unassigned,
        undo=result.undo,
    )
    job_succeed(run=run, rows=result.changed)
    batch.refresh_from_db()
    return batch


def _ensure_undoable(batch: AssignmentBatch) -> None:
    if batch.status != BatchStatus.APPLIED:
        raise ApplicationError("Only an applied assignment run can be rolled back.")
    later = AssignmentBatch.objects.filter(
        model_id=batch.model_id,
        status__in=[BatchStatus.APPLIED, BatchStatus.QUEUED, BatchStatus.RUNNING],
        pk__gt=batch.pk,
    )
    if later.exists():
        raise ApplicationError("Roll back the later assignment runs of this model first.")
    undo = batch.undo
    inserted = list(undo.get("inserted", []))
    still_open = AccountTerritory.objects.filter(pk__in=inserted, valid_to__isnull=True).count()
    reopened = AccountTerritory.objects.filter(
        pk__in=undo.get("closed", []), valid_to=date.fromisoformat(undo["on"])
    ).count()
    if still_open != len(inserted) or reopened != len(undo.get("closed", [])):
        raise ApplicationError(
            "These assignments changed after the run (another run or an account edit): "
            "run the assignment again instead."
        )


@transaction.atomic
def assignment_batch_rollback(*, batch: AssignmentBatch, user: AnyUser | None) -> AssignmentBatch:
    """Restore the assignment history to what it was before `batch` (see the module docstring)."""
    locked_model = lock_model(batch.model_id)
    ensure_editable(locked_model)
    batch = AssignmentBatch.objects.select_for_update().get(pk=batch.pk)
    _ensure_undoable(batch)
    undo = batch.undo
    AccountTerritory.objects.filter(pk__in=undo.get("inserted", [])).delete()
    AccountTerritory.objects.filter(pk__in=undo.get("closed", [])).update(valid_to=None)
    AccountTerritory.objects.bulk_create(
        [
            AccountTerritory(
                model_id=batch.model_id,
                account_id=account,
                territory_id=territory,
                rule_id=rule,
                source=source,
                valid_from=date.fromisoformat(valid_from),
            )
            for account, territory, rule, source, valid_from in undo.get("deleted", [])
        ],
        batch_size=2000,
    )
    for pk, rule in undo.get("relabelled", []):
        AccountTerritory.objects.filter(pk=pk, valid_to__isnull=True).update(rule_id=rule)
    batch.status = BatchStatus.ROLLED_BACK
    batch.rolled_back_by = _user_or_none(user)  # type: ignore[assignment]
    batch.rolled_back_at = timezone.now()
    batch.save(update_fields=["status", "rolled_back_by", "rolled_back_at"])
    return batch

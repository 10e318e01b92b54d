"""Territory operations for sales ops: create a model, the rule editor's live preview, an
assignment run approved from its preview and applied by a worker with progress, and rollback."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from salesops.exceptions import ApplicationError
from salesops.progress import progress_context, progress_response
from salesops.selectors.scope import sees_everything
from territories import selectors
from territories.forms import RuleForm
from territories.models import AssignmentBatch, BatchStatus
from territories.services import territory_model_create
from territories.services.batches import assignment_batch_request, assignment_batch_rollback
from territories.services.whatif import assignment_run_preview, rule_edit_preview


def _ops_only(request: HttpRequest) -> None:
    if not sees_everything(request.user):
        raise Http404("Not found.")


def _batch_get(request: HttpRequest, batch_id: int) -> AssignmentBatch:
    _ops_only(request)
    batch = (
        AssignmentBatch.objects.select_related("model", "job_run", "requested_by")
        .filter(pk=batch_id)
        .first()
    )
    if batch is None:
        raise Http404("No such assignment run.")
    return batch


@login_required
@require_POST
def model_create(request: HttpRequest) -> HttpResponse:
    _ops_only(request)
    try:
        model = territory_model_create(
            name=request.POST.get("name", ""), description=request.POST.get("description", "")
        )
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
        return redirect("territories:index")
    messages.success(request, f"Planning model '{model.name}' created: add territories and rules.")
    return redirect("territories:model", model_id=model.pk)


@login_required
@require_POST
def rule_preview(request: HttpRequest, model_id: int) -> HttpResponse:
    """htmx: the moves the rule form as typed would cause (counts per territory, sample)."""
    _ops_only(request)
    model = selectors.model_get(user=request.user, model_id=model_id)
    editing = None
    if request.POST.get("editing"):
        try:
            editing = selectors.rule_get(user=request.user, rule_id=int(request.POST["editing"]))
        except ValueError as exc:
            raise Http404("No such rule.") from exc
    form = RuleForm(request.POST, model=model)
    preview = None
    if form.is_valid():
        data = dict(form.cleaned_data)
        territory = data.pop("territory")
        preview = rule_edit_preview(model=model, territory=territory, data=data, rule=editing)
    return render(
        request,
        "territories/_run_preview.html",
        {"preview": preview, "form_errors": form.errors, "live": True},
    )


@login_required
def assign(request: HttpRequest, model_id: int) -> HttpResponse:
    """GET: what a run would change; POST (approve): queue the run and follow its progress."""
    _ops_only(request)
    model = selectors.model_get(user=request.user, model_id=model_id)
    if request.method == "POST":
        try:
            batch = assignment_batch_request(model=model, user=request.user)
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return redirect("territories:assign", model_id=model.pk)
        messages.success(request, "Assignment run approved: a worker is applying it.")
        return redirect("territories:batch", batch_id=batch.pk)
    batches = AssignmentBatch.objects.filter(model=model).select_related("requested_by")[:10]
    return render(
        request,
        "territories/assign.html",
        {"model": model, "preview": assignment_run_preview(model=model), "batches": batches},
    )


@login_required
def batch_detail(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = _batch_get(request, batch_id)
    context = {"batch": batch, "model": batch.model, "pending": _pending(batch)}
    context.update(
        progress_context(
            run=batch.job_run,
            url=reverse("territories:batch-progress", args=[batch.pk]),
            label="Assignment run",
        )
    )
    return render(request, "territories/batch.html", context)


def _pending(batch: AssignmentBatch) -> bool:
    return batch.status in (BatchStatus.QUEUED, BatchStatus.RUNNING)


@login_required
def batch_progress(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = _batch_get(request, batch_id)
    return progress_response(
        request, run=batch.job_run, label="Assignment run", finished=not _pending(batch)
    )


@login_required
@require_POST
def batch_rollback(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = _batch_get(request, batch_id)
    try:
        assignment_batch_rollback(batch=batch, user=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Rolled back: the assignments are as they were before the run.")
    return redirect("territories:batch", batch_id=batch.pk)

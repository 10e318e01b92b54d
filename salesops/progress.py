"""The progress partial (templates/_progress.html) for any long job: a JobRun or an ImportRun.

A page includes the partial with `progress_context(...)`; while the job runs, the partial polls
its own URL with htmx (every second) and replaces itself. When the job is finished the poll
answers with `HX-Refresh`, so the page reloads and shows the job's result.

/jobs/<id>/ (job_run_page) is the page of any JobRun for sales ops and admins: an efficiency run
or backfill date started from /ops/ or the command line, a statement generation, an assignment
run. A job that writes no progress of its own (progress_total 0) shows what the database knows:
the nightly efficiency run fanned out over partitions counts its partitions refreshed.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse

from salesops.models import ImportRun, ImportStatus, JobRun, JobStatus
from salesops.selectors.scope import sees_everything
from salesops.services.efficiency import JOB as EFFICIENCY_JOB
from salesops.services.efficiency import PARTITION_JOB
from salesops.services.efficiency.daily import partition_names


def progress_context(*, run: JobRun | ImportRun | None, url: str, label: str) -> dict[str, Any]:
    """Template context of the partial for `run` (None: queued, no worker has it yet)."""
    if run is None:
        done, total, running, status = 0, 0, True, "Queued: waiting for a worker"
    else:
        done, total = run.progress_done, run.progress_total
        running = run.status in (JobStatus.RUNNING, ImportStatus.RUNNING)
        status = run.get_status_display()  # type: ignore[union-attr]
    percent = min(100, round(100 * done / total)) if total else (0 if running else 100)
    return {
        "progress": {
            "url": url,
            "label": label,
            "done": done,
            "total": total,
            "percent": percent,
            "running": running,
            "status": status,
        }
    }


def progress_response(
    request: HttpRequest, *, run: JobRun | ImportRun | None, label: str, finished: bool
) -> HttpResponse:
    """The partial for the htmx poll at this URL; `finished` makes the page reload itself."""
    context = progress_context(run=run, url=request.get_full_path(), label=label)
    response = HttpResponse(render_to_string("_progress.html", context, request=request))
    if finished:
        response["HX-Refresh"] = "true"
    return response


def job_run_with_progress(run: JobRun) -> JobRun:
    """`run`, its progress filled in from the database when the job writes none itself: a
    running efficiency run fanned out over partitions is as far as its partitions refreshed (of
    the org's partitions today). Not saved; for display."""
    if run.progress_total or run.job != EFFICIENCY_JOB or run.partition:
        return run
    parts = JobRun.objects.filter(job=PARTITION_JOB, business_date=run.business_date)
    done = parts.filter(status=JobStatus.SUCCESS).count()
    if run.status == JobStatus.RUNNING and parts.exists():
        run.progress_done, run.progress_total = done, max(len(partition_names()), done)
    return run


def _job_run_get(request: HttpRequest, run_id: int) -> JobRun:
    if not sees_everything(request.user):
        raise Http404("Not found.")
    run = JobRun.objects.select_related("requested_by").filter(pk=run_id).first()
    if run is None:
        raise Http404("No such job run.")
    return job_run_with_progress(run)


def _label(run: JobRun) -> str:
    return f"{run.job} {run.business_date:%Y-%m-%d}" + (
        f" {run.partition}" if run.partition else ""
    )


@login_required
def job_run_page(request: HttpRequest, run_id: int) -> HttpResponse:
    run = _job_run_get(request, run_id)
    context: dict[str, Any] = {"run": run, "running": run.status == JobStatus.RUNNING}
    context.update(
        progress_context(run=run, url=reverse("job-run-progress", args=[run.pk]), label=_label(run))
    )
    return render(request, "salesops/job_run.html", context)


@login_required
def job_run_progress(request: HttpRequest, run_id: int) -> HttpResponse:
    run = _job_run_get(request, run_id)
    return progress_response(
        request, run=run, label=_label(run), finished=run.status != JobStatus.RUNNING
    )

"""The progress partial (templates/_progress.html) for any long job: a JobRun or an ImportRun.

A page includes the partial with `progress_context(...)`; while the job runs, the partial polls
its own URL with htmx (every second) and replaces itself. When the job is finished the poll
answers with `HX-Refresh`, so the page reloads and shows the job's result.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

from salesops.models import ImportRun, ImportStatus, JobRun, JobStatus


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

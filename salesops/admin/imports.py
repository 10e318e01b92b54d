"""Admin for CRM imports: the "Import CRM export" upload page and the (read-only) import history."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.safestring import SafeString

from salesops.importer.forms import CrmImportForm
from salesops.importer.queue import crm_import_queue
from salesops.importer.selectors import import_run_get
from salesops.models import ImportRun, ImportStatus
from salesops.progress import progress_context, progress_response
from salesops.selectors.scope import sees_everything


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "started_at",
        "status",
        "origin",
        "user",
        "dry_run",
        "strict",
        "error_count",
        "warning_count",
    )
    list_filter = ("status", "origin", "dry_run", "strict")
    search_fields = ("user__username", "origin", "status")
    list_select_related = ("user",)
    date_hierarchy = "started_at"
    fields = (
        "status",
        "origin",
        "user",
        "started_at",
        "finished_at",
        "dry_run",
        "strict",
        "error_count",
        "warning_count",
        "files",
        "report_display",
    )
    readonly_fields = fields
    change_list_template = "admin/salesops/importrun/change_list.html"

    # The history is a record: nobody adds, edits or deletes runs by hand.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return sees_everything(request.user)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return sees_everything(request.user)

    @admin.display(description="Report")
    def report_display(self, obj: ImportRun) -> SafeString:
        return SafeString(
            render_to_string("admin/salesops/import_report.html", {"report": obj.report})
        )

    def get_urls(self) -> list[URLPattern]:  # type: ignore[override]
        view = self.admin_site.admin_view
        return [
            path("upload/", view(self.upload_view), name="salesops_importrun_upload"),
            path(
                "upload/<int:run_id>/",
                view(self.status_view),
                name="salesops_importrun_status",
            ),
            path(
                "upload/<int:run_id>/progress/",
                view(self.progress_view),
                name="salesops_importrun_progress",
            ),
            *super().get_urls(),
        ]

    def upload_view(self, request: HttpRequest) -> HttpResponse:
        """Store the upload and queue its import; the status page follows it (not the request)."""
        if not sees_everything(request.user):
            raise Http404("Not found.")
        form = CrmImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            run = crm_import_queue(
                files=form.files_given(),
                stage_map=form.cleaned_data["stage_map"],
                dry_run=form.cleaned_data["dry_run"],
                strict=form.cleaned_data["strict"],
                user=request.user,
                origin="admin",
            )
            return redirect("admin:salesops_importrun_status", run_id=run.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Import CRM export",
            "form": form,
            "report": None,
        }
        return TemplateResponse(request, "admin/salesops/importrun/upload.html", context)

    def status_view(self, request: HttpRequest, run_id: int) -> HttpResponse:
        """The queued import: progress while it runs, then its row-level report."""
        run = import_run_get(user=request.user, run_id=run_id)
        running = run.status == ImportStatus.RUNNING
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Import #{run.pk}",
            "run": run,
            "running": running,
            "report": None if running else run.report,
            **progress_context(
                run=run,
                url=reverse("admin:salesops_importrun_progress", args=[run.pk]),
                label="Import",
            ),
        }
        return TemplateResponse(request, "admin/salesops/importrun/status.html", context)

    def progress_view(self, request: HttpRequest, run_id: int) -> HttpResponse:
        run = import_run_get(user=request.user, run_id=run_id)
        return progress_response(
            request, run=run, label="Import", finished=run.status != ImportStatus.RUNNING
        )

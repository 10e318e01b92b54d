"""Admin for CRM imports: the "Import CRM export" upload page and the (read-only) import history."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.utils.safestring import SafeString

from salesops.importer.forms import CrmImportForm
from salesops.importer.services import crm_import_run
from salesops.models import ImportRun
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
        upload = path(
            "upload/",
            self.admin_site.admin_view(self.upload_view),
            name="salesops_importrun_upload",
        )
        return [upload, *super().get_urls()]

    def upload_view(self, request: HttpRequest) -> HttpResponse:
        if not sees_everything(request.user):
            raise PermissionDenied
        report = None
        form = CrmImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            report = crm_import_run(
                files=form.files_given(),
                stage_map=form.cleaned_data["stage_map"],
                dry_run=form.cleaned_data["dry_run"],
                strict=form.cleaned_data["strict"],
                user=request.user,
                origin="admin",
            ).as_dict()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Import CRM export",
            "form": form,
            "report": report,
        }
        return TemplateResponse(request, "admin/salesops/importrun/upload.html", context)

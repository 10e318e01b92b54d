"""The CRM imports list for sales ops and admins (/imports/): search, filters in the query string,
sortable columns, page sizes and a CSV of the same rows (salesops.listing). Each row opens the
import's report on /ops/; the upload page is the admin's "Import CRM export"."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from salesops.importer.filters import ImportRunFilter
from salesops.importer.selectors import import_run_list
from salesops.listing import Listing
from salesops.models import ImportStatus
from salesops.selectors.scope import sees_everything

IMPORTS = Listing(
    sorts={
        "started": "started_at",
        "finished": "finished_at",
        "status": "status",
        "origin": "origin",
        "user": "user__username",
        "errors": "error_count",
        "warnings": "warning_count",
    },
    default_sort="-started",
    search_fields=("user__username", "origin", "status"),
    search_label="User, origin or status",
    columns=(
        ("id", lambda r: r.pk),
        ("started_at", lambda r: r.started_at.isoformat()),
        ("finished_at", lambda r: r.finished_at.isoformat() if r.finished_at else ""),
        ("status", lambda r: r.get_status_display()),
        ("origin", lambda r: r.origin),
        ("user", lambda r: r.user.username if r.user else ""),
        ("dry_run", lambda r: "yes" if r.dry_run else "no"),
        ("strict", lambda r: "yes" if r.strict else "no"),
        ("errors", lambda r: r.error_count),
        ("warnings", lambda r: r.warning_count),
        ("progress_done", lambda r: r.progress_done),
        ("progress_total", lambda r: r.progress_total),
    ),
)

YES_NO = [("", "Any"), ("true", "Yes"), ("false", "No")]


class ImportFilterForm(forms.Form):
    status = forms.ChoiceField(choices=[("", "Any status"), *ImportStatus.choices], required=False)
    origin = forms.CharField(required=False, max_length=20)
    dry_run = forms.ChoiceField(choices=YES_NO, required=False, label="Dry run")
    strict = forms.ChoiceField(choices=YES_NO, required=False)


@login_required
def imports_page(request: HttpRequest) -> HttpResponse:
    if not sees_everything(request.user):
        raise Http404("Not found.")
    form = ImportFilterForm(request.GET)
    rows = import_run_list(user=request.user).defer("report", "files")
    filterset = ImportRunFilter(
        {name: value for name, value in request.GET.items() if name in form.fields and value},
        queryset=rows,
    )
    if filterset.is_valid():
        rows = filterset.qs
    else:
        for field, errors in filterset.errors.items():
            form.add_error(field if field in form.fields else None, errors)
        rows = rows.none()
    if IMPORTS.wants_csv(request):
        return IMPORTS.csv(request, rows, "imports.csv")
    return render(
        request, "salesops/imports.html", {"form": form, "listing": IMPORTS.page(request, rows)}
    )

"""Admin for the efficiency engine's cursors, a read-only browser of its snapshots (the nightly
run writes them; their primary key is their natural key, which the Django admin cannot register,
so they are listed by a view of the cursors' admin), and team history."""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path

from salesops.api.efficiency import EfficiencySnapshotFilter
from salesops.formulas import format_ratio
from salesops.models import EfficiencyCursor, EfficiencySnapshot, TeamMembership
from salesops.selectors.efficiency import efficiency_snapshot_list


@admin.register(TeamMembership)
class TeamMembershipAdmin(admin.ModelAdmin):
    """History written by person_move_team; read here, change teams through the service."""

    list_display = ("person", "team", "valid_from", "valid_to", "updated_at")
    list_filter = ("team",)
    search_fields = ("person__name", "team__name")
    autocomplete_fields = ("person", "team")
    list_select_related = ("person", "team")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


SNAPSHOTS_PER_PAGE = 100


@admin.register(EfficiencyCursor)
class EfficiencyCursorAdmin(admin.ModelAdmin):
    list_display = ("name", "watermark", "day")
    search_fields = ("name",)

    def get_urls(self) -> list[URLPattern]:  # type: ignore[override]
        return [
            path(
                "snapshots/",
                self.admin_site.admin_view(self.snapshots_view),
                name="salesops_efficiencysnapshot_list",
            ),
            *super().get_urls(),
        ]

    def snapshots_view(self, request: HttpRequest) -> HttpResponse:
        """The snapshots the nightly run wrote, newest night first, filtered as the API filters
        them (scope type, id or key, period, period end), a page at a time (read-only)."""
        if not request.user.has_perm("salesops.view_efficiencysnapshot"):
            raise PermissionDenied
        # The API's filters (scope, period, period end, ranges): one definition of how a
        # snapshot is addressed by its natural key.
        filterset = EfficiencySnapshotFilter(
            request.GET or None, queryset=efficiency_snapshot_list(user=request.user)
        )
        rows = filterset.qs
        page = Paginator(rows, SNAPSHOTS_PER_PAGE).get_page(request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        context = {
            **self.admin_site.each_context(request),
            "opts": EfficiencySnapshot._meta,
            "title": "Efficiency snapshots",
            "form": filterset.form,
            "page": page,
            "rows": [(row, format_ratio(row.ratio)) for row in page.object_list],
            "query": query.urlencode(),
        }
        return TemplateResponse(request, "admin/salesops/efficiencysnapshot/list.html", context)

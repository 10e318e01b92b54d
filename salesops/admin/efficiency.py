"""Admin for efficiency snapshots (read-only: the nightly run writes them) and team history."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from salesops.formulas import format_ratio
from salesops.models import EfficiencyCursor, EfficiencySnapshot, TeamMembership


@admin.register(EfficiencySnapshot)
class EfficiencySnapshotAdmin(admin.ModelAdmin):
    list_display = (
        "scope_type",
        "scope_id",
        "scope_key",
        "period",
        "period_start",
        "period_end",
        "revenue",
        "cost",
        "shown_ratio",
        "won_deals",
        "computed_at",
    )
    list_filter = ("scope_type", "period", "period_end")
    search_fields = ("scope_key", "=scope_id")
    date_hierarchy = "period_end"

    @admin.display(description="ratio", ordering="ratio")
    def shown_ratio(self, obj: EfficiencySnapshot) -> str:
        return format_ratio(obj.ratio)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


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


@admin.register(EfficiencyCursor)
class EfficiencyCursorAdmin(admin.ModelAdmin):
    list_display = ("name", "watermark", "day")
    search_fields = ("name",)

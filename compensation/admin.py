"""Admin for every compensation model, with the audit history (who changed what) for sales ops."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from compensation.models import (
    Adjustment,
    CommissionPlan,
    DealReversal,
    Dispute,
    PlanAssignment,
    PlanVersion,
    PlanVersionStatus,
    Quota,
    Statement,
    StatementLine,
    StatementStatus,
)


@admin.register(Quota)
class QuotaAdmin(SimpleHistoryAdmin):
    list_display = ("__str__", "person", "team", "territory", "metric", "period_start", "amount")
    list_filter = ("metric", "fiscal_year", "team")
    search_fields = ("person__name", "team__name", "basis")
    autocomplete_fields = ("person", "team")
    raw_id_fields = ("territory",)
    list_select_related = ("person", "team", "territory")
    date_hierarchy = "period_start"


class PlanVersionInline(admin.TabularInline):
    model = PlanVersion
    fields = ("number", "effective_from", "status", "approved_at")
    readonly_fields = fields
    extra = 0
    show_change_link = True
    can_delete = False


@admin.register(CommissionPlan)
class CommissionPlanAdmin(SimpleHistoryAdmin):
    list_display = ("name", "created_at")
    search_fields = ("name", "description")
    inlines = [PlanVersionInline]


@admin.register(PlanVersion)
class PlanVersionAdmin(SimpleHistoryAdmin):
    list_display = ("plan", "number", "effective_from", "status", "approved_by", "approved_at")
    list_filter = ("status", "plan")
    search_fields = ("plan__name", "notes")
    autocomplete_fields = ("plan",)
    list_select_related = ("plan", "approved_by")
    readonly_fields = ("approved_by", "approved_at", "created_by")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # An approved version is immutable: show it, never edit it.
        if obj is not None and obj.status == PlanVersionStatus.APPROVED:
            return [f.name for f in self.model._meta.fields]
        return self.readonly_fields

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None or obj.status == PlanVersionStatus.DRAFT


@admin.register(PlanAssignment)
class PlanAssignmentAdmin(SimpleHistoryAdmin):
    list_display = ("person", "plan", "start", "end", "target_incentive")
    list_filter = ("plan",)
    search_fields = ("person__name", "plan__name")
    autocomplete_fields = ("person", "plan")
    list_select_related = ("person", "plan")


class StatementLineInline(admin.TabularInline):
    model = StatementLine
    fields = ("position", "kind", "ref", "description", "tier", "base", "rate", "formula", "amount")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Statement)
class StatementAdmin(SimpleHistoryAdmin):
    list_display = (
        "person",
        "period_key",
        "status",
        "attainment",
        "commission",
        "payable",
        "carry_forward",
    )
    list_filter = ("status", "fiscal_year", "period_key")
    search_fields = ("person__name",)
    autocomplete_fields = ("person",)
    list_select_related = ("person",)
    inlines = [StatementLineInline]
    date_hierarchy = "period_start"

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # Amounts come from the engine, status from the services (approve/pay): never by hand.
        return [f.name for f in self.model._meta.fields]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None or obj.status == StatementStatus.DRAFT


@admin.register(StatementLine)
class StatementLineAdmin(SimpleHistoryAdmin):
    list_display = ("statement", "position", "kind", "ref", "amount")
    list_filter = ("kind",)
    search_fields = ("statement__person__name", "ref", "description")
    list_select_related = ("statement__person",)
    raw_id_fields = ("statement", "deal")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return [f.name for f in self.model._meta.fields]


@admin.register(Adjustment)
class AdjustmentAdmin(SimpleHistoryAdmin):
    list_display = ("person", "period_start", "amount", "reason", "created_by")
    search_fields = ("person__name", "reason")
    autocomplete_fields = ("person",)
    list_select_related = ("person", "created_by")


@admin.register(DealReversal)
class DealReversalAdmin(SimpleHistoryAdmin):
    list_display = ("deal", "reason", "reversed_on", "created_by")
    list_filter = ("reason",)
    search_fields = ("deal__external_id", "note")
    autocomplete_fields = ("deal",)


@admin.register(Dispute)
class DisputeAdmin(SimpleHistoryAdmin):
    list_display = ("statement", "line_description", "status", "raised_by", "created_at")
    list_filter = ("status",)
    search_fields = ("statement__person__name", "comment", "resolution")
    list_select_related = ("statement__person", "raised_by")
    raw_id_fields = ("statement", "line")

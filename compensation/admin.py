"""Admin for every compensation model, with the audit history (who changed what) for sales ops.

Writes go through the services (quota_set/quota_update/quota_delete, plan_version_create/update,
plan_assign/plan_assignment_end, adjustment_add, deal_reversal_record) or not at all: statements,
lines and disputes are computed or resolved elsewhere and only shown here. Approved and paid
statements and their lines can never be changed or deleted."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from compensation.forms import QuotaAmountField
from compensation.models import (
    Adjustment,
    CommissionPlan,
    DealReversal,
    Dispute,
    MboScore,
    OverlayCredit,
    PlanAcknowledgement,
    PlanAssignment,
    PlanVersion,
    PlanVersionStatus,
    Quota,
    Statement,
    StatementLine,
    StatementStatus,
)
from compensation.services import plans as plan_services
from compensation.services import quotas as quota_services
from compensation.services.clawbacks import deal_reversal_record
from compensation.services.statements import adjustment_add
from salesops import calendar
from salesops.admin.service_writes import (
    AddOnlyAdminMixin,
    ReadOnlyAdminMixin,
    ServiceWritesMixin,
)


class QuotaAddForm(forms.ModelForm):
    class Meta:
        model = Quota
        fields = ["person", "team", "territory", "metric", "period_start", "amount"]
        labels = {"period_start": "Any day of the fiscal month"}
        field_classes = {"amount": QuotaAmountField}


@admin.register(Quota)
class QuotaAdmin(ServiceWritesMixin, SimpleHistoryAdmin):
    list_display = ("__str__", "person", "team", "territory", "metric", "period_start", "amount")
    list_filter = ("metric", "fiscal_year", "team")
    search_fields = ("person__name", "team__name", "basis")
    autocomplete_fields = ("person", "team")
    raw_id_fields = ("territory",)
    list_select_related = ("person", "team", "territory")
    date_hierarchy = "period_start"

    def formfield_for_dbfield(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "amount":
            kwargs["form_class"] = QuotaAmountField  # bounded like every quota input
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kw: Any
    ) -> Any:
        if obj is None:
            kw["form"] = QuotaAddForm
        return super().get_form(request, obj, change=change, **kw)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return QuotaAddForm.Meta.fields
        return [f.name for f in self.model._meta.fields if f.name != "id"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # A month's row changes only its amount (quota_update); the rest is its identity.
        if obj is None:
            return ()
        return [f.name for f in self.model._meta.fields if f.name not in ("id", "amount")]

    def save_model(self, request: HttpRequest, obj: Quota, form: Any, change: bool) -> None:
        if change:
            stored = Quota.objects.get(pk=obj.pk)
            self.run(
                request,
                lambda: quota_services.quota_update(
                    user=request.user, quota=stored, amount=obj.amount
                ),
            )
            return

        def add() -> None:
            (row,) = quota_services.quota_set(
                user=request.user,
                assignee=quota_services.Assignee(
                    person=obj.person, team=obj.team, territory_id=obj.territory_id
                ),
                metric=obj.metric,
                period=calendar.period_containing(obj.period_start, calendar.MONTH),
                amount=obj.amount,
                apply_ramp=False,
            )
            obj.pk = row.pk

        self.run(request, add)

    def delete_model(self, request: HttpRequest, obj: Quota) -> None:
        self.run(request, lambda: quota_services.quota_delete(user=request.user, quota=obj))


class PlanVersionInline(admin.TabularInline):
    model = PlanVersion
    fields = ("number", "effective_from", "status", "approved_at")
    readonly_fields = fields
    extra = 0
    show_change_link = True
    can_delete = False


@admin.register(CommissionPlan)
class CommissionPlanAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    """Plans are created and edited in the plan editor (or the API), with their first version."""

    list_display = ("name", "created_at")
    search_fields = ("name", "description")
    inlines = [PlanVersionInline]


@admin.register(PlanVersion)
class PlanVersionAdmin(ServiceWritesMixin, SimpleHistoryAdmin):
    list_display = ("plan", "number", "effective_from", "status", "approved_by", "approved_at")
    list_filter = ("status", "plan")
    search_fields = ("plan__name", "notes")
    autocomplete_fields = ("plan",)
    list_select_related = ("plan", "approved_by")
    readonly_fields = ("approved_by", "approved_at", "created_by")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # An approved version is immutable: show it, never edit it. Approval is the plan
        # editor's (or the API's) action; a draft's plan and number are its identity.
        if obj is not None and obj.status == PlanVersionStatus.APPROVED:
            return [f.name for f in self.model._meta.fields]
        fixed = ("status", "number", *self.readonly_fields)
        return fixed if obj is None else ("plan", *fixed)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and obj.status != PlanVersionStatus.DRAFT:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # no service deletes a version; a draft is simply never approved

    def save_model(self, request: HttpRequest, obj: PlanVersion, form: Any, change: bool) -> None:
        if change:
            stored = PlanVersion.objects.get(pk=obj.pk)
            self.run(
                request,
                lambda: plan_services.plan_version_update(
                    user=request.user,
                    version=stored,
                    definition=obj.definition,
                    effective_from=obj.effective_from,
                    notes=obj.notes,
                ),
            )
            return

        def add() -> None:
            obj.pk = plan_services.plan_version_create(
                user=request.user,
                plan=obj.plan,
                definition=obj.definition,
                effective_from=obj.effective_from,
                notes=obj.notes,
            ).pk

        self.run(request, add)


@admin.register(PlanAssignment)
class PlanAssignmentAdmin(ServiceWritesMixin, SimpleHistoryAdmin):
    list_display = ("person", "plan", "start", "end", "target_incentive")
    list_filter = ("plan",)
    search_fields = ("person__name", "plan__name")
    autocomplete_fields = ("person", "plan")
    list_select_related = ("person", "plan")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # An assignment is only ended (plan_assignment_end); a new one replaces it.
        if obj is None:
            return ()
        return [f.name for f in self.model._meta.fields if f.name not in ("id", "end")]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(
        self, request: HttpRequest, obj: PlanAssignment, form: Any, change: bool
    ) -> None:
        if change:
            if obj.end is None:
                self.run(request, lambda: _refuse("end", "Give the day the assignment ends."))
                return
            end = obj.end
            stored = PlanAssignment.objects.get(pk=obj.pk)
            self.run(
                request,
                lambda: plan_services.plan_assignment_end(
                    user=request.user, assignment=stored, end=end
                ),
            )
            return

        def add() -> None:
            obj.pk = plan_services.plan_assign(
                user=request.user,
                person=obj.person,
                plan=obj.plan,
                start=obj.start,
                end=obj.end,
                target_incentive=obj.target_incentive,
            ).pk

        self.run(request, add)


def _refuse(field: str, message: str) -> None:
    raise ValidationError({field: message})


class StatementLineInline(admin.TabularInline):
    model = StatementLine
    fields = ("position", "kind", "ref", "description", "tier", "base", "rate", "formula", "amount")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Statement)
class StatementAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
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
        # A draft may go (the next generation rebuilds it); an approved or paid one never.
        return obj is None or obj.status == StatementStatus.DRAFT

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        queryset.filter(status=StatementStatus.DRAFT).delete()


@admin.register(StatementLine)
class StatementLineAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    list_display = ("statement", "position", "kind", "ref", "amount")
    list_filter = ("kind",)
    search_fields = ("statement__person__name", "ref", "description")
    list_select_related = ("statement__person",)
    raw_id_fields = ("statement", "deal")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return [f.name for f in self.model._meta.fields]


class AdjustmentAddForm(forms.ModelForm):
    class Meta:
        model = Adjustment
        fields = ["person", "period_start", "amount", "reason"]
        labels = {"period_start": "For the month of (default today)"}
        help_texts = {
            "period_start": "It lands on the person's first open statement from this month on."
        }


@admin.register(Adjustment)
class AdjustmentAdmin(AddOnlyAdminMixin, ServiceWritesMixin, SimpleHistoryAdmin):
    """Added through adjustment_add (the next open statement from the month given); never edited
    or deleted: a correction of an adjustment is another adjustment."""

    form = AdjustmentAddForm
    list_display = ("person", "period_start", "amount", "reason", "created_by")
    search_fields = ("person__name", "reason")
    autocomplete_fields = ("person",)
    list_select_related = ("person", "created_by")

    def save_model(self, request: HttpRequest, obj: Adjustment, form: Any, change: bool) -> None:
        def add() -> None:
            obj.pk = adjustment_add(
                user=request.user,
                person=obj.person,
                amount=obj.amount,
                reason=obj.reason,
                on=obj.period_start,
            ).pk

        self.run(request, add)


@admin.register(DealReversal)
class DealReversalAdmin(AddOnlyAdminMixin, ServiceWritesMixin, SimpleHistoryAdmin):
    """Recorded through deal_reversal_record; a recorded reversal is pay history, never edited."""

    list_display = ("deal", "reason", "reversed_on", "created_by")
    list_filter = ("reason",)
    search_fields = ("deal__external_id", "note")
    autocomplete_fields = ("deal",)
    fields = ("deal", "reversed_on", "reason", "note")

    def save_model(self, request: HttpRequest, obj: DealReversal, form: Any, change: bool) -> None:
        def add() -> None:
            obj.pk = deal_reversal_record(
                user=request.user,
                deal_id=obj.deal_id,
                reversed_on=obj.reversed_on,
                reason=obj.reason,
                note=obj.note,
            ).pk

        self.run(request, add)


@admin.register(Dispute)
class DisputeAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    """Opened by the rep and resolved by their manager or sales ops on the pages or the API."""

    list_display = ("statement", "line_description", "status", "raised_by", "created_at")
    list_filter = ("status",)
    search_fields = ("statement__person__name", "comment", "resolution")
    list_select_related = ("statement__person", "raised_by")
    raw_id_fields = ("statement", "line")


@admin.register(PlanAcknowledgement)
class PlanAcknowledgementAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    """Written only by the rep accepting their plan (plan_acknowledge); shown here."""

    list_display = ("person", "version", "acknowledged_at", "acknowledged_by")
    list_filter = ("version__plan",)
    search_fields = ("person__name", "version__plan__name")
    list_select_related = ("person", "version__plan", "acknowledged_by")
    date_hierarchy = "acknowledged_at"


@admin.register(OverlayCredit)
class OverlayCreditAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    """Overlay credit is written through its service (the API); shown here with its history."""

    list_display = ("deal", "person", "role", "percent", "created_at")
    list_filter = ("role",)
    search_fields = ("deal__external_id", "person__name")
    list_select_related = ("deal", "person")


@admin.register(MboScore)
class MboScoreAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    """A manager's MBO scores are written through their service; shown here with history."""

    list_display = ("person", "component", "period_start", "score", "scored_by")
    search_fields = ("person__name", "component")
    list_select_related = ("person", "scored_by")
    date_hierarchy = "period_start"

"""Admin for every territories model. Writes go through the services, so the rules they keep
(read-only archived models, materialised paths, no overlapping owners) hold here too."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest

from salesops.admin.service_writes import ReadOnlyAdminMixin, ServiceWritesMixin
from salesops.exceptions import ApplicationError
from territories.models import (
    AccountTerritory,
    AssignmentBatch,
    AssignmentRule,
    ModelState,
    Pin,
    Territory,
    TerritoryAssignment,
    TerritoryModel,
)
from territories.services import (
    coverage_assign,
    coverage_end,
    rule_create,
    rule_update,
    territory_assignments_run,
    territory_create,
    territory_model_activate,
    territory_model_create,
    territory_model_delete,
    territory_model_update,
    territory_update,
)
from territories.services.pins import pin_remove, pin_set
from territories.services.rules import RULE_FIELDS


class TerritoryInline(admin.TabularInline):
    model = Territory
    fk_name = "model"
    fields = ("name", "parent", "type", "depth")
    readonly_fields = ("name", "parent", "type", "depth")
    extra = 0
    show_change_link = True
    can_delete = False


@admin.action(description="Activate the selected planning model")
def activate_models(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[TerritoryModel]
) -> None:
    for model in queryset[:1]:
        try:
            territory_model_activate(model=model)
        except ApplicationError as exc:
            modeladmin.message_user(request, exc.message, messages.ERROR)


@admin.action(description="Run the assignment engine")
def run_assignment(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[TerritoryModel]
) -> None:
    for model in queryset:
        result = territory_assignments_run(model=model)
        modeladmin.message_user(
            request, f"{model}: {result.changed} changed, {result.unassigned} unassigned."
        )


@admin.register(TerritoryModel)
class TerritoryModelAdmin(ServiceWritesMixin, admin.ModelAdmin):
    """Through the services: archived models stay read-only, only planning models are deleted."""

    list_display = ("name", "state", "activated_on", "archived_on", "created_at")
    list_filter = ("state",)
    search_fields = ("name",)
    readonly_fields = ("state", "activated_on", "archived_on")
    inlines = [TerritoryInline]
    actions = [activate_models, run_assignment]

    def save_model(
        self, request: HttpRequest, obj: TerritoryModel, form: Any, change: bool
    ) -> None:
        if change:
            stored = TerritoryModel.objects.get(pk=obj.pk)
            self.run(
                request,
                lambda: territory_model_update(
                    model=stored, name=obj.name, description=obj.description
                ),
            )
            return

        def create() -> None:
            obj.pk = territory_model_create(name=obj.name, description=obj.description).pk

        self.run(request, create)

    def delete_model(self, request: HttpRequest, obj: TerritoryModel) -> None:
        self.run(request, lambda: territory_model_delete(model=obj))

    def construct_change_message(
        self, request: HttpRequest, form: Any, formsets: Any, add: bool = False
    ) -> Any:
        # A refused write saved no inline rows, so there is no change to describe.
        if self.refused(request):
            return []
        return super().construct_change_message(request, form, formsets, add)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and obj.state != ModelState.PLANNING:
            return False
        return super().has_delete_permission(request, obj)


class RuleInline(admin.TabularInline):
    model = AssignmentRule
    fields = ("name", "priority", "countries", "regions", "sectors", "fixed")
    extra = 0
    show_change_link = True


class CoverageInline(admin.TabularInline):
    model = TerritoryAssignment
    fields = ("person", "role", "effective_from", "effective_to")
    autocomplete_fields = ("person",)
    extra = 0


class _ServiceErrors:
    """Turn service errors into form messages instead of 500s."""

    def _guard(self, request: HttpRequest, fn: Any) -> None:
        try:
            fn()
        except (ValidationError, ApplicationError) as exc:
            message = getattr(exc, "message", None) or "; ".join(
                getattr(exc, "messages", [str(exc)])
            )
            self.message_user(request, message, messages.ERROR)  # type: ignore[attr-defined]


@admin.register(Territory)
class TerritoryAdmin(_ServiceErrors, admin.ModelAdmin):
    list_display = ("name", "model", "parent", "type", "depth", "path")
    list_filter = ("model", "type", "depth")
    search_fields = ("name", "path")
    autocomplete_fields = ("model", "parent")
    readonly_fields = ("path", "depth", "copied_from")
    list_select_related = ("model", "parent")
    inlines = [RuleInline, CoverageInline]

    def save_model(self, request: HttpRequest, obj: Territory, form: Any, change: bool) -> None:
        if change:
            self._guard(
                request,
                lambda: territory_update(
                    territory=Territory.objects.get(pk=obj.pk),
                    name=obj.name,
                    type=obj.type,
                    parent=obj.parent,
                ),
            )
        else:
            self._guard(
                request,
                lambda: setattr(
                    obj,
                    "pk",
                    territory_create(
                        model=obj.model, name=obj.name, parent=obj.parent, type=obj.type
                    ).pk,
                ),
            )


@admin.register(AssignmentRule)
class AssignmentRuleAdmin(_ServiceErrors, admin.ModelAdmin):
    list_display = ("__str__", "territory", "priority", "countries", "sectors", "fixed")
    list_filter = ("fixed", "territory__model")
    search_fields = ("name", "territory__name")
    autocomplete_fields = ("territory",)
    list_select_related = ("territory",)

    def save_model(
        self, request: HttpRequest, obj: AssignmentRule, form: Any, change: bool
    ) -> None:
        data = {field: getattr(obj, field) for field in RULE_FIELDS}
        if change:
            rule = AssignmentRule.objects.get(pk=obj.pk)
            self._guard(request, lambda: rule_update(rule=rule, territory=obj.territory, **data))
        else:
            self._guard(
                request,
                lambda: setattr(obj, "pk", rule_create(territory=obj.territory, **data).pk),
            )


@admin.register(Pin)
class PinAdmin(ServiceWritesMixin, admin.ModelAdmin):
    """Through pin_set/pin_remove: archived models stay read-only, a pin's territory belongs to
    its model, and a pin replaces the account's earlier override."""

    list_display = ("account", "model", "kind", "territory", "source", "created_at")
    list_filter = ("kind", "source", "model")
    search_fields = ("account__name", "reason")
    autocomplete_fields = ("account", "territory", "model")
    list_select_related = ("account", "model", "territory")
    fields = ("model", "account", "kind", "territory", "source", "reason", "created_by")
    readonly_fields = ("created_by",)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # One override per (model, account): another account is another pin.
        return ("model", "account", "created_by") if obj is not None else ("created_by",)

    def save_model(self, request: HttpRequest, obj: Pin, form: Any, change: bool) -> None:
        def write() -> None:
            obj.pk = pin_set(
                model=obj.model,
                account=obj.account,
                territory=obj.territory,
                kind=obj.kind,
                reason=obj.reason,
                source=obj.source,
                user=request.user,
            ).pk

        self.run(request, write)

    def delete_model(self, request: HttpRequest, obj: Pin) -> None:
        self.run(request, lambda: pin_remove(pin=obj))


@admin.register(TerritoryAssignment)
class TerritoryAssignmentAdmin(_ServiceErrors, admin.ModelAdmin):
    list_display = ("person", "territory", "role", "effective_from", "effective_to")
    list_filter = ("role", "territory__model")
    search_fields = ("person__name", "territory__name")
    autocomplete_fields = ("person", "territory")
    list_select_related = ("person", "territory")

    def save_model(
        self, request: HttpRequest, obj: TerritoryAssignment, form: Any, change: bool
    ) -> None:
        if change:
            self._guard(
                request, lambda: coverage_end(assignment=obj, effective_to=obj.effective_to)
            )
            return
        self._guard(
            request,
            lambda: setattr(
                obj,
                "pk",
                coverage_assign(
                    territory=obj.territory,
                    person=obj.person,
                    role=obj.role,
                    effective_from=obj.effective_from,
                    effective_to=obj.effective_to,
                ).pk,
            ),
        )


@admin.register(AccountTerritory)
class AccountTerritoryAdmin(admin.ModelAdmin):
    """Assignment history: written by the engine only."""

    list_display = ("account", "model", "territory", "source", "rule", "valid_from", "valid_to")
    list_filter = ("source", "model")
    search_fields = ("account__name", "territory__name")
    list_select_related = ("account", "model", "territory", "rule")
    raw_id_fields = ("account", "territory", "rule")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AssignmentBatch)
class AssignmentBatchAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Approved assignment runs: approved, applied and rolled back from the territory pages."""

    list_display = ("id", "model", "status", "requested_by", "created_at", "changed", "applied_on")
    list_filter = ("status", "model")
    list_select_related = ("model", "requested_by")
    exclude = ("undo",)

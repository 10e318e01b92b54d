from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from salesops.admin.service_writes import HistoryOnlyMixin, ServiceWritesMixin
from salesops.models import (
    Account,
    CostSource,
    Deal,
    DealSplit,
    JobRun,
    Person,
    Product,
    SalesCost,
    Team,
)
from salesops.selectors.scope import team_subtree_ids
from salesops.services.accounts import ACCOUNT_FIELDS, account_create, account_update
from salesops.services.costs import COST_EDITABLE_FIELDS, cost_record, cost_update
from salesops.services.deals import HUNDRED, deal_create, deal_splits_set, deal_update
from salesops.services.people import person_deactivate, person_link_user
from salesops.zones import TimeZoneInput


class MembersInline(admin.TabularInline):
    model = Person
    fk_name = "team"
    fields = ("name", "role", "manager", "hourly_cost", "active")
    autocomplete_fields = ("manager",)
    extra = 0
    show_change_link = True


class TeamAdminForm(forms.ModelForm):
    class Meta:
        model = Team
        fields = ["name", "parent", "manager", "structure", "region"]

    def clean_parent(self) -> Team | None:
        parent: Team | None = self.cleaned_data.get("parent")
        if (
            parent is not None
            and self.instance.pk is not None
            and parent.pk in team_subtree_ids([self.instance.pk])
        ):
            raise ValidationError("A team cannot sit under itself or one of its own sub-teams.")
        return parent


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    form = TeamAdminForm
    list_display = ("name", "parent", "manager", "structure", "region")
    list_filter = ("structure", "region")
    search_fields = ("name", "region")
    autocomplete_fields = ("parent", "manager")
    inlines = [MembersInline]
    list_select_related = ("parent", "manager")

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        super().save_formset(request, form, formset, change)
        # A member unticked "active" inline: offboard them through the one service.
        for obj, fields in getattr(formset, "changed_objects", []):
            if isinstance(obj, Person) and "active" in fields and not obj.active:
                person_deactivate(person=obj)


@admin.action(description="Deactivate selected people (keeps their history)")
def deactivate_people(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Person]
) -> None:
    for person in queryset:
        person_deactivate(person=person)


@admin.register(Person)
class PersonAdmin(HistoryOnlyMixin, SimpleHistoryAdmin):
    list_display = (
        "name",
        "role",
        "team",
        "manager",
        "hourly_cost",
        "time_zone",
        "hire_date",
        "active",
    )
    list_filter = ("role", "active", "team")
    search_fields = ("name", "email", "user__username")
    autocomplete_fields = ("user", "team", "manager")
    list_select_related = ("team", "manager")
    actions = [deactivate_people]

    def formfield_for_dbfield(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "time_zone":
            kwargs["widget"] = TimeZoneInput()  # the full IANA list, searchable
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def has_delete_permission(self, request: HttpRequest, obj: Person | None = None) -> bool:
        # People carry financial history: deactivate them instead.
        return False

    def save_model(self, request: HttpRequest, obj: Person, form: Any, change: bool) -> None:
        previous = (
            Person.objects.filter(pk=obj.pk).values_list("user_id", flat=True).first()
            if change
            else None
        )
        super().save_model(request, obj, form, change)
        if "active" in form.changed_data and not obj.active:
            person_deactivate(person=obj)  # the one offboarding service
        # The role decides the user's group (model permissions) and staff flag; a login
        # replaced by another loses its access.
        if not change or {"role", "user", "active"} & set(form.changed_data):
            person_link_user(person=obj, previous_user_id=previous)


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    list_display = ("name", "sector", "country", "region", "employees", "annual_revenue", "owner")
    list_filter = ("sector", "country")
    search_fields = ("name", "postal_code", "region")
    autocomplete_fields = ("parent", "owner")
    list_select_related = ("owner",)

    def save_model(self, request: HttpRequest, obj: Account, form: Any, change: bool) -> None:
        """Through the services, so territory assignment hears of the change (on commit)."""
        data = {f: form.cleaned_data[f] for f in ACCOUNT_FIELDS if f in form.cleaned_data}
        if change:
            # The form already applied its values to `obj`: compare against the stored row.
            stored = Account.objects.get(pk=obj.pk)
            account_update(
                account=stored, data={f: data[f] for f in form.changed_data if f in data}
            )
            return
        created = account_create(**data)
        obj.pk = created.pk
        obj.created_at, obj.updated_at = created.created_at, created.updated_at
        obj._state.adding = False


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ("name", "series", "list_price")
    list_filter = ("series",)
    search_fields = ("name", "series")


class DealSplitFormSet(forms.BaseInlineFormSet):
    """The splits of a deal name each person once and sum to 100 % (none: the owner gets 100 %)."""

    def clean(self) -> None:
        super().clean()
        rows = [
            f.cleaned_data
            for f in self.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE", False)
        ]
        if not rows:
            return
        total = sum((row.get("percent") or Decimal(0) for row in rows), Decimal(0))
        if total != HUNDRED:
            raise ValidationError(f"Splits must sum to 100 %; these sum to {total} %.")


class DealSplitInline(admin.TabularInline):
    model = DealSplit
    formset = DealSplitFormSet
    autocomplete_fields = ("person",)
    extra = 0


DEAL_CREATE_FIELDS = (
    "external_id",
    "owner",
    "product",
    "account",
    "stage",
    "amount",
    "close_value",
    "engage_date",
    "close_date",
)


@admin.register(Deal)
class DealAdmin(ServiceWritesMixin, HistoryOnlyMixin, SimpleHistoryAdmin):
    """Deals and their splits are written through the deal services (deal_create, deal_update,
    deal_splits_set): stage stamps, bounds, rep-entry marks and split history as everywhere
    else. History shows every version with who made it."""

    list_display = (
        "external_id",
        "account",
        "product",
        "owner",
        "stage",
        "amount",
        "close_value",
        "close_date",
    )
    list_filter = ("stage", "product", "close_date")
    search_fields = ("external_id", "account__name", "owner__name")
    autocomplete_fields = ("account", "product", "owner")
    list_select_related = ("account", "product", "owner")
    date_hierarchy = "close_date"
    inlines = [DealSplitInline]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Deals carry pay history (statement lines, the payout ledger): close them as lost.
        return False

    def save_model(self, request: HttpRequest, obj: Deal, form: Any, change: bool) -> None:
        if change:
            # deal_update stamps stage_entered_at and lost_at_stage on a stage change.
            stored = Deal.objects.get(pk=obj.pk)
            data = {f: form.cleaned_data[f] for f in form.changed_data if f in form.cleaned_data}
            self.run(request, lambda: deal_update(deal=stored, data=data, user=request.user))
            return

        def add() -> None:
            data = {f: form.cleaned_data.get(f) for f in DEAL_CREATE_FIELDS}
            data["stage"] = data["stage"] or obj.stage
            created = deal_create(user=request.user, **data)
            obj.pk = created.pk
            obj.stage_entered_at, obj.created_at = created.stage_entered_at, created.created_at
            obj._state.adding = False

        self.run(request, add)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        if self.refused(request):
            return
        form.save_m2m()
        for formset in formsets:
            if formset.model is DealSplit:
                deal = Deal.objects.get(pk=form.instance.pk)
                self._save_splits(request, deal, formset, change)
            else:
                self.save_formset(request, form, formset, change)

    def _save_splits(self, request: HttpRequest, deal: Deal, formset: Any, change: bool) -> None:
        """The stored splits with the inline's changes (none left: the owner 100 %) through
        deal_splits_set, when they differ from what is stored. On add, the inline's rows are
        the whole set (deal_create's owner 100 % stands only when there are none)."""
        stored_rows = deal.splits.select_related("person") if change else []
        kept = {s.pk: (s.person, s.percent) for s in stored_rows}
        added = []
        for f in formset.forms:
            if not f.cleaned_data:
                continue
            row = (f.cleaned_data["person"], f.cleaned_data["percent"])
            if f.instance.pk in kept:
                if f.cleaned_data.get("DELETE"):
                    del kept[f.instance.pk]
                else:
                    kept[f.instance.pk] = row
            elif not f.cleaned_data.get("DELETE"):
                added.append(row)
        splits = [*kept.values(), *added] or [(deal.owner, HUNDRED)]
        # The change message reads what the formset saved; the service saved it instead.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        stored = sorted(deal.splits.values_list("person_id", "percent"))
        if sorted((person.pk, percent) for person, percent in splits) == stored:
            return
        self.run(request, lambda: deal_splits_set(deal=deal, splits=splits))


@admin.register(SalesCost)
class SalesCostAdmin(ServiceWritesMixin, HistoryOnlyMixin, SimpleHistoryAdmin):
    """Manual entries through cost_record/cost_update; computed rows (meeting time, commission)
    belong to the process that posted them and are only shown. The ledger keeps its rows:
    a wrong entry is corrected, or offset with an adjustment."""

    list_display = ("date", "person", "team", "category", "amount", "source", "note")
    list_filter = ("category", "source", "date")
    search_fields = ("person__name", "team__name", "note", "external_ref")
    autocomplete_fields = ("person", "team")
    list_select_related = ("person", "team")
    date_hierarchy = "date"
    fields = ("date", "person", "team", "category", "amount", "note", "source", "external_ref")
    readonly_fields = ("source", "external_ref")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and obj.source == CostSource.COMPUTED:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: SalesCost, form: Any, change: bool) -> None:
        data = {name: form.cleaned_data.get(name) for name in COST_EDITABLE_FIELDS}
        data["note"] = data["note"] or ""
        if change:
            stored = SalesCost.objects.get(pk=obj.pk)
            self.run(request, lambda: cost_update(cost=stored, data=data))
            return

        def add() -> None:
            obj.pk = cost_record(source=CostSource.MANUAL, **data).pk

        self.run(request, add)


@admin.register(JobRun)
class JobRunAdmin(admin.ModelAdmin):
    list_display = (
        "job",
        "business_date",
        "partition",
        "status",
        "started_at",
        "finished_at",
        "rows",
        "attempts",
    )
    list_filter = ("job", "status")
    search_fields = ("job", "error")
    date_hierarchy = "business_date"

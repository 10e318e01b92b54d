from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from salesops.models import Account, Deal, DealSplit, JobRun, Person, Product, SalesCost, Team
from salesops.services.people import person_deactivate


class MembersInline(admin.TabularInline):
    model = Person
    fk_name = "team"
    fields = ("name", "role", "manager", "hourly_cost", "active")
    autocomplete_fields = ("manager",)
    extra = 0
    show_change_link = True


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name", "parent", "manager", "structure", "region")
    list_filter = ("structure", "region")
    search_fields = ("name", "region")
    autocomplete_fields = ("parent", "manager")
    inlines = [MembersInline]
    list_select_related = ("parent", "manager")


@admin.action(description="Deactivate selected people (keeps their history)")
def deactivate_people(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Person]
) -> None:
    for person in queryset:
        person_deactivate(person=person)


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
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

    def has_delete_permission(self, request: HttpRequest, obj: Person | None = None) -> bool:
        # People carry financial history: deactivate them instead.
        return False


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    list_display = ("name", "sector", "country", "region", "employees", "annual_revenue", "owner")
    list_filter = ("sector", "country")
    search_fields = ("name", "postal_code", "region")
    autocomplete_fields = ("parent", "owner")
    list_select_related = ("owner",)


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ("name", "series", "list_price")
    list_filter = ("series",)
    search_fields = ("name", "series")


class DealSplitInline(admin.TabularInline):
    model = DealSplit
    autocomplete_fields = ("person",)
    extra = 0


@admin.register(Deal)
class DealAdmin(admin.ModelAdmin):
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


@admin.register(SalesCost)
class SalesCostAdmin(admin.ModelAdmin):
    list_display = ("date", "person", "team", "category", "amount", "source", "note")
    list_filter = ("category", "source", "date")
    search_fields = ("person__name", "team__name", "note", "external_ref")
    autocomplete_fields = ("person", "team")
    list_select_related = ("person", "team")
    date_hierarchy = "date"


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

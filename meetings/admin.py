from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from meetings.models import (
    ActionItem,
    AgendaItem,
    Attendee,
    CalendarFeed,
    Delivery,
    DeliveryStatus,
    Meeting,
    Notification,
)
from meetings.services.costs import meeting_mark_done
from salesops.exceptions import ApplicationError


class AttendeeInline(admin.TabularInline):
    model = Attendee
    fields = ("person", "name", "email", "required", "rsvp")
    autocomplete_fields = ("person",)
    extra = 0


class AgendaItemInline(admin.TabularInline):
    model = AgendaItem
    fields = ("order", "title", "owner", "minutes", "notes")
    autocomplete_fields = ("owner",)
    extra = 0


class ActionItemInline(admin.TabularInline):
    model = ActionItem
    fields = ("owner", "description", "due_date", "status", "completed_at")
    autocomplete_fields = ("owner",)
    extra = 0


@admin.action(description="Mark done and post the cost to the ledger (idempotent)")
def mark_done(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Meeting]
) -> None:
    for meeting in queryset:
        try:
            meeting_mark_done(meeting=meeting)
        except ApplicationError as exc:
            modeladmin.message_user(request, f"{meeting}: {exc.message}", messages.WARNING)


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ("title", "type", "status", "start", "duration_minutes", "organizer", "series")
    list_filter = ("type", "status", "time_zone")
    search_fields = ("title", "organizer__name", "location")
    autocomplete_fields = ("organizer", "account", "deal", "series")
    date_hierarchy = "start"
    list_select_related = ("organizer", "series")
    readonly_fields = ("uid", "sequence", "done_at", "created_at", "updated_at")
    inlines = [AttendeeInline, AgendaItemInline, ActionItemInline]
    actions = [mark_done]


@admin.register(Attendee)
class AttendeeAdmin(admin.ModelAdmin):
    list_display = ("meeting", "person", "name", "email", "required", "rsvp")
    list_filter = ("rsvp", "required")
    search_fields = ("person__name", "name", "email", "meeting__title")
    autocomplete_fields = ("meeting", "person")
    list_select_related = ("meeting", "person")


@admin.register(AgendaItem)
class AgendaItemAdmin(admin.ModelAdmin):
    list_display = ("meeting", "order", "title", "owner", "minutes")
    search_fields = ("title", "meeting__title")
    autocomplete_fields = ("meeting", "owner")
    list_select_related = ("meeting", "owner")


@admin.register(ActionItem)
class ActionItemAdmin(admin.ModelAdmin):
    list_display = ("description", "owner", "due_date", "status", "meeting")
    list_filter = ("status", "due_date")
    search_fields = ("description", "owner__name", "meeting__title")
    autocomplete_fields = ("meeting", "owner")
    list_select_related = ("meeting", "owner")


@admin.action(description="Retry now (failed or dead deliveries)")
def retry_now(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Delivery]
) -> None:
    from django.utils import timezone

    n = queryset.filter(status__in=[DeliveryStatus.FAILED, DeliveryStatus.DEAD]).update(
        status=DeliveryStatus.FAILED, next_attempt_at=timezone.now()
    )
    modeladmin.message_user(request, f"{n} deliveries will be retried within a minute.")


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = (
        "kind",
        "object_ref",
        "recipient_key",
        "status",
        "attempts",
        "next_attempt_at",
        "sent_at",
    )
    list_filter = ("kind", "status")
    search_fields = ("object_ref", "recipient_key", "subject")
    autocomplete_fields = ("recipient", "meeting")
    readonly_fields = ("created_at", "sent_at", "attempts", "last_error", "lease_until")
    actions = [retry_now]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("title", "person", "created_at", "read_at")
    list_filter = ("read_at",)
    search_fields = ("title", "person__name")
    autocomplete_fields = ("person",)
    list_select_related = ("person",)
    raw_id_fields = ("delivery",)


@admin.register(CalendarFeed)
class CalendarFeedAdmin(admin.ModelAdmin):
    list_display = ("person", "created_at", "last_used_at")
    search_fields = ("person__name",)
    autocomplete_fields = ("person",)
    readonly_fields = ("token_hash",)

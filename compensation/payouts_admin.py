"""The payout ledger in the admin: read-only. Rows are written once, when a statement is approved
(compensation.services.payouts.payouts_record); corrections are new statement lines, never edits.
Registered from CompensationConfig.ready so the ledger does not depend on admin.py."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from compensation.models import PayoutEntry


class PayoutEntryAdmin(admin.ModelAdmin):
    list_display = ("statement", "person", "deal", "component", "correction", "amount")
    list_filter = ("component", "correction")
    list_select_related = ("statement__person", "person", "deal")
    search_fields = ("person__name", "deal__external_id")
    raw_id_fields = ("statement", "line", "person", "deal", "plan_version")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def register(site: admin.AdminSite) -> None:
    if not site.is_registered(PayoutEntry):
        site.register(PayoutEntry, PayoutEntryAdmin)

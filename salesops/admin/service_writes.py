"""An admin that writes through the services: a refused write shows the service's message on the
form again instead of a 500 or a false "saved" banner, and nothing half-saved (inlines) follows."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect

from salesops.exceptions import ApplicationError

_REFUSED = "_service_write_refused"


def error_text(exc: ValidationError | ApplicationError) -> str:
    if isinstance(exc, ApplicationError):
        return exc.message
    if hasattr(exc, "error_dict"):
        return "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in exc.message_dict.items())
    return "; ".join(exc.messages)


class ServiceWritesMixin:
    """Mix into a ModelAdmin whose save_model/delete_model call services through `run`."""

    def run(self, request: HttpRequest, write: Callable[[], Any]) -> bool:
        try:
            write()
        except (ValidationError, ApplicationError) as exc:
            setattr(request, _REFUSED, True)
            self.message_user(request, error_text(exc), messages.ERROR)  # type: ignore[attr-defined]
            return False
        return True

    @staticmethod
    def refused(request: HttpRequest) -> bool:
        return bool(getattr(request, _REFUSED, False))

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        if not self.refused(request):
            super().save_related(request, form, formsets, change)  # type: ignore[misc]

    def log_addition(self, request: HttpRequest, obj: Model, message: Any) -> Any:
        if not self.refused(request):
            return super().log_addition(request, obj, message)  # type: ignore[misc]
        return None

    def log_change(self, request: HttpRequest, obj: Model, message: Any) -> Any:
        if not self.refused(request):
            return super().log_change(request, obj, message)  # type: ignore[misc]
        return None

    def log_deletions(self, request: HttpRequest, queryset: Any) -> Any:
        if not self.refused(request):
            return super().log_deletions(request, queryset)  # type: ignore[misc]
        return None

    def response_add(self, request: HttpRequest, obj: Model, *args: Any) -> HttpResponse:
        if self.refused(request):
            return HttpResponseRedirect(request.path)
        return super().response_add(request, obj, *args)  # type: ignore[misc,no-any-return]

    def response_change(self, request: HttpRequest, obj: Model) -> HttpResponse:
        if self.refused(request):
            return HttpResponseRedirect(request.path)
        return super().response_change(request, obj)  # type: ignore[misc,no-any-return]

    def response_delete(self, request: HttpRequest, obj_display: str, obj_id: Any) -> HttpResponse:
        if self.refused(request):
            return HttpResponseRedirect(request.path)
        return super().response_delete(request, obj_display, obj_id)  # type: ignore[misc,no-any-return]

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        # The bulk action deletes one by one through delete_model, so each goes via the service.
        for obj in queryset:
            self.delete_model(request, obj)  # type: ignore[attr-defined]


class ReadOnlyAdminMixin:
    """For models written only by their services (pages, API, jobs): the admin shows them."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AddOnlyAdminMixin:
    """For records added through a service and then history (adjustments, reversals): the admin
    adds them through `save_model` and never changes or deletes one."""

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class HistoryOnlyMixin:
    """For a SimpleHistoryAdmin whose model is written through services: the History button
    shows every version with who made it, but never reverts one (a revert would write around
    the service; correct through the form instead)."""

    def revert_disabled(self, request: HttpRequest, obj: Any = None) -> bool:
        return True

    def history_form_view(
        self, request: HttpRequest, object_id: str, version_id: str, extra_context: Any = None
    ) -> HttpResponse:
        if request.method == "POST":
            raise PermissionDenied("History is read-only: change the record through its form.")
        return super().history_form_view(  # type: ignore[misc,no-any-return]
            request, object_id, version_id, extra_context
        )


__all__ = [
    "AddOnlyAdminMixin",
    "HistoryOnlyMixin",
    "ReadOnlyAdminMixin",
    "ServiceWritesMixin",
    "error_text",
]

"""Admin registrations, one module per part of the core app."""

from django.contrib import admin
from django.http import HttpRequest

from salesops.admin import core, efficiency, imports
from salesops.selectors.scope import is_sales_ops


def _admin_site_has_permission(request: HttpRequest) -> bool:
    """The Django admin is for superusers and sales ops (an active person of that role): a
    staff flag left on a login without a person opens nothing."""
    user = request.user
    return bool(user.is_active and (user.is_superuser or (user.is_staff and is_sales_ops(user))))


admin.site.has_permission = _admin_site_has_permission  # type: ignore[method-assign]

__all__ = ["core", "efficiency", "imports"]

"""Role groups and their model permissions (used by the Django admin)."""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission

from salesops.models import Role

PRODUCT_APPS = ("salesops", "meetings", "territories", "compensation")


def roles_sync() -> None:
    """Create one group per role. Sales ops may administer every product model; other roles use
    the product pages and API (scoped by selectors), so their groups carry view permissions only.
    Idempotent; runs after every migrate."""
    product_perms = Permission.objects.filter(content_type__app_label__in=PRODUCT_APPS)
    for role in Role.values:
        group, _ = Group.objects.get_or_create(name=role)
        if role == Role.SALES_OPS_MANAGER:
            group.permissions.set(product_perms)
        else:
            group.permissions.set(product_perms.filter(codename__startswith="view_"))

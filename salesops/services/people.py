"""Writes to people and teams."""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.db import transaction

from salesops.models import Person, Role


def person_sync_groups(*, person: Person) -> None:
    """Put the person's user in exactly the group of their role (groups carry model permissions)."""
    if person.user is None:
        return
    role_groups = Group.objects.filter(name__in=Role.values)
    person.user.groups.remove(*role_groups.exclude(name=person.role))
    group, _ = Group.objects.get_or_create(name=person.role)
    person.user.groups.add(group)
    # Sales ops run the Django admin; reps and managers use the product pages.
    wants_staff = person.role == Role.SALES_OPS_MANAGER
    if person.user.is_staff != wants_staff and not person.user.is_superuser:
        person.user.is_staff = wants_staff
        person.user.save(update_fields=["is_staff"])


@transaction.atomic
def person_deactivate(*, person: Person) -> Person:
    """Deactivate instead of deleting: pay, deals and costs keep pointing at the person."""
    person.active = False
    person.save(update_fields=["active", "updated_at"])
    if person.user is not None and person.user.is_active:
        person.user.is_active = False
        person.user.save(update_fields=["is_active"])
    return person

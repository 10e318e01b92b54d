"""Writes to people and teams."""

from __future__ import annotations

from datetime import date

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from salesops.models import Person, Role, Team, TeamMembership


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


@transaction.atomic
def person_move_team(*, person: Person, team: Team | None, on: date) -> Person:
    """Move `person` to `team` (None: no team) from `on` on, keeping the history.

    Closes the open TeamMembership at `on` and opens one for the new team. A person without
    memberships first gets one for their current team from the beginning of time, so days before
    `on` keep counting for the old team. Moves are in date order: a move on or before the start
    of the latest membership is refused.
    """
    locked = Person.objects.select_for_update().get(pk=person.pk)
    memberships = TeamMembership.objects.filter(person=locked)
    if memberships.filter(Q(valid_from__gte=on)).exists():
        raise ValidationError({"on": "The person already has a team change on or after this date."})
    if not memberships.exists():
        if locked.team_id is not None:
            TeamMembership.objects.create(
                person=locked, team_id=locked.team_id, valid_from=None, valid_to=on
            )
    else:
        memberships.filter(valid_to__isnull=True).update(valid_to=on, updated_at=timezone.now())
    if team is not None:
        TeamMembership.objects.create(person=locked, team=team, valid_from=on, valid_to=None)
    locked.team = team
    locked.save(update_fields=["team", "updated_at"])
    person.team = team
    return locked

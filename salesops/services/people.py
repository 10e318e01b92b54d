"""Writes to people and teams."""

from __future__ import annotations

from datetime import date, time
from decimal import Decimal
from typing import Any

from django.contrib.auth import SESSION_KEY
from django.contrib.auth.models import Group, User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from rest_framework.authtoken.models import Token

from salesops.models import Person, Role, Team, TeamMembership, TeamStructure
from salesops.models.org import default_time_zone
from salesops.selectors.scope import team_subtree_ids
from salesops.services.common import model_apply, name_taken


def person_sync_groups(*, person: Person) -> None:
    """Put the person's user in exactly the group of their role (groups carry model permissions)."""
    if person.user is None:
        return
    if not person.active:
        user_revoke_access(user=person.user)
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


def user_revoke_access(*, user: User) -> None:
    """Offboard a login: inactive, no longer staff or in a role group, every API token and every
    session gone. Superusers keep the flag (an inactive login cannot use it)."""
    user.is_active = False
    user.is_staff = False
    user.save(update_fields=["is_active", "is_staff"])
    user.groups.remove(*Group.objects.filter(name__in=Role.values))
    Token.objects.filter(user=user).delete()
    _sessions_delete(user_pk=user.pk)


def _sessions_delete(*, user_pk: int) -> None:
    """Delete the user's sessions (database sessions: decoded in batches, as Django keeps no
    index by user)."""
    from django.contrib.sessions.models import Session

    now = timezone.now()
    doomed: list[str] = []
    for session in Session.objects.filter(expire_date__gt=now).iterator(chunk_size=2000):
        try:
            data = session.get_decoded()
        except Exception:  # noqa: BLE001 - an undecodable session is no one's
            continue
        if str(data.get(SESSION_KEY)) == str(user_pk):
            doomed.append(session.session_key)
    Session.objects.filter(session_key__in=doomed).delete()


@transaction.atomic
def person_deactivate(*, person: Person) -> Person:
    """Deactivate instead of deleting: pay, deals and costs keep pointing at the person. The
    one offboarding service (admin, API, importer): the login is deactivated, loses staff and
    its groups, and every token and session of it is revoked."""
    if person.active:
        person.active = False
        person.save(update_fields=["active", "updated_at"])
    if person.user is not None:
        user_revoke_access(user=person.user)
    return person


@transaction.atomic
def person_link_user(*, person: Person, previous_user_id: int | None) -> None:
    """After a person's login changed: the old login, now without a person, loses all access
    (a staff user without a person would otherwise see everything); the new one gets the role's
    group and staff flag."""
    if previous_user_id is not None and previous_user_id != person.user_id:
        old = User.objects.filter(pk=previous_user_id).first()
        if old is not None and not Person.objects.filter(user_id=old.pk).exists():
            user_revoke_access(user=old)
    if person.active:
        person_sync_groups(person=person)
    elif person.user is not None:
        user_revoke_access(user=person.user)


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


PERSON_FIELDS = (
    "name",
    "email",
    "role",
    "team",
    "manager",
    "hourly_cost",
    "time_zone",
    "work_start",
    "work_end",
    "work_days",
    "hire_date",
)
TEAM_FIELDS = ("name", "parent", "manager", "structure", "region")


def _person_rules(person: Person) -> dict[str, str]:
    errors: dict[str, str] = {}
    if name_taken(Person, person.name, exclude_pk=person.pk):
        errors["name"] = f"A person named '{person.name}' already exists."
    if person.hourly_cost < 0:
        errors["hourly_cost"] = "The hourly cost cannot be negative."
    if person.work_end <= person.work_start:
        errors["work_end"] = "Working hours must end after they start."
    if not person.work_days or any(c not in "1234567" for c in person.work_days):
        errors["work_days"] = "Use ISO weekday digits 1 (Monday) to 7 (Sunday), e.g. 12345."
    if person.manager_id is not None and person.manager_id == person.pk:
        errors["manager"] = "A person cannot be their own manager."
    return errors


@transaction.atomic
def person_create(
    *,
    name: str,
    role: str,
    team: Team | None = None,
    manager: Person | None = None,
    email: str = "",
    hourly_cost: Decimal = Decimal("0.00"),
    time_zone: str | None = None,
    work_start: time = time(9, 0),
    work_end: time = time(17, 0),
    work_days: str = "12345",
    hire_date: date | None = None,
    user: User | None = None,
) -> Person:
    """Create a person; their user (if any) joins the group of their role."""
    person = Person(user=user)
    fields = {
        "name": name,
        "role": role,
        "team": team,
        "manager": manager,
        "email": email,
        "hourly_cost": hourly_cost,
        "time_zone": time_zone or default_time_zone(),
        "work_start": work_start,
        "work_end": work_end,
        "work_days": work_days,
        "hire_date": hire_date,
    }
    model_apply(instance=person, data=fields, allowed=PERSON_FIELDS, rules=_person_rules)
    person.save()
    person_sync_groups(person=person)
    return person


@transaction.atomic
def person_update(*, person: Person, data: dict[str, Any]) -> Person:
    """Change a person; a role change moves their user to the role's group (and staff flag)."""
    changed = model_apply(instance=person, data=data, allowed=PERSON_FIELDS, rules=_person_rules)
    person.save()
    if "role" in changed:
        person_sync_groups(person=person)
    return person


def _team_rules(team: Team) -> dict[str, str]:
    errors: dict[str, str] = {}
    if name_taken(Team, team.name, exclude_pk=team.pk):
        errors["name"] = f"A team named '{team.name}' already exists."
    if (
        team.parent_id is not None
        and team.pk is not None
        and team.parent_id in team_subtree_ids([team.pk])
    ):
        errors["parent"] = "A team cannot sit under itself or one of its own sub-teams."
    return errors


def team_create(
    *,
    name: str,
    parent: Team | None = None,
    manager: Person | None = None,
    structure: str = TeamStructure.TERRITORY,
    region: str = "",
) -> Team:
    team = Team()
    fields = {
        "name": name,
        "parent": parent,
        "manager": manager,
        "structure": structure,
        "region": region,
    }
    model_apply(instance=team, data=fields, allowed=TEAM_FIELDS, rules=_team_rules)
    team.save()
    return team


def team_update(*, team: Team, data: dict[str, Any]) -> Team:
    model_apply(instance=team, data=data, allowed=TEAM_FIELDS, rules=_team_rules)
    team.save()
    return team

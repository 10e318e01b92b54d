"""Who may see what. Every user-facing read is filtered through a Scope.

- admin (superuser) and sales ops: everything;
- a sales manager: themselves and everyone in the teams they manage, down the team hierarchy;
- a rep: themselves only;
- anyone else (a staff user without a Person included: offboarded or re-linked logins):
  nothing but their own account page.
Objects outside the scope are reported as 404 by the selectors that fetch one object.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import connection
from django.db.models import Q, QuerySet
from psycopg2 import sql

from salesops.models import Person, Role, Team

AnyUser = AbstractBaseUser | AnonymousUser


@dataclass(frozen=True)
class Scope:
    everything: bool
    person_id: int | None
    team_ids: frozenset[int]

    @property
    def nothing(self) -> bool:
        return not self.everything and self.person_id is None and not self.team_ids

    def people_q(self, path: str = "") -> Q:
        """A filter on a Person (or a FK to Person at `path`) that keeps what the scope sees."""
        if self.everything:
            return Q()
        prefix = f"{path}__" if path else ""
        q = Q(pk__in=[])
        if self.person_id is not None:
            q |= Q(**{f"{prefix}pk" if not path else f"{path}_id": self.person_id})
        if self.team_ids:
            q |= Q(**{f"{prefix}team_id__in": sorted(self.team_ids)})
        return q

    def teams_q(self, path: str = "") -> Q:
        """A filter on a Team (or a FK to Team at `path`)."""
        if self.everything:
            return Q()
        key = f"{path}_id__in" if path else "pk__in"
        return Q(**{key: sorted(self.team_ids)})


def team_subtree_ids(root_ids: Iterable[int]) -> frozenset[int]:
    """The given teams and every team below them, in one recursive query."""
    roots = sorted(set(root_ids))
    if not roots:
        return frozenset()
    query = sql.SQL(
        """
        WITH RECURSIVE subtree(id) AS (
            SELECT id FROM {teams} WHERE id = ANY(%s)
            UNION
            SELECT t.id FROM {teams} t JOIN subtree s ON t.parent_id = s.id
        )
        SELECT id FROM subtree
        """
    ).format(teams=sql.Identifier(Team._meta.db_table))
    with connection.cursor() as cursor:
        cursor.execute(query, [roots])
        return frozenset(row[0] for row in cursor.fetchall())


def person_for_user(user: AnyUser) -> Person | None:
    if not user.is_authenticated:
        return None
    try:
        person: Person = user.person  # type: ignore[union-attr,attr-defined]
    except Person.DoesNotExist:
        return None
    return person


def _flag(user: AnyUser, name: str) -> bool:
    return bool(user.is_authenticated and getattr(user, name, False))


def is_admin(user: AnyUser) -> bool:
    return _flag(user, "is_superuser") or _flag(user, "is_staff")


def is_sales_ops(user: AnyUser) -> bool:
    person = person_for_user(user)
    return person is not None and person.active and person.role == Role.SALES_OPS_MANAGER


def sees_everything(user: AnyUser) -> bool:
    """Sales ops and admins (superusers) see everything. A staff flag alone grants nothing: a
    staff user without a person (an old login of someone re-linked) sees nothing."""
    if not user.is_authenticated:
        return False
    return _flag(user, "is_superuser") or is_sales_ops(user)


def scope_for(user: AnyUser) -> Scope:
    cached: Scope | None = getattr(user, "_salesops_scope", None)
    if cached is not None:
        return cached
    scope = _compute_scope(user)
    if user.is_authenticated:
        setattr(user, "_salesops_scope", scope)  # noqa: B010 - a per-request memo on the user
    return scope


def _compute_scope(user: AnyUser) -> Scope:
    if not user.is_authenticated:
        return Scope(everything=False, person_id=None, team_ids=frozenset())
    if sees_everything(user):
        return Scope(everything=True, person_id=None, team_ids=frozenset())
    person = person_for_user(user)
    if person is None or not person.active:
        return Scope(everything=False, person_id=None, team_ids=frozenset())
    team_ids: frozenset[int] = frozenset()
    if person.role == Role.SALES_MANAGER:
        team_ids = team_subtree_ids(person.managed_teams.values_list("pk", flat=True))
    return Scope(everything=False, person_id=person.pk, team_ids=team_ids)


def visible_people(*, user: AnyUser) -> QuerySet[Person]:
    return Person.objects.filter(scope_for(user).people_q())


def visible_teams(*, user: AnyUser) -> QuerySet[Team]:
    scope = scope_for(user)
    if scope.everything:
        return Team.objects.all()
    return Team.objects.filter(pk__in=sorted(scope.team_ids))

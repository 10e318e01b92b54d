"""What a dashboard looks at: the company, a team (with its sub-teams), all of a manager's teams,
or one person. Only `dashboard_scope_get` / `personal_scope` build one, from the caller's access
scope, so every selector that takes a DashboardScope is already limited to what the caller may see.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q
from django.http import Http404

from salesops.models import Person, Team
from salesops.selectors.scope import AnyUser, scope_for

COMPANY = "company"
MINE = "mine"


@dataclass(frozen=True)
class DashboardScope:
    key: str
    label: str
    # None: the whole company (or one person when person_id is set).
    team_ids: frozenset[int] | None
    person_id: int | None = None

    @property
    def is_company(self) -> bool:
        return self.team_ids is None and self.person_id is None

    def people_q(self, path: str = "") -> Q:
        """Filter on a Person (or a FK to Person at `path`): the people this dashboard covers."""
        if self.person_id is not None:
            return Q(**{f"{path}_id" if path else "pk": self.person_id})
        if self.team_ids is None:
            return Q()
        prefix = f"{path}__" if path else ""
        return Q(**{f"{prefix}team_id__in": sorted(self.team_ids)})

    def cost_q(self) -> Q:
        """Ledger entries of the scope: booked to its people, or to one of its teams."""
        if self.person_id is not None:
            return Q(person_id=self.person_id)
        if self.team_ids is None:
            return Q()
        ids = sorted(self.team_ids)
        return Q(person__team_id__in=ids) | Q(team_id__in=ids)


@dataclass(frozen=True)
class ScopeOption:
    value: str
    label: str
    team_id: int | None = None
    parent_id: int | None = None
    name: str = ""


def can_use_dashboard(*, user: AnyUser) -> bool:
    scope = scope_for(user)
    return scope.everything or bool(scope.team_ids)


def dashboard_scope_options(*, user: AnyUser) -> list[ScopeOption]:
    """The scope picker's choices, in one query: sales ops/admin get the company and every team,
    a manager "all my teams" and each team they manage (sub-teams included)."""
    scope = scope_for(user)
    if scope.everything:
        teams = Team.objects.all()
        options = [ScopeOption(COMPANY, "Whole company")]
    else:
        teams = Team.objects.filter(pk__in=sorted(scope.team_ids))
        options = [ScopeOption(MINE, "All my teams")]
    # Tuples, not model instances: a large org has hundreds of teams on every page.
    rows = teams.order_by("name", "pk").values_list("pk", "name", "parent_id", "parent__name")
    for pk, name, parent_id, parent_name in rows:
        label = f"{parent_name} › {name}" if parent_id is not None else name
        options.append(ScopeOption(str(pk), label, pk, parent_id, name))
    return options


def _subtree(root: int, options: list[ScopeOption]) -> frozenset[int]:
    children: dict[int | None, list[int]] = {}
    for option in options:
        if option.team_id is not None:
            children.setdefault(option.parent_id, []).append(option.team_id)
    found, todo = {root}, [root]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return frozenset(found)


def dashboard_scope_get(*, user: AnyUser, value: str, options: list[ScopeOption]) -> DashboardScope:
    """The scope picked by `value` ("", "company", "mine" or a team id) among `options` (from
    `dashboard_scope_options`, which hold the caller's teams and their parents, so no query here);
    404 outside the caller's access scope, and for callers who have no dashboard (reps)."""
    scope = scope_for(user)
    if not (scope.everything or scope.team_ids):
        raise Http404("No dashboard for this user.")
    if value in ("", COMPANY, MINE):
        if scope.everything:
            return DashboardScope(COMPANY, "Whole company", None)
        return DashboardScope(MINE, "All my teams", scope.team_ids)
    picked = next((o for o in options if o.team_id is not None and o.value == value), None)
    if picked is None or picked.team_id is None:
        raise Http404("Team not in your scope.")
    return DashboardScope(picked.value, picked.name, _subtree(picked.team_id, options))


def scope_roots(scope: DashboardScope, options: list[ScopeOption]) -> list[int]:
    """The scope's top teams (whose parent is outside it): their rows, which each cover their
    sub-teams, add up to the scope without counting anyone twice. Empty for company/person."""
    if scope.team_ids is None:
        return []
    return teams_roots(scope.team_ids, options)


def teams_roots(team_ids: frozenset[int], options: list[ScopeOption]) -> list[int]:
    """The teams of the set whose parent is outside it, from the options' parents (no query):
    the set must be within the options' teams (the caller's, see dashboard_scope_options)."""
    parents = {o.team_id: o.parent_id for o in options if o.team_id is not None}
    return [t for t in sorted(team_ids) if parents.get(t) not in team_ids]


def personal_scope(*, person: Person) -> DashboardScope:
    return DashboardScope(f"person:{person.pk}", person.name, None, person_id=person.pk)

"""Who sees which territories.

Sales ops and admins see every model. Anyone else sees the territories where they, or (for a
manager) someone in their teams, have a TerritoryAssignment, with the subtrees below them, and
the models those territories belong to. Everything else is 404.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from salesops.selectors.scope import AnyUser, scope_for
from territories.models import (
    AccountTerritory,
    AssignmentRule,
    Pin,
    Territory,
    TerritoryAssignment,
    TerritoryModel,
)


def _visible_roots(user: AnyUser) -> list[str] | None:
    """Paths of the territories the user covers (directly or via their teams); None = all."""
    scope = scope_for(user)
    if scope.everything:
        return None
    if scope.nothing:
        return []
    paths = (
        TerritoryAssignment.objects.filter(scope.people_q("person"))
        .values_list("territory__path", flat=True)
        .distinct()
    )
    roots: list[str] = []
    for path in sorted(set(paths), key=len):
        if not any(path.startswith(root) for root in roots):
            roots.append(path)
    return roots


def territory_q(user: AnyUser, prefix: str = "") -> Q:
    """A filter on Territory (or a FK to it at `prefix`) keeping what the user may read."""
    roots = _visible_roots(user)
    if roots is None:
        return Q()
    key = f"{prefix}__path__startswith" if prefix else "path__startswith"
    q = Q(pk__in=[])
    for root in roots:
        q |= Q(**{key: root})
    return q


def visible_territories(*, user: AnyUser) -> QuerySet[Territory]:
    return Territory.objects.filter(territory_q(user)).select_related("model", "parent")


def visible_models(*, user: AnyUser, visible: Q | None = None) -> QuerySet[TerritoryModel]:
    """The models of the territories the user may read (all for sales ops). `visible`: the
    user's territory_q when the caller already holds it (it costs a query for everyone else)."""
    if scope_for(user).everything:
        return TerritoryModel.objects.all()
    ids = Territory.objects.filter(territory_q(user) if visible is None else visible)
    return TerritoryModel.objects.filter(pk__in=ids.values("model_id"))


def model_get(*, user: AnyUser, model_id: int) -> TerritoryModel:
    model = visible_models(user=user).filter(pk=model_id).first()
    if model is None:
        raise Http404("No such territory model.")
    return model


def territory_get(*, user: AnyUser, territory_id: int) -> Territory:
    territory = visible_territories(user=user).filter(pk=territory_id).first()
    if territory is None:
        raise Http404("No such territory.")
    return territory


def visible_rules(*, user: AnyUser) -> QuerySet[AssignmentRule]:
    return AssignmentRule.objects.filter(territory_q(user, "territory")).select_related(
        "territory", "territory__model"
    )


def rule_get(*, user: AnyUser, rule_id: int) -> AssignmentRule:
    rule = visible_rules(user=user).filter(pk=rule_id).first()
    if rule is None:
        raise Http404("No such rule.")
    return rule


def visible_pins(*, user: AnyUser) -> QuerySet[Pin]:
    scope = scope_for(user)
    qs = Pin.objects.select_related("model", "account", "territory")
    if scope.everything:
        return qs
    # Exclusions have no territory: only sales ops see them.
    return qs.filter(territory_q(user, "territory"), territory__isnull=False)


def pin_get(*, user: AnyUser, pin_id: int) -> Pin:
    pin = visible_pins(user=user).filter(pk=pin_id).first()
    if pin is None:
        raise Http404("No such pin.")
    return pin


def visible_coverage(*, user: AnyUser) -> QuerySet[TerritoryAssignment]:
    return TerritoryAssignment.objects.filter(territory_q(user, "territory")).select_related(
        "territory", "territory__model", "person"
    )


def coverage_get(*, user: AnyUser, assignment_id: int) -> TerritoryAssignment:
    row = visible_coverage(user=user).filter(pk=assignment_id).first()
    if row is None:
        raise Http404("No such territory assignment.")
    return row


def territory_accounts(*, user: AnyUser, territory_id: int) -> QuerySet[AccountTerritory]:
    """Current accounts of a territory and its subtree (404 outside scope)."""
    territory = territory_get(user=user, territory_id=territory_id)
    return (
        AccountTerritory.objects.filter(
            model_id=territory.model_id,
            valid_to__isnull=True,
            territory__path__startswith=territory.path,
        )
        .select_related("account", "territory", "rule")
        .order_by("account__name")
    )


def unassigned_accounts(*, user: AnyUser, model_id: int) -> QuerySet[AccountTerritory]:
    """Accounts nothing matched (and exclusions) in a model: sales ops only, else 404."""
    model = model_get(user=user, model_id=model_id)
    if not scope_for(user).everything:
        raise Http404("No such list.")
    return (
        AccountTerritory.objects.filter(model=model, valid_to__isnull=True, territory__isnull=True)
        .select_related("account")
        .order_by("source", "account__name")
    )

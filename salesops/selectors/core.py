"""Scoped reads of the core entities (people, teams, accounts, products, deals, costs).

Who sees what (ARCHITECTURE.md "Access"; the scope rules live in salesops.selectors.scope):
- people: the caller's scope (a rep: themselves; a manager: everyone in their team tree);
- teams: the teams a manager manages, down the tree; sales ops and admins all; reps none;
- accounts and products: reference data every active member of the sales org reads (a rep
  picks the account of their own deal), written only by sales ops and admins;
- deals: those owned by, or split with, someone in the caller's scope;
- costs: entries booked to people in the caller's scope, plus the team-level entries of the
  teams a manager manages.
`*_list` take the filter values of the entity's FilterSet (a QueryDict or dict, or None) and
raise ValidationError (a 400 in the API) on invalid values; `*_get_for_user` raise Http404
outside the caller's scope.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

import django_filters as df
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db.models import Model, Prefetch, Q, QuerySet
from django.http import Http404

from salesops.filters import (
    AccountFilter,
    DealFilter,
    PersonFilter,
    ProductFilter,
    SalesCostFilter,
    TeamFilter,
)
from salesops.models import Account, Deal, DealSplit, Person, Product, SalesCost, Team
from salesops.selectors.scope import AnyUser, Scope, scope_for, visible_people, visible_teams

Filters = Mapping[str, Any] | None
M = TypeVar("M", bound=Model)


def _filtered(qs: QuerySet[M], filterset: type[df.FilterSet], filters: Filters) -> QuerySet[M]:
    if not filters:
        return qs
    fs = filterset(data=filters, queryset=qs)
    if not fs.is_valid():
        raise ValidationError({field: list(messages) for field, messages in fs.errors.items()})
    result: QuerySet[M] = fs.qs
    return result


def _get(qs: QuerySet[M], pk: int, label: str) -> M:
    try:
        return qs.get(pk=pk)
    except (ObjectDoesNotExist, ValueError, TypeError):
        raise Http404(f"No {label} with id {pk} that you can see.") from None


# --- people and teams -----------------------------------------------------------------------


def _people(*, user: AnyUser) -> QuerySet[Person]:
    return visible_people(user=user).select_related("team", "manager", "user")


def person_list(*, user: AnyUser, filters: Filters = None) -> QuerySet[Person]:
    return _filtered(_people(user=user), PersonFilter, filters)


def person_get_for_user(*, user: AnyUser, person_id: int) -> Person:
    return _get(_people(user=user), person_id, "person")


def _teams(*, user: AnyUser) -> QuerySet[Team]:
    return visible_teams(user=user).select_related("parent", "manager")


def team_list(*, user: AnyUser, filters: Filters = None) -> QuerySet[Team]:
    return _filtered(_teams(user=user), TeamFilter, filters)


def team_get_for_user(*, user: AnyUser, team_id: int) -> Team:
    return _get(_teams(user=user), team_id, "team")


# --- reference data -------------------------------------------------------------------------


def _in_org(scope: Scope) -> bool:
    return scope.everything or scope.person_id is not None


def _accounts(*, user: AnyUser) -> QuerySet[Account]:
    qs = Account.objects.select_related("owner", "parent")
    return qs if _in_org(scope_for(user)) else qs.none()


def account_list(*, user: AnyUser, filters: Filters = None) -> QuerySet[Account]:
    return _filtered(_accounts(user=user), AccountFilter, filters)


def account_get_for_user(*, user: AnyUser, account_id: int) -> Account:
    return _get(_accounts(user=user), account_id, "account")


def _products(*, user: AnyUser) -> QuerySet[Product]:
    qs = Product.objects.all()
    return qs if _in_org(scope_for(user)) else qs.none()


def product_list(*, user: AnyUser, filters: Filters = None) -> QuerySet[Product]:
    return _filtered(_products(user=user), ProductFilter, filters)


def product_get_for_user(*, user: AnyUser, product_id: int) -> Product:
    return _get(_products(user=user), product_id, "product")


# --- deals ----------------------------------------------------------------------------------


def deal_scope_q(scope: Scope) -> Q:
    """Deals owned by someone in scope, or with a split held by someone in scope."""
    if scope.everything:
        return Q()
    split_deals = DealSplit.objects.filter(scope.people_q("person")).values("deal_id")
    return scope.people_q("owner") | Q(pk__in=split_deals)


def _deals(*, user: AnyUser) -> QuerySet[Deal]:
    splits = DealSplit.objects.select_related("person").order_by("-percent", "person__name")
    return (
        Deal.objects.filter(deal_scope_q(scope_for(user)))
        .select_related("account", "product", "owner")
        .prefetch_related(Prefetch("splits", queryset=splits))
    )


def deal_list(*, user: AnyUser, filters: Filters = None) -> QuerySet[Deal]:
    return _filtered(_deals(user=user), DealFilter, filters)


def deal_get_for_user(*, user: AnyUser, deal_id: int) -> Deal:
    return _get(_deals(user=user), deal_id, "deal")


# --- costs ----------------------------------------------------------------------------------


def cost_scope_q(scope: Scope) -> Q:
    """Entries of people in scope, plus team-level entries of the teams a manager manages."""
    if scope.everything:
        return Q()
    q = scope.people_q("person")
    if scope.team_ids:
        q |= scope.teams_q("team")
    return q


def _costs(*, user: AnyUser) -> QuerySet[SalesCost]:
    return SalesCost.objects.filter(cost_scope_q(scope_for(user))).select_related("person", "team")


def cost_list(*, user: AnyUser, filters: Filters = None) -> QuerySet[SalesCost]:
    return _filtered(_costs(user=user), SalesCostFilter, filters)


def cost_get_for_user(*, user: AnyUser, cost_id: int) -> SalesCost:
    return _get(_costs(user=user), cost_id, "cost")

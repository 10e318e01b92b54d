"""The core API: people, teams, accounts, products, deals (with splits) and costs.

Reads go through the scoped selectors in salesops.selectors.core (404 outside the caller's
scope); writes through the services. Only sales ops and admins write people, teams, accounts,
products and costs; a deal's owner may move it through stages and set its values (the fields in
salesops.services.deals.REP_EDITABLE_FIELDS). A field the caller may not send is a 400 naming it;
nothing is silently ignored. People are deactivated by DELETE, never deleted; deals, teams,
accounts, products and ledger entries have no DELETE (lose a deal, book an adjustment)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Model, QuerySet
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.filters import OrderingFilter, SearchFilter
from rest_framework.request import Request
from rest_framework.response import Response

from salesops.api import serializers as s
from salesops.api.base import ScopedViewSet
from salesops.api.pagination import EstimatedCountPagination
from salesops.filters import (
    AccountFilter,
    DealFilter,
    PersonFilter,
    ProductFilter,
    SalesCostFilter,
    TeamFilter,
)
from salesops.models import Account, Deal, Person, Product, SalesCost, Team
from salesops.permissions import (
    InSalesOrg,
    IsDealOwnerOrSalesOps,
    IsSalesOpsOrAdmin,
    ReadScopedWriteSalesOps,
)
from salesops.selectors import core as sel
from salesops.selectors.scope import person_for_user, sees_everything
from salesops.services.accounts import account_create, account_update
from salesops.services.costs import cost_record, cost_update
from salesops.services.deals import deal_confirm, deal_create, deal_splits_set, deal_update
from salesops.services.people import (
    person_create,
    person_deactivate,
    person_update,
    team_create,
    team_update,
)
from salesops.services.products import product_create, product_update


class SelectorFilterBackend(DjangoFilterBackend):
    """Documents the view's FilterSet in the schema; the selector has already applied it (with
    the same FilterSet the pages use), so filtering here again would only repeat the WHERE."""

    def filter_queryset(
        self, request: Request, queryset: QuerySet[Any], view: Any
    ) -> QuerySet[Any]:
        return queryset


class CoreViewSet(ScopedViewSet):
    """List and retrieve through a selector; subclasses add writes that call services."""

    permission_classes = [InSalesOrg, ReadScopedWriteSalesOps]
    filter_backends = [SelectorFilterBackend, OrderingFilter, SearchFilter]
    output_serializer: type[serializers.Serializer]  # type: ignore[type-arg]
    input_serializer: type[serializers.Serializer] | None = None  # type: ignore[type-arg]

    def get_serializer_class(self) -> type[serializers.Serializer]:  # type: ignore[type-arg]
        return self.output_serializer

    def select(self, filters: Any) -> QuerySet[Any]:
        raise NotImplementedError

    def fetch(self, pk: int) -> Model:
        raise NotImplementedError

    def get_queryset(self) -> QuerySet[Any]:
        return self.select(self.request.query_params)

    def get_object(self) -> Any:
        obj = self.fetch(self.kwargs["pk"])
        self.check_object_permissions(self.request, obj)
        return obj

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(self.output_serializer(page, many=True).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(self.output_serializer(self.get_object()).data)

    def parse(self, request: Request, *, partial: bool = False) -> dict[str, Any]:
        assert self.input_serializer is not None
        serializer = self.input_serializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def created(self, obj: Model) -> Response:
        return Response(self.output_serializer(obj).data, status=status.HTTP_201_CREATED)


def _crud_schema(name: str, output: Any, input_: Any) -> Any:
    return extend_schema_view(
        list=extend_schema(summary=f"List {name} you can see"),
        retrieve=extend_schema(summary=f"One of the {name} you can see (404 outside your scope)"),
        create=extend_schema(request=input_, responses={201: output}, summary=f"Create ({name})"),
        partial_update=extend_schema(request=input_, responses=output, summary=f"Change ({name})"),
    )


@_crud_schema("people", s.PersonOutputSerializer, s.PersonInputSerializer)
class PersonViewSet(CoreViewSet):
    output_serializer = s.PersonOutputSerializer
    input_serializer = s.PersonInputSerializer
    filterset_class = PersonFilter
    search_fields = ["name", "email", "user__username"]
    ordering_fields = ["name", "role", "hire_date", "hourly_cost", "team__name"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def select(self, filters: Any) -> QuerySet[Person]:
        return sel.person_list(user=self.request.user, filters=filters)

    def fetch(self, pk: int) -> Person:
        return sel.person_get_for_user(user=self.request.user, person_id=pk)

    def create(self, request: Request) -> Response:
        return self.created(person_create(**self.parse(request)))

    def partial_update(self, request: Request, pk: str) -> Response:
        person = person_update(person=self.get_object(), data=self.parse(request, partial=True))
        return Response(self.output_serializer(person).data)

    @extend_schema(summary="Deactivate a person (people are never deleted)", responses={204: None})
    def destroy(self, request: Request, pk: str) -> Response:
        person_deactivate(person=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


@_crud_schema("teams", s.TeamOutputSerializer, s.TeamInputSerializer)
class TeamViewSet(CoreViewSet):
    output_serializer = s.TeamOutputSerializer
    input_serializer = s.TeamInputSerializer
    filterset_class = TeamFilter
    search_fields = ["name", "region"]
    ordering_fields = ["name", "region", "structure"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def select(self, filters: Any) -> QuerySet[Team]:
        return sel.team_list(user=self.request.user, filters=filters)

    def fetch(self, pk: int) -> Team:
        return sel.team_get_for_user(user=self.request.user, team_id=pk)

    def create(self, request: Request) -> Response:
        return self.created(team_create(**self.parse(request)))

    def partial_update(self, request: Request, pk: str) -> Response:
        team = team_update(team=self.get_object(), data=self.parse(request, partial=True))
        return Response(self.output_serializer(team).data)


@_crud_schema("accounts", s.AccountOutputSerializer, s.AccountInputSerializer)
class AccountViewSet(CoreViewSet):
    output_serializer = s.AccountOutputSerializer
    input_serializer = s.AccountInputSerializer
    filterset_class = AccountFilter
    search_fields = ["name", "sector", "postal_code", "region"]
    ordering_fields = ["name", "annual_revenue", "employees", "country", "sector"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def select(self, filters: Any) -> QuerySet[Account]:
        return sel.account_list(user=self.request.user, filters=filters)

    def fetch(self, pk: int) -> Account:
        return sel.account_get_for_user(user=self.request.user, account_id=pk)

    def create(self, request: Request) -> Response:
        return self.created(account_create(**self.parse(request)))

    def partial_update(self, request: Request, pk: str) -> Response:
        account = account_update(account=self.get_object(), data=self.parse(request, partial=True))
        return Response(self.output_serializer(account).data)


@_crud_schema("products", s.ProductOutputSerializer, s.ProductInputSerializer)
class ProductViewSet(CoreViewSet):
    output_serializer = s.ProductOutputSerializer
    input_serializer = s.ProductInputSerializer
    filterset_class = ProductFilter
    search_fields = ["name", "series"]
    ordering_fields = ["name", "series", "list_price"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def select(self, filters: Any) -> QuerySet[Product]:
        return sel.product_list(user=self.request.user, filters=filters)

    def fetch(self, pk: int) -> Product:
        return sel.product_get_for_user(user=self.request.user, product_id=pk)

    def create(self, request: Request) -> Response:
        return self.created(product_create(**self.parse(request)))

    def partial_update(self, request: Request, pk: str) -> Response:
        product = product_update(product=self.get_object(), data=self.parse(request, partial=True))
        return Response(self.output_serializer(product).data)


@_crud_schema("costs", s.SalesCostOutputSerializer, s.SalesCostInputSerializer)
class SalesCostViewSet(CoreViewSet):
    output_serializer = s.SalesCostOutputSerializer
    input_serializer = s.SalesCostInputSerializer
    filterset_class = SalesCostFilter
    search_fields = ["note", "person__name", "team__name"]
    ordering_fields = ["date", "amount", "category"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def select(self, filters: Any) -> QuerySet[SalesCost]:
        return sel.cost_list(user=self.request.user, filters=filters)

    def fetch(self, pk: int) -> SalesCost:
        return sel.cost_get_for_user(user=self.request.user, cost_id=pk)

    def create(self, request: Request) -> Response:
        return self.created(cost_record(**self.parse(request)))

    def partial_update(self, request: Request, pk: str) -> Response:
        cost = cost_update(cost=self.get_object(), data=self.parse(request, partial=True))
        return Response(self.output_serializer(cost).data)


def _refuse_for_others(data: Any, me: Person | None) -> None:
    """A rep's (or manager's) new deal is their own: another owner, or splits, are a 403 before
    the ids are read, so a colleague's id and an absent one get the same answer (issue 20)."""
    owner = data.get("owner") if hasattr(data, "get") else None
    if owner not in (None, "") and (me is None or str(owner) != str(me.pk)):
        raise PermissionDenied({"owner": ["Only sales operations may create deals for others."]})
    if hasattr(data, "get") and data.get("splits") is not None:
        raise PermissionDenied({"splits": [s.ONLY_SALES_OPS]})


def _splits(rows: list[dict[str, Any]]) -> list[tuple[Person, Any]]:
    return [(row["person"], row["percent"]) for row in rows]


@extend_schema_view(
    list=extend_schema(summary="List deals you own, share, or that people in your scope own"),
    retrieve=extend_schema(summary="One deal you can see (404 outside your scope)"),
    create=extend_schema(
        request=s.DealCreateInputSerializer,
        responses={201: s.DealOutputSerializer},
        summary="Create a deal (yours; sales ops: anyone's, with splits)",
    ),
    partial_update=extend_schema(
        request=s.DealUpdateInputSerializer,
        responses=s.DealOutputSerializer,
        summary="Change a deal (owner: stage and values; sales ops: also owner, product, splits)",
    ),
)
class DealViewSet(CoreViewSet):
    permission_classes = [InSalesOrg, IsDealOwnerOrSalesOps]
    # A million visible deals: the planner's estimate instead of a COUNT(*) per page.
    pagination_class = EstimatedCountPagination
    output_serializer = s.DealOutputSerializer
    filterset_class = DealFilter
    search_fields = ["external_id", "account__name", "owner__name", "product__name"]
    ordering_fields = [
        "close_date",
        "engage_date",
        "amount",
        "close_value",
        "stage",
        "external_id",
        "created_at",
        "updated_at",
    ]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def select(self, filters: Any) -> QuerySet[Deal]:
        return sel.deal_list(user=self.request.user, filters=filters)

    def fetch(self, pk: int) -> Deal:
        return sel.deal_get_for_user(user=self.request.user, deal_id=pk)

    def _out(self, deal: Deal, *, code: int = status.HTTP_200_OK) -> Response:
        # Re-read through the selector: fresh splits, prefetched like the list.
        fresh = sel.deal_get_for_user(user=self.request.user, deal_id=deal.pk)
        return Response(self.output_serializer(fresh).data, status=code)

    def create(self, request: Request) -> Response:
        limited = not sees_everything(request.user)
        me = person_for_user(request.user) if limited else None
        if limited:
            _refuse_for_others(request.data, me)
        serializer = s.DealCreateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        splits = data.pop("splits", None)
        if limited:
            data["owner"] = me
        elif "owner" not in data:
            raise ValidationError({"owner": ["Name the deal's owner."]})
        deal = deal_create(**data, splits=_splits(splits) if splits else None)
        return self._out(deal, code=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, pk: str) -> Response:
        deal = self.get_object()
        input_class = (
            s.DealUpdateInputSerializer
            if sees_everything(request.user)
            else s.DealRepUpdateInputSerializer
        )
        serializer = input_class(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        splits = data.pop("splits", None)
        with transaction.atomic():
            deal_update(deal=deal, data=data)
            if splits is not None:
                deal_splits_set(deal=deal, splits=_splits(splits))
        return self._out(deal)

    @extend_schema(
        request=s.DealStageInputSerializer,
        responses=s.DealOutputSerializer,
        summary="Move a deal to a stage (its owner, sales ops or admin)",
    )
    @action(detail=True, methods=["post"])
    def stage(self, request: Request, pk: str) -> Response:
        deal = self.get_object()
        serializer = s.DealStageInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        deal_update(deal=deal, data=dict(serializer.validated_data))
        return self._out(deal)

    @extend_schema(
        request=s.DealSplitsInputSerializer,
        responses=s.DealOutputSerializer,
        summary="Replace a deal's splits (sales ops and admin; they must sum to 100 %)",
    )
    @action(detail=True, methods=["post"], permission_classes=[IsSalesOpsOrAdmin])
    def splits(self, request: Request, pk: str) -> Response:
        deal = self.get_object()
        serializer = s.DealSplitsInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        deal_splits_set(deal=deal, splits=_splits(serializer.validated_data["splits"]))
        return self._out(deal)

    @extend_schema(
        request=None,
        responses=s.DealOutputSerializer,
        summary="Confirm a won deal its own owner entered (their manager or sales ops)",
    )
    @action(detail=True, methods=["post"], permission_classes=[InSalesOrg])
    def confirm(self, request: Request, pk: str) -> Response:
        deal = self.get_object()
        deal_confirm(user=request.user, deal=deal)
        return self._out(deal)

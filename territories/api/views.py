"""Territories API: thin viewsets over the selectors (reads, scoped) and services (writes)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from django.db.models import Model, QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from salesops.api.base import ScopedViewSet
from salesops.permissions import IsSalesOpsOrAdmin, ReadScopedWriteSalesOps
from territories import selectors, services
from territories.api import serializers as s
from territories.filters import (
    AssignmentRuleFilter,
    PinFilter,
    TerritoryAssignmentFilter,
    TerritoryFilter,
    TerritoryModelFilter,
)
from territories.services.preview import territory_model_preview


class ServiceViewSet(
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    mixins.ListModelMixin,
    ScopedViewSet,
):
    """Reads through a selector queryset (404 outside scope); writes through services."""

    permission_classes = [ReadScopedWriteSalesOps]
    input_serializer_class: type[BaseSerializer[Any]]

    def _input(self, request: Request, *, partial: bool = False) -> dict[str, Any]:
        serializer = self.input_serializer_class(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        obj = self.service_create(self._input(request))
        return Response(self.get_serializer(obj).data, status=status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        obj = self.get_object()
        data = self._input(request, partial=kwargs.get("partial", False))
        return Response(self.get_serializer(self.service_update(obj, data)).data)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        self.service_delete(self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    def service_create(self, data: dict[str, Any]) -> Model:
        raise NotImplementedError

    def service_update(self, obj: Any, data: dict[str, Any]) -> Model:
        raise NotImplementedError

    def service_delete(self, obj: Any) -> None:
        raise NotImplementedError


@extend_schema(tags=["territories"])
class TerritoryModelViewSet(ServiceViewSet):
    serializer_class = s.TerritoryModelOut
    input_serializer_class = s.TerritoryModelIn
    filterset_class = TerritoryModelFilter
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Any]:
        return selectors.visible_models(user=self.request.user)

    def service_create(self, data: dict[str, Any]) -> Model:
        return services.territory_model_create(**data)

    def service_update(self, obj: Any, data: dict[str, Any]) -> Model:
        return services.territory_model_update(model=obj, **data)

    @extend_schema(request=s.CloneIn, responses=s.TerritoryModelOut)
    @action(detail=True, methods=["post"], permission_classes=[IsSalesOpsOrAdmin])
    def clone(self, request: Request, pk: str | None = None) -> Response:
        data = self._clone_input(request)
        model = services.territory_model_clone(source=self.get_object(), name=data["name"])
        return Response(s.TerritoryModelOut(model).data, status=status.HTTP_201_CREATED)

    def _clone_input(self, request: Request) -> dict[str, Any]:
        serializer = s.CloneIn(data=request.data)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    @extend_schema(request=None, responses=s.RunOut)
    @action(detail=True, methods=["post"], permission_classes=[IsSalesOpsOrAdmin])
    def run(self, request: Request, pk: str | None = None) -> Response:
        """Run the assignment engine (`?dry_run=1` reports without writing)."""
        dry = request.query_params.get("dry_run") in ("1", "true")
        result = services.territory_assignments_run(model=self.get_object(), dry_run=dry)
        return Response(s.RunOut(result).data)

    @extend_schema(responses=s.PreviewOut)
    @action(detail=True, methods=["get"], permission_classes=[IsSalesOpsOrAdmin])
    def preview(self, request: Request, pk: str | None = None) -> Response:
        """What activating this planning model would change."""
        preview = territory_model_preview(model=self.get_object())
        data = asdict(preview)
        data.pop("move_pairs")
        return Response(s.PreviewOut(data).data)

    @extend_schema(request=None, responses=s.TerritoryModelOut)
    @action(detail=True, methods=["post"], permission_classes=[IsSalesOpsOrAdmin])
    def activate(self, request: Request, pk: str | None = None) -> Response:
        model = services.territory_model_activate(model=self.get_object())
        return Response(s.TerritoryModelOut(model).data)

    @extend_schema(request=None, responses=s.TerritoryModelOut)
    @action(detail=True, methods=["post"], permission_classes=[IsSalesOpsOrAdmin])
    def archive(self, request: Request, pk: str | None = None) -> Response:
        model = services.territory_model_archive(model=self.get_object())
        return Response(s.TerritoryModelOut(model).data)

    @extend_schema(responses=s.BalanceOut)
    @action(detail=True, methods=["get"])
    def balance(self, request: Request, pk: str | None = None) -> Response:
        """Figures per visible territory and the spread between siblings."""
        balance = selectors.territory_metrics(user=request.user, model=self.get_object())
        return Response(s.BalanceOut(balance).data)

    @extend_schema(request=s.RebalanceIn, responses=s.ProposalOut)
    @action(detail=True, methods=["get", "post"], permission_classes=[IsSalesOpsOrAdmin])
    def rebalance(self, request: Request, pk: str | None = None) -> Response:
        """GET: a proposal (query parameters). POST: apply it as pins (planning models only)."""
        source = request.data if request.method == "POST" else request.query_params
        serializer = s.RebalanceIn(data=source)
        serializer.is_valid(raise_exception=True)
        options = dict(serializer.validated_data)
        model = self.get_object()
        if request.method == "POST":
            proposal = services.rebalance_apply(model=model, user=request.user, **options)
        else:
            proposal = selectors.rebalance_propose(model=model, **options)
        return Response(s.ProposalOut(proposal).data)


@extend_schema(tags=["territories"])
class TerritoryViewSet(ServiceViewSet):
    serializer_class = s.TerritoryOut
    input_serializer_class = s.TerritoryIn
    filterset_class = TerritoryFilter

    def get_queryset(self) -> QuerySet[Any]:
        return selectors.visible_territories(user=self.request.user)

    def service_create(self, data: dict[str, Any]) -> Model:
        return services.territory_create(**data)

    def service_update(self, obj: Any, data: dict[str, Any]) -> Model:
        data.pop("model", None)
        return services.territory_update(territory=obj, **data)

    def service_delete(self, obj: Any) -> None:
        services.territory_delete(territory=obj)

    @extend_schema(responses=s.AccountAssignmentOut(many=True))
    @action(detail=True, methods=["get"])
    def accounts(self, request: Request, pk: str | None = None) -> Response:
        """Current accounts of this territory and its subtree."""
        rows = selectors.territory_accounts(user=request.user, territory_id=int(pk or 0))
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(s.AccountAssignmentOut(page, many=True).data)


@extend_schema(tags=["territories"])
class RuleViewSet(ServiceViewSet):
    serializer_class = s.RuleOut
    input_serializer_class = s.RuleIn
    filterset_class = AssignmentRuleFilter

    def get_queryset(self) -> QuerySet[Any]:
        return selectors.visible_rules(user=self.request.user)

    def service_create(self, data: dict[str, Any]) -> Model:
        return services.rule_create(**data)

    def service_update(self, obj: Any, data: dict[str, Any]) -> Model:
        return services.rule_update(rule=obj, **data)

    def service_delete(self, obj: Any) -> None:
        services.rule_delete(rule=obj)


@extend_schema(tags=["territories"])
class PinViewSet(ServiceViewSet):
    """Pins and exclusions. Writing one re-assigns that account in the model right away."""

    serializer_class = s.PinOut
    input_serializer_class = s.PinIn
    filterset_class = PinFilter
    http_method_names = ["get", "post", "delete", "head", "options"]

    def get_queryset(self) -> QuerySet[Any]:
        return selectors.visible_pins(user=self.request.user)

    def service_create(self, data: dict[str, Any]) -> Model:
        pin = services.pin_set(user=self.request.user, **data)
        services.territory_assignments_run(model=pin.model, account_ids=[pin.account_id])
        return pin

    def service_delete(self, obj: Any) -> None:
        model, account_id = obj.model, obj.account_id
        services.pin_remove(pin=obj)
        services.territory_assignments_run(model=model, account_ids=[account_id])


@extend_schema(tags=["territories"])
class CoverageViewSet(ServiceViewSet):
    """Coverage (TerritoryAssignment): who covers which territory, in which role, when."""

    serializer_class = s.CoverageOut
    input_serializer_class = s.CoverageIn
    filterset_class = TerritoryAssignmentFilter
    http_method_names = ["get", "post", "delete", "head", "options"]

    def get_queryset(self) -> QuerySet[Any]:
        return selectors.visible_coverage(user=self.request.user)

    def service_create(self, data: dict[str, Any]) -> Model:
        return services.coverage_assign(**data)

    def service_delete(self, obj: Any) -> None:
        services.coverage_remove(assignment=obj)

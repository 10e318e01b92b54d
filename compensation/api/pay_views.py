"""The pay part of the compensation API: statements (with the payroll CSV), disputes,
adjustments, reversals and the simulator. Same rules as compensation.api.views."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from compensation import filters
from compensation.api import serializers as s
from compensation.api.views import person_or_404, sensitive
from compensation.selectors import pay
from compensation.services import clawbacks as clawback_services
from compensation.services import disputes as dispute_services
from compensation.services import statements as statement_services
from compensation.services.simulate import simulate
from salesops import calendar
from salesops.api.base import ScopedAPIView, ScopedReadOnlyViewSet, ScopedViewSet
from salesops.api.fields import period_or_400
from salesops.csvsafe import csv_writer
from salesops.permissions import InSalesOrg, IsSalesOpsOrAdmin, ReadScopedWriteSalesOps


@sensitive
@extend_schema(tags=["compensation"])
class StatementViewSet(ScopedReadOnlyViewSet):
    """Statements: list and detail (with explained lines) in the caller's scope; generation,
    approval, payment and the payroll CSV are for sales ops."""

    permission_classes = [IsAuthenticated, ReadScopedWriteSalesOps]
    filterset_class = filters.StatementFilter
    ordering_fields = ["period_start", "payable", "person__name"]

    def get_queryset(self) -> QuerySet[Any]:
        return pay.statement_list(user=self.request.user)

    def get_serializer_class(self) -> Any:
        return s.StatementDetailOutput if self.action == "retrieve" else s.StatementOutput

    def get_object(self) -> Any:
        return pay.statement_get(user=self.request.user, statement_id=int(self.kwargs["pk"]))

    @extend_schema(request=s.GenerateInput, responses=s.GenerateOutput)
    @action(detail=False, methods=["post"], permission_classes=[IsAuthenticated, IsSalesOpsOrAdmin])
    def generate(self, request: Request) -> Response:
        data = s.GenerateInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        person_ids = [person_or_404(request, v["person"]).pk] if v.get("person") else None
        report = statement_services.statements_generate(
            period=v["period"], person_ids=person_ids, user=request.user
        )
        return Response(s.GenerateOutput(report).data)

    @extend_schema(request=None, responses=s.StatementOutput)
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated, IsSalesOpsOrAdmin])
    def approve(self, request: Request, pk: str | None = None) -> Response:
        statement = statement_services.statement_approve(
            user=request.user, statement=self.get_object()
        )
        return Response(s.StatementOutput(statement).data)

    @extend_schema(request=None, responses=s.StatementOutput)
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated, IsSalesOpsOrAdmin])
    def pay(self, request: Request, pk: str | None = None) -> Response:
        statement = statement_services.statement_mark_paid(
            user=request.user, statement=self.get_object()
        )
        return Response(s.StatementOutput(statement).data)

    @extend_schema(
        parameters=[OpenApiParameter("period", OpenApiTypes.STR, required=True)],
        responses={(200, "text/csv"): OpenApiTypes.STR},
    )
    @action(
        detail=False,
        methods=["get"],
        url_path="export",
        permission_classes=[IsAuthenticated, IsSalesOpsOrAdmin],
    )
    def export(self, request: Request) -> HttpResponse:
        """Payroll CSV of one fiscal month's approved and paid statements."""
        period = period_or_400(
            request.query_params.get("period"), calendar.period_containing(calendar.company_today())
        )
        if period.kind != calendar.MONTH:
            raise ValidationError({"period": "Export one fiscal month, e.g. FY2026-M03."})
        return payroll_csv(pay.payroll_rows(user=request.user, period_start=period.start), period)


def payroll_csv(rows: QuerySet[Any], period: calendar.FiscalPeriod) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="payroll-{period.key}.csv"'
    response["Cache-Control"] = "no-store"
    writer = csv_writer(response)
    writer.writerow(
        [
            "person_id",
            "name",
            "email",
            "period",
            "status",
            "payable",
            "carry_forward",
            "draw_balance",
            "approved_at",
            "paid_at",
        ]
    )
    for st in rows:
        writer.writerow(
            [
                st.person_id,
                st.person.name,
                st.person.email,
                st.period_key,
                st.status,
                f"{st.payable:.2f}",
                f"{st.carry_forward:.2f}",
                f"{st.draw_balance:.2f}",
                st.approved_at.isoformat() if st.approved_at else "",
                st.paid_at.isoformat() if st.paid_at else "",
            ]
        )
    return response


@extend_schema(tags=["compensation"])
class DisputeViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    ScopedViewSet,
):
    """A rep disputes a line of their own statement; their manager or sales ops resolve it."""

    permission_classes = [IsAuthenticated, InSalesOrg]
    serializer_class = s.DisputeOutput
    filterset_class = filters.DisputeFilter

    def get_queryset(self) -> QuerySet[Any]:
        return pay.dispute_list(user=self.request.user)

    def get_object(self) -> Any:
        return pay.dispute_get(user=self.request.user, dispute_id=int(self.kwargs["pk"]))

    @extend_schema(request=s.DisputeInput, responses=s.DisputeOutput)
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = s.DisputeInput(data=request.data)
        data.is_valid(raise_exception=True)
        line = pay.statement_line_get(user=request.user, line_id=data.validated_data["line"])
        dispute = dispute_services.dispute_open(
            user=request.user, line=line, comment=data.validated_data["comment"]
        )
        return Response(s.DisputeOutput(dispute).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.DisputeResolveInput, responses=s.DisputeOutput)
    @action(detail=True, methods=["post"])
    def resolve(self, request: Request, pk: str | None = None) -> Response:
        dispute = self.get_object()  # 404 outside the scope before anything else
        data = s.DisputeResolveInput(data=request.data)
        data.is_valid(raise_exception=True)
        dispute = dispute_services.dispute_resolve(
            user=request.user, dispute=dispute, **data.validated_data
        )
        return Response(s.DisputeOutput(dispute).data)


@sensitive
@extend_schema(tags=["compensation"])
class AdjustmentViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, ScopedViewSet):
    """Manual corrections; each lands on the person's next open statement."""

    permission_classes = [IsAuthenticated, ReadScopedWriteSalesOps]
    serializer_class = s.AdjustmentOutput
    filterset_class = filters.AdjustmentFilter

    def get_queryset(self) -> QuerySet[Any]:
        return pay.adjustment_list(user=self.request.user)

    @extend_schema(request=s.AdjustmentInput, responses=s.AdjustmentOutput)
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = s.AdjustmentInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = dict(data.validated_data)
        person = person_or_404(request, v.pop("person"))
        adjustment = statement_services.adjustment_add(user=request.user, person=person, **v)
        return Response(s.AdjustmentOutput(adjustment).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["compensation"])
class ReversalView(ScopedAPIView):
    """Record a refunded (or lost) won deal so the next statement claws it back."""

    permission_classes = [IsAuthenticated, IsSalesOpsOrAdmin]

    @extend_schema(request=s.ReversalInput, responses={201: None})
    def post(self, request: Request) -> Response:
        data = s.ReversalInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        clawback_services.deal_reversal_record(
            user=request.user,
            deal_id=v["deal"],
            reversed_on=v["reversed_on"],
            reason=v["reason"],
            note=v["note"],
        )
        return Response(status=status.HTTP_201_CREATED)


@sensitive
@extend_schema(tags=["compensation"])
class SimulateView(ScopedAPIView):
    """Run a plan over hypothetical deals: statement lines and totals, nothing saved."""

    permission_classes = [IsAuthenticated, InSalesOrg]

    @extend_schema(request=s.SimulateInput, responses=s.SimulateOutput)
    def post(self, request: Request) -> Response:
        data = s.SimulateInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        result = simulate(
            definition=v["plan"],
            quota=v.get("quota"),
            target_incentive=v.get("target_incentive"),
            deals=v["deals"],
            carry_in=Decimal(v.get("carry_in") or 0),
            draw_balance=Decimal(v.get("draw_balance") or 0),
            measures=v.get("measures") or {},
            measure_quotas=v.get("measure_quotas") or {},
        )
        return Response(result.as_dict())

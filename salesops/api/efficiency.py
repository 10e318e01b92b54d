"""GET /api/v1/efficiency/ (snapshots), …/trend/, …/magic-number/, …/effectiveness/.

Read-only and scoped by the caller (salesops.selectors.efficiency); ratios come with a display
string (one decimal, "—" when undefined).
"""

from __future__ import annotations

from typing import Any

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from salesops.api.base import ScopedViewSet
from salesops.formulas import format_ratio
from salesops.models import EfficiencySnapshot, Period, ScopeType
from salesops.permissions import InSalesOrg
from salesops.selectors.efficiency import (
    efficiency_effectiveness,
    efficiency_magic_numbers,
    efficiency_snapshot_list,
    efficiency_trend,
)


class EfficiencySnapshotFilter(django_filters.FilterSet):
    scope_type = django_filters.CharFilter()
    scope_id = django_filters.NumberFilter()
    scope_key = django_filters.CharFilter()
    period = django_filters.ChoiceFilter(choices=Period.choices)
    as_of = django_filters.DateFilter(
        field_name="period_end", help_text="Snapshots ending on this business date."
    )
    period_start = django_filters.DateFilter()
    start = django_filters.DateFilter(field_name="period_end", lookup_expr="gte")
    end = django_filters.DateFilter(field_name="period_end", lookup_expr="lte")

    class Meta:
        model = EfficiencySnapshot
        fields = ["scope_type", "scope_id", "scope_key", "period", "period_start"]


class EfficiencySnapshotOutput(serializers.ModelSerializer[EfficiencySnapshot]):
    ratio_display = serializers.SerializerMethodField()

    class Meta:
        model = EfficiencySnapshot
        fields = [
            "scope_type",
            "scope_id",
            "scope_key",
            "period",
            "period_start",
            "period_end",
            "revenue",
            "cost",
            "ratio",
            "ratio_display",
            "won_deals",
            "computed_at",
        ]

    def get_ratio_display(self, obj: EfficiencySnapshot) -> str:
        return format_ratio(obj.ratio)


class TrendInput(serializers.Serializer[Any]):
    # Any scope type: plug-in providers add their own (e.g. territory).
    scope_type = serializers.CharField(max_length=20)
    scope_id = serializers.IntegerField(required=False, default=0)
    scope_key = serializers.CharField(required=False, default="", allow_blank=True)
    period = serializers.ChoiceField(choices=Period.choices, required=False, default=Period.DAY)
    start = serializers.DateField(required=False)
    end = serializers.DateField(required=False)


class MagicNumberInput(serializers.Serializer[Any]):
    scope_type = serializers.ChoiceField(
        choices=[ScopeType.COMPANY, ScopeType.TEAM], required=False
    )
    scope_id = serializers.IntegerField(required=False)


class MagicNumberOutput(serializers.Serializer[Any]):
    scope_type = serializers.CharField()
    scope_id = serializers.IntegerField()
    quarter_start = serializers.DateField()
    quarter_end = serializers.DateField()
    revenue = serializers.DecimalField(max_digits=22, decimal_places=6)
    previous_revenue = serializers.DecimalField(max_digits=22, decimal_places=6)
    previous_cost = serializers.DecimalField(max_digits=18, decimal_places=2)
    value = serializers.DecimalField(max_digits=16, decimal_places=4, allow_null=True)
    band = serializers.CharField()
    increase_for_moderate = serializers.DecimalField(
        max_digits=20, decimal_places=2, allow_null=True
    )


class EffectivenessInput(serializers.Serializer[Any]):
    group_by = serializers.ChoiceField(
        choices=[ScopeType.PERSON, ScopeType.TEAM], required=False, default=ScopeType.PERSON
    )
    start = serializers.DateField(required=False)
    end = serializers.DateField(required=False)


class StageConversionOutput(serializers.Serializer[Any]):
    from_stage = serializers.CharField()
    to_stage = serializers.CharField()
    reached = serializers.IntegerField()
    advanced = serializers.IntegerField()
    rate = serializers.DecimalField(max_digits=16, decimal_places=4, allow_null=True)


class EffectivenessOutput(serializers.Serializer[Any]):
    scope_type = serializers.CharField()
    scope_id = serializers.IntegerField()
    deals = serializers.IntegerField()
    won = serializers.IntegerField()
    lost = serializers.IntegerField()
    win_rate = serializers.DecimalField(max_digits=16, decimal_places=4, allow_null=True)
    conversions = StageConversionOutput(many=True)


class EfficiencyViewSet(mixins.ListModelMixin, ScopedViewSet):
    """Efficiency snapshots written by the nightly run (never recomputed on read). A snapshot is
    addressed by its natural key (scope, period, period end: the list's filters); there is no
    detail route."""

    serializer_class = EfficiencySnapshotOutput
    filterset_class = EfficiencySnapshotFilter
    permission_classes = [InSalesOrg]
    ordering_fields = ["period_end", "ratio", "revenue", "cost"]
    search_fields: list[str] = []

    def get_queryset(self) -> Any:
        return efficiency_snapshot_list(user=self.request.user)

    @extend_schema(
        parameters=[TrendInput],
        responses=EfficiencySnapshotOutput(many=True),
        description="A time series of one scope's snapshots of `period` (default: daily), "
        "ordered by period end.",
    )
    @action(detail=False, methods=["get"], pagination_class=None, filterset_class=None)
    def trend(self, request: Request) -> Response:
        params = TrendInput(data=request.query_params)
        params.is_valid(raise_exception=True)
        rows = efficiency_trend(user=request.user, **params.validated_data)
        return Response(EfficiencySnapshotOutput(rows, many=True).data)

    @extend_schema(
        parameters=[MagicNumberInput],
        responses=MagicNumberOutput(many=True),
        description="Magic number per closed quarter for the company and each team: "
        "(revenue[q] − revenue[q−1]) × 4 / cost[q−1]. Below 0.75 inefficient, 0.75–1 "
        "moderate, above 1 strong.",
    )
    @action(
        detail=False,
        methods=["get"],
        url_path="magic-number",
        pagination_class=None,
        filterset_class=None,
    )
    def magic_number(self, request: Request) -> Response:
        params = MagicNumberInput(data=request.query_params)
        params.is_valid(raise_exception=True)
        rows = efficiency_magic_numbers(user=request.user, **params.validated_data)
        return Response(MagicNumberOutput(rows, many=True).data)

    @extend_schema(
        parameters=[EffectivenessInput],
        responses=EffectivenessOutput(many=True),
        description="Stage-to-stage conversion and win rate won / (won + lost) per person or "
        "team, for deals engaged in [start, end].",
    )
    @action(detail=False, methods=["get"], pagination_class=None, filterset_class=None)
    def effectiveness(self, request: Request) -> Response:
        params = EffectivenessInput(data=request.query_params)
        params.is_valid(raise_exception=True)
        rows = efficiency_effectiveness(user=request.user, **params.validated_data)
        return Response(EffectivenessOutput(rows, many=True).data)

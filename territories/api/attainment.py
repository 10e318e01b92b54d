"""/api/v1/compensation/attainment/territories/: territory quota against credited revenue.

The URL is the one pay's other attainment reports use; the view lives here because territory
attainment reads territories' credit history and pay's quotas (territories -> compensation.selectors).
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from salesops import calendar
from salesops.api.base import ScopedAPIView
from salesops.api.fields import PERIOD_PARAM, period_or_400
from salesops.permissions import InSalesOrg
from territories.selectors.attainment import territory_attainment


class TerritoryAttainmentOutput(serializers.Serializer[Any]):
    territory_id = serializers.IntegerField()
    quota = serializers.DecimalField(max_digits=20, decimal_places=2, allow_null=True)
    credited = serializers.DecimalField(max_digits=24, decimal_places=2)
    percent = serializers.DecimalField(max_digits=9, decimal_places=2, allow_null=True)


@extend_schema(tags=["compensation"])
class TerritoryAttainmentView(ScopedAPIView):
    """Revenue quota vs credited revenue per territory (managers and sales ops)."""

    permission_classes = [IsAuthenticated, InSalesOrg]

    @extend_schema(
        parameters=[
            PERIOD_PARAM,
            OpenApiParameter("territory", OpenApiTypes.INT, many=True, required=True),
        ],
        responses=TerritoryAttainmentOutput(many=True),
    )
    def get(self, request: Request) -> Response:
        today = calendar.company_today()
        period = period_or_400(
            request.query_params.get("period"), calendar.period_containing(today, calendar.YEAR)
        )
        ids = [int(i) for i in request.query_params.getlist("territory") if i.isdigit()]
        rows = territory_attainment(
            user=request.user, territory_ids=ids, start=period.start, end=period.end
        )
        return Response(TerritoryAttainmentOutput(list(rows.values()), many=True).data)

"""GET /api/v1/meetings/pursuit/?deal=<id>: a deal's meetings, hours and cost of pursuit."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from meetings.selectors.pursuit import deal_pursuit
from salesops.api.base import ScopedAPIView
from salesops.permissions import InSalesOrg


class _Query(serializers.Serializer[dict[str, int]]):
    deal = serializers.IntegerField(min_value=1, max_value=2**31 - 1)


class PursuitMeetingOut(serializers.Serializer[object]):
    id = serializers.IntegerField()
    title = serializers.CharField()
    start = serializers.DateTimeField()
    status = serializers.CharField()
    hours = serializers.DecimalField(max_digits=12, decimal_places=2)
    cost = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)


class DealPursuitOut(serializers.Serializer[object]):
    deal_id = serializers.IntegerField()
    meeting_count = serializers.IntegerField()
    hours = serializers.DecimalField(max_digits=12, decimal_places=2)
    cost = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        allow_null=True,
        help_text="Sum of the meeting-time ledger entries posted for the deal's meetings; null "
        "for viewers who may not see every posted person's rate.",
    )
    meetings = PursuitMeetingOut(many=True)


class DealPursuitView(ScopedAPIView):
    permission_classes = [InSalesOrg]

    @extend_schema(
        parameters=[OpenApiParameter("deal", int, required=True)],
        responses=DealPursuitOut,
        summary="Cost of pursuit of a deal",
    )
    def get(self, request: Request) -> Response:
        query = _Query(data=request.query_params)
        query.is_valid(raise_exception=True)
        result = deal_pursuit(user=request.user, deal_id=query.validated_data["deal"])
        return Response(DealPursuitOut(result).data)


__all__ = ["DealPursuitView"]

"""Overlay credit and MBO scores (plan components, issue 19): written by the person's manager or
sales ops through compensation.services.overlay (a rep, or a manager of another team, is 403;
a person outside the caller's scope is a 400 on the field, as elsewhere in this API)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from compensation.api.views import person_or_400, sensitive
from compensation.models import MboScore, OverlayCredit, OverlayRole
from compensation.services import overlay as overlay_services
from salesops.api.base import ScopedAPIView
from salesops.permissions import InSalesOrg
from salesops.selectors.core import deal_list


class OverlayCreditInput(serializers.Serializer[Any]):
    deal = serializers.IntegerField(min_value=1)
    person = serializers.IntegerField(min_value=1, help_text="Who gets the overlay credit.")
    role = serializers.ChoiceField(choices=OverlayRole.choices)
    percent = serializers.DecimalField(
        max_digits=7,
        decimal_places=4,
        min_value=0,
        max_value=100,
        help_text="% of the deal's close value credited for pay (never revenue).",
    )
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=255)


class OverlayCreditOutput(serializers.ModelSerializer[OverlayCredit]):
    class Meta:
        model = OverlayCredit
        fields = ["id", "deal", "person", "role", "percent", "note", "created_at"]


class MboScoreInput(serializers.Serializer[Any]):
    person = serializers.IntegerField(min_value=1)
    component = serializers.CharField(max_length=60, help_text="The plan's MBO component name.")
    period_start = serializers.DateField(help_text="The measurement period's first day.")
    score = serializers.DecimalField(max_digits=6, decimal_places=2, min_value=0, max_value=200)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=255)


class MboScoreOutput(serializers.ModelSerializer[MboScore]):
    class Meta:
        model = MboScore
        fields = ["id", "person", "component", "period_start", "score", "note", "updated_at"]


@sensitive
@extend_schema(tags=["compensation"])
class OverlayCreditView(ScopedAPIView):
    permission_classes = [IsAuthenticated, InSalesOrg]

    @extend_schema(request=OverlayCreditInput, responses={201: OverlayCreditOutput})
    def post(self, request: Request) -> Response:
        data = OverlayCreditInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        deal = deal_list(user=request.user).filter(pk=v["deal"]).first()
        if deal is None:
            raise serializers.ValidationError({"deal": "No such deal."})
        credit = overlay_services.overlay_credit_add(
            user=request.user,
            deal=deal,
            person=person_or_400(request, v["person"]),
            role=v["role"],
            percent=v["percent"],
            note=v["note"],
        )
        return Response(OverlayCreditOutput(credit).data, status=status.HTTP_201_CREATED)


@sensitive
@extend_schema(tags=["compensation"])
class MboScoreView(ScopedAPIView):
    permission_classes = [IsAuthenticated, InSalesOrg]

    @extend_schema(request=MboScoreInput, responses={200: MboScoreOutput})
    def post(self, request: Request) -> Response:
        data = MboScoreInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        score = overlay_services.mbo_score_set(
            user=request.user,
            person=person_or_400(request, v["person"]),
            component=v["component"],
            period_start=v["period_start"],
            score=v["score"],
            note=v["note"],
        )
        return Response(MboScoreOutput(score).data)

"""Overlay credit and MBO scores (plan components, issue 19): written by the person's manager or
sales ops through compensation.services.overlay. A person or deal outside the caller's scope (or
absent: the two look the same) is a 404, like the object itself; a person the caller sees but
may not score or credit (themselves, as a rep; another manager's rep) is a 403 (issue 20)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from compensation.api.views import person_or_404, sensitive
from compensation.models import MboScore, OverlayCredit, OverlayRole
from compensation.services import overlay as overlay_services
from salesops.api.base import ScopedAPIView
from salesops.models import Person
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


class ComponentWriteView(ScopedAPIView):
    """One write of a plan component's input: validate the body, resolve its references in the
    caller's scope (outside it, or absent: the same 404), call the service, answer the row.

    Subclasses name their `input_class`, `output_class` and `status_code`, and `write()`."""

    permission_classes = [IsAuthenticated, InSalesOrg]
    input_class: type[serializers.Serializer[Any]]
    output_class: type[serializers.ModelSerializer[Any]]
    status_code: int = status.HTTP_200_OK

    def write(self, request: Request, person: Person, values: dict[str, Any]) -> Any:
        raise NotImplementedError

    def post(self, request: Request) -> Response:
        data = self.input_class(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        person = person_or_404(request, values.pop("person"))
        row = self.write(request, person, values)
        return Response(self.output_class(row).data, status=self.status_code)


@sensitive
@extend_schema(tags=["compensation"])
@extend_schema_view(
    post=extend_schema(request=OverlayCreditInput, responses={201: OverlayCreditOutput})
)
class OverlayCreditView(ComponentWriteView):
    input_class = OverlayCreditInput
    output_class = OverlayCreditOutput
    status_code = status.HTTP_201_CREATED

    def write(self, request: Request, person: Person, values: dict[str, Any]) -> OverlayCredit:
        deal_id = values.pop("deal")
        deal = deal_list(user=request.user).filter(pk=deal_id).first()
        if deal is None:  # outside the caller's scope or absent: like GET /deals/{id}/
            raise NotFound({"deal": ["No such deal."]})
        return overlay_services.overlay_credit_add(
            user=request.user, deal=deal, person=person, **values
        )


@sensitive
@extend_schema(tags=["compensation"])
@extend_schema_view(post=extend_schema(request=MboScoreInput, responses={200: MboScoreOutput}))
class MboScoreView(ComponentWriteView):
    input_class = MboScoreInput
    output_class = MboScoreOutput

    def write(self, request: Request, person: Person, values: dict[str, Any]) -> MboScore:
        return overlay_services.mbo_score_set(user=request.user, person=person, **values)

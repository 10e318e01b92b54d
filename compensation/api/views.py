"""The compensation API: thin views over compensation.selectors and compensation.services.

Pay data follows the caller's scope (a rep their own, a manager their teams', sales ops all);
anything outside it is 404. Writes are for sales ops, except disputes (the rep) and their
resolution (the manager or sales ops). Views that handle pay are marked sensitive so amounts
never show up in error reports.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.decorators import method_decorator
from django.views.decorators.debug import sensitive_post_parameters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from compensation import filters, selectors
from compensation.api import serializers as s
from compensation.models import Metric
from compensation.selectors import pay
from compensation.services import plans as plan_services
from compensation.services import quotas as quota_services
from salesops import calendar
from salesops.api.base import ScopedAPIView, ScopedViewSet
from salesops.api.fields import PERIOD_PARAM, period_or_400
from salesops.models import Person
from salesops.permissions import InSalesOrg, IsSalesOpsOrAdmin, ReadScopedWriteSalesOps
from salesops.selectors.scope import visible_people, visible_teams

sensitive = method_decorator(sensitive_post_parameters(), name="dispatch")


def person_or_404(request: Request, person_id: int, field: str = "person") -> Person:
    """The person named in a body field, if the caller may see them; otherwise (outside the
    caller's scope or absent: the two look the same) a 404 like GET /people/{id}/ (issue 20)."""
    person = visible_people(user=request.user).filter(pk=person_id).first()
    if person is None:
        raise NotFound({field: ["No such person."]})
    return person


@sensitive
@extend_schema(tags=["compensation"])
class QuotaViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    ScopedViewSet,
):
    """Monthly quotas. POST sets a period's amount (spread over its months, ramped)."""

    permission_classes = [IsAuthenticated, ReadScopedWriteSalesOps]
    serializer_class = s.QuotaOutput
    filterset_class = filters.QuotaFilter
    ordering_fields = ["period_start", "amount"]

    def get_queryset(self) -> QuerySet[Any]:
        return pay.quota_list(user=self.request.user).order_by("period_start", "id")

    def get_object(self) -> Any:
        return pay.quota_get(user=self.request.user, quota_id=int(self.kwargs["pk"]))

    @extend_schema(request=s.QuotaSetInput, responses=s.QuotaOutput(many=True))
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = s.QuotaSetInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        team = None
        if v.get("team") is not None:
            team = visible_teams(user=request.user).filter(pk=v["team"]).first()
            if team is None:
                raise NotFound({"team": ["No such team."]})
        assignee = quota_services.Assignee(
            person=person_or_404(request, v["person"]) if v.get("person") is not None else None,
            team=team,
            territory_id=v.get("territory_id"),
        )
        rows = quota_services.quota_set(
            user=request.user,
            assignee=assignee,
            metric=v["metric"],
            period=v["period"],
            amount=v["amount"],
            seasonality=v.get("seasonality"),
            apply_ramp=v["apply_ramp"],
        )
        return Response(s.QuotaOutput(rows, many=True).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.QuotaUpdateInput, responses=s.QuotaOutput)
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = s.QuotaUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        quota = quota_services.quota_update(
            user=request.user, quota=self.get_object(), amount=data.validated_data["amount"]
        )
        return Response(s.QuotaOutput(quota).data)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        quota_services.quota_delete(user=request.user, quota=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


METRIC_PARAM = OpenApiParameter("metric", OpenApiTypes.STR, enum=Metric.values)


@extend_schema(tags=["compensation"])
class AttainmentView(ScopedAPIView):
    """Attainment per person: quota, credited value, %, pace and club tier, for the people the
    caller may see (filter with ?person=1&person=2 or ?team=3)."""

    permission_classes = [IsAuthenticated, InSalesOrg]

    @extend_schema(
        parameters=[
            PERIOD_PARAM,
            METRIC_PARAM,
            OpenApiParameter("person", OpenApiTypes.INT, many=True),
            OpenApiParameter("team", OpenApiTypes.INT),
        ],
        responses=s.AttainmentOutput(many=True),
    )
    def get(self, request: Request) -> Response:
        today = calendar.company_today()
        period = period_or_400(
            request.query_params.get("period"), calendar.period_containing(today, calendar.MONTH)
        )
        metric = request.query_params.get("metric", Metric.REVENUE)
        if metric not in Metric.values:
            raise ValidationError({"metric": "Unknown metric."})
        people = visible_people(user=request.user)
        ids = request.query_params.getlist("person")
        if ids:
            people = people.filter(pk__in=[int(i) for i in ids if i.isdigit()])
        if request.query_params.get("team", "").isdigit():
            people = people.filter(team_id=int(request.query_params["team"]))
        rows = selectors.attainment_for_people(
            user=request.user,
            person_ids=people.values_list("pk", flat=True),
            start=period.start,
            end=period.end,
            metric=metric,
            today=today,
        )
        ordered = sorted(rows.values(), key=lambda r: r.name)
        return Response(s.AttainmentOutput(ordered, many=True).data)


@extend_schema(tags=["compensation"])
class TeamAttainmentView(ScopedAPIView):
    """Team roll-up: the team's own quota beside the sum of its members' (over/under-assignment)."""

    permission_classes = [IsAuthenticated, InSalesOrg]

    @extend_schema(
        parameters=[PERIOD_PARAM, METRIC_PARAM], responses=s.TeamAttainmentOutput(many=True)
    )
    def get(self, request: Request) -> Response:
        today = calendar.company_today()
        period = period_or_400(
            request.query_params.get("period"), calendar.period_containing(today, calendar.YEAR)
        )
        metric = request.query_params.get("metric", Metric.REVENUE)
        if metric not in Metric.values:
            raise ValidationError({"metric": "Unknown metric."})
        team_ids = list(visible_teams(user=request.user).values_list("pk", flat=True))
        rows = selectors.team_rollup(
            user=request.user, team_ids=team_ids, start=period.start, end=period.end, metric=metric
        )
        return Response(s.TeamAttainmentOutput(rows, many=True).data)


@extend_schema(tags=["compensation"])
class PlanViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    ScopedViewSet,
):
    """Commission plans with their versions. POST creates a plan and its first draft version."""

    permission_classes = [IsAuthenticated, ReadScopedWriteSalesOps]
    serializer_class = s.PlanOutput
    filterset_class = filters.PlanFilter

    def get_queryset(self) -> QuerySet[Any]:
        return pay.plan_list(user=self.request.user)

    def get_object(self) -> Any:
        return pay.plan_get(user=self.request.user, plan_id=int(self.kwargs["pk"]))

    @extend_schema(request=s.PlanCreateInput, responses=s.PlanVersionOutput)
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = s.PlanCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        version = plan_services.plan_create(user=request.user, **data.validated_data)
        return Response(s.PlanVersionOutput(version).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["compensation"])
class PlanVersionViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    ScopedViewSet,
):
    """Effective-dated plan versions. Drafts may change; approved versions never do."""

    permission_classes = [IsAuthenticated, ReadScopedWriteSalesOps]
    serializer_class = s.PlanVersionOutput
    filterset_class = filters.PlanVersionFilter

    def get_queryset(self) -> QuerySet[Any]:
        return pay.plan_version_list(user=self.request.user)

    def get_object(self) -> Any:
        return pay.plan_version_get(user=self.request.user, version_id=int(self.kwargs["pk"]))

    @extend_schema(request=s.PlanVersionCreateInput, responses=s.PlanVersionOutput)
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = s.PlanVersionCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = dict(data.validated_data)
        plan = pay.plan_get(user=request.user, plan_id=v.pop("plan"))
        version = plan_services.plan_version_create(user=request.user, plan=plan, **v)
        return Response(s.PlanVersionOutput(version).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.PlanVersionUpdateInput, responses=s.PlanVersionOutput)
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = s.PlanVersionUpdateInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        version = plan_services.plan_version_update(
            user=request.user, version=self.get_object(), **data.validated_data
        )
        return Response(s.PlanVersionOutput(version).data)

    @extend_schema(request=None, responses=s.PlanVersionOutput)
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated, IsSalesOpsOrAdmin])
    def approve(self, request: Request, pk: str | None = None) -> Response:
        version = plan_services.plan_version_approve(user=request.user, version=self.get_object())
        return Response(s.PlanVersionOutput(version).data)


@extend_schema(tags=["compensation"])
class AssignmentViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    ScopedViewSet,
):
    permission_classes = [IsAuthenticated, ReadScopedWriteSalesOps]
    serializer_class = s.AssignmentOutput
    filterset_class = filters.PlanAssignmentFilter

    def get_queryset(self) -> QuerySet[Any]:
        return pay.assignment_list(user=self.request.user)

    def get_object(self) -> Any:
        return pay.assignment_get(user=self.request.user, assignment_id=int(self.kwargs["pk"]))

    @extend_schema(request=s.AssignmentInput, responses=s.AssignmentOutput)
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = s.AssignmentInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = dict(data.validated_data)
        person = person_or_404(request, v.pop("person"))
        plan = pay.plan_get(user=request.user, plan_id=v.pop("plan"))
        assignment = plan_services.plan_assign(user=request.user, person=person, plan=plan, **v)
        return Response(s.AssignmentOutput(assignment).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.AssignmentEndInput, responses=s.AssignmentOutput)
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated, IsSalesOpsOrAdmin])
    def end(self, request: Request, pk: str | None = None) -> Response:
        data = s.AssignmentEndInput(data=request.data)
        data.is_valid(raise_exception=True)
        assignment = plan_services.plan_assignment_end(
            user=request.user, assignment=self.get_object(), end=data.validated_data["end"]
        )
        return Response(s.AssignmentOutput(assignment).data)

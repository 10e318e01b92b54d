"""One FilterSet per listable entity, shared by the API and the pages."""

from __future__ import annotations

import django_filters

from compensation.models import (
    Adjustment,
    CommissionPlan,
    Dispute,
    PlanAssignment,
    PlanVersion,
    Quota,
    Statement,
)


class QuotaFilter(django_filters.FilterSet):
    period_from = django_filters.DateFilter(field_name="period_start", lookup_expr="gte")
    period_to = django_filters.DateFilter(field_name="period_start", lookup_expr="lte")

    class Meta:
        model = Quota
        fields = ["person", "team", "territory", "metric", "fiscal_year"]


class PlanFilter(django_filters.FilterSet):
    name = django_filters.CharFilter(lookup_expr="icontains")

    class Meta:
        model = CommissionPlan
        fields = ["name"]


class PlanVersionFilter(django_filters.FilterSet):
    class Meta:
        model = PlanVersion
        fields = ["plan", "status"]


class PlanAssignmentFilter(django_filters.FilterSet):
    class Meta:
        model = PlanAssignment
        fields = ["person", "plan"]


class StatementFilter(django_filters.FilterSet):
    class Meta:
        model = Statement
        fields = ["person", "status", "period_key", "fiscal_year", "period_start"]


class DisputeFilter(django_filters.FilterSet):
    class Meta:
        model = Dispute
        fields = ["status", "statement"]


class AdjustmentFilter(django_filters.FilterSet):
    class Meta:
        model = Adjustment
        fields = ["person", "period_start"]

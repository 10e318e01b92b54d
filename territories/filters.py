"""One FilterSet per listable entity, shared by the API and the pages."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet

from territories.models import (
    AssignmentRule,
    Pin,
    Territory,
    TerritoryAssignment,
    TerritoryModel,
)


class TerritoryModelFilter(django_filters.FilterSet):
    class Meta:
        model = TerritoryModel
        fields = ["state"]


class TerritoryFilter(django_filters.FilterSet):
    name = django_filters.CharFilter(lookup_expr="icontains")

    class Meta:
        model = Territory
        fields = ["model", "parent", "type", "depth", "name"]


class AssignmentRuleFilter(django_filters.FilterSet):
    model = django_filters.NumberFilter(field_name="territory__model")

    class Meta:
        model = AssignmentRule
        fields = ["territory", "model", "fixed"]


class PinFilter(django_filters.FilterSet):
    class Meta:
        model = Pin
        fields = ["model", "kind", "source", "territory", "account"]


class TerritoryAssignmentFilter(django_filters.FilterSet):
    model = django_filters.NumberFilter(field_name="territory__model")
    active_on = django_filters.DateFilter(method="filter_active_on", label="Active on")

    class Meta:
        model = TerritoryAssignment
        fields = ["territory", "person", "role", "model"]

    def filter_active_on(
        self, queryset: QuerySet[TerritoryAssignment], name: str, value: object
    ) -> QuerySet[TerritoryAssignment]:
        return queryset.filter(effective_from__lte=value).filter(
            Q(effective_to__isnull=True) | Q(effective_to__gte=value)
        )

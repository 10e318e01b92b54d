"""Commission plans, their versions and plan assignments."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from compensation.api.serializers.fields import PlanDefinitionField
from compensation.models import (
    CommissionPlan,
    PlanAssignment,
    PlanVersion,
)

# --- plans ------------------------------------------------------------------------------------


class PlanVersionOutput(serializers.ModelSerializer[PlanVersion]):
    definition = PlanDefinitionField()

    class Meta:
        model = PlanVersion
        fields = [
            "id",
            "plan",
            "number",
            "effective_from",
            "status",
            "definition",
            "notes",
            "approved_by",
            "approved_at",
            "created_at",
        ]


class PlanOutput(serializers.ModelSerializer[CommissionPlan]):
    versions = PlanVersionOutput(many=True, read_only=True)

    class Meta:
        model = CommissionPlan
        fields = ["id", "name", "description", "versions"]


class PlanCreateInput(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=120)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    definition = PlanDefinitionField()
    effective_from = serializers.DateField()


class PlanVersionCreateInput(serializers.Serializer[Any]):
    plan = serializers.IntegerField()
    definition = PlanDefinitionField()
    effective_from = serializers.DateField()
    notes = serializers.CharField(required=False, allow_blank=True, default="")


class PlanVersionUpdateInput(serializers.Serializer[Any]):
    definition = PlanDefinitionField(required=False)
    effective_from = serializers.DateField(required=False)
    notes = serializers.CharField(required=False, allow_blank=True)


class AssignmentOutput(serializers.ModelSerializer[PlanAssignment]):
    person_name = serializers.CharField(source="person.name")
    plan_name = serializers.CharField(source="plan.name")

    class Meta:
        model = PlanAssignment
        fields = [
            "id",
            "person",
            "person_name",
            "plan",
            "plan_name",
            "start",
            "end",
            "target_incentive",
        ]


class AssignmentInput(serializers.Serializer[Any]):
    person = serializers.IntegerField()
    plan = serializers.IntegerField()
    start = serializers.DateField()
    end = serializers.DateField(required=False, allow_null=True)
    target_incentive = serializers.DecimalField(
        max_digits=14, decimal_places=2, required=False, allow_null=True, min_value=0
    )


class AssignmentEndInput(serializers.Serializer[Any]):
    end = serializers.DateField()

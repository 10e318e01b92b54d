"""Statements with their lines, generation, and what corrects them: disputes, adjustments,
reversals."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from compensation.api.serializers.fields import PeriodField, _pay_amount
from compensation.models import (
    Adjustment,
    Dispute,
    ReversalReason,
    Statement,
    StatementLine,
)
from salesops.models import Deal

# --- statements -------------------------------------------------------------------------------


class EnteredByOutput(serializers.Serializer[Any]):
    entered_as = serializers.ChoiceField(
        choices=["rep_entered", "imported_or_team"],
        help_text="rep_entered: the deal's own owner created or changed it as won; "
        "imported_or_team: it came from an import, sales ops or a manager.",
    )
    owner = serializers.CharField(help_text="The deal's owner.")
    confirmed = serializers.BooleanField(
        allow_null=True,
        help_text="For a rep-entered deal: whether their manager or sales ops confirmed it.",
    )
    confirmed_at = serializers.DateTimeField(allow_null=True)


class StatementLineOutput(serializers.ModelSerializer[StatementLine]):
    entered_by = serializers.SerializerMethodField(
        help_text="Who entered the line's deal (null for lines without a deal)."
    )

    class Meta:
        model = StatementLine
        fields = [
            "id",
            "position",
            "kind",
            "deal",
            "ref",
            "description",
            "tier",
            "base",
            "rate",
            "formula",
            "slices",
            "amount",
            "component",
            "plan_component",
            "measure",
            "measure_period",
            "entered_by",
        ]
        extra_kwargs = {
            "component": {"help_text": "What the payout ledger records the line as paying."},
            "plan_component": {"help_text": "The plan component ('' = a format-1 plan's)."},
            "measure": {"help_text": "revenue, new_logos, meetings_held or mbo."},
            "measure_period": {
                "help_text": "The period whose computation owes the amount: the deal's credit "
                "month, or a period component's measurement period (its first day)."
            },
        }

    @extend_schema_field(EnteredByOutput(allow_null=True))
    def get_entered_by(self, obj: StatementLine) -> dict[str, Any] | None:
        deal = obj.deal
        if deal is None:
            return None
        rep = bool(deal.entered_by_owner)
        return {
            "entered_as": "rep_entered" if rep else "imported_or_team",
            "owner": deal.owner.name,
            "confirmed": (deal.confirmed_at is not None) if rep else None,
            "confirmed_at": deal.confirmed_at,
        }


class StatementOutput(serializers.ModelSerializer[Statement]):
    person_name = serializers.CharField(source="person.name")
    plan = serializers.SerializerMethodField()

    class Meta:
        model = Statement
        fields = [
            "id",
            "person",
            "person_name",
            "period_key",
            "period_start",
            "period_end",
            "plan",
            "status",
            "quota",
            "credited",
            "attainment",
            "reached_tier",
            "commission",
            "earned",
            "total",
            "payable",
            "carry_forward",
            "draw_balance",
            "generated_at",
            "approved_at",
            "paid_at",
            "error",
        ]

    def get_plan(self, obj: Statement) -> str | None:
        return str(obj.plan_version) if obj.plan_version else None


class StatementDetailOutput(StatementOutput):
    lines = StatementLineOutput(many=True, read_only=True)

    class Meta(StatementOutput.Meta):
        fields = [*StatementOutput.Meta.fields, "lines"]


class GenerateInput(serializers.Serializer[Any]):
    period = PeriodField(help_text="A fiscal month, e.g. FY2026-M03.")
    person = serializers.IntegerField(required=False)


class GenerateOutput(serializers.Serializer[Any]):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    locked = serializers.IntegerField()
    skipped = serializers.IntegerField()
    failed = serializers.IntegerField(help_text="People whose statement records an error.")


# --- disputes, adjustments, reversals ---------------------------------------------------------


class DisputeOutput(serializers.ModelSerializer[Dispute]):
    person_name = serializers.CharField(source="statement.person.name")
    period_key = serializers.CharField(source="statement.period_key")

    class Meta:
        model = Dispute
        fields = [
            "id",
            "statement",
            "person_name",
            "period_key",
            "line",
            "line_description",
            "line_amount",
            "comment",
            "status",
            "resolution",
            "resolved_at",
            "created_at",
        ]


class DisputeInput(serializers.Serializer[Any]):
    line = serializers.IntegerField()
    comment = serializers.CharField(max_length=4000)


class DisputeResolveInput(serializers.Serializer[Any]):
    accept = serializers.BooleanField()
    resolution = serializers.CharField(max_length=4000)
    adjustment = _pay_amount(
        required=False,
        allow_null=True,
        help_text="A correction (±); above COMP_MANAGER_CORRECTION_LIMIT only sales ops grant it.",
    )


class AdjustmentOutput(serializers.ModelSerializer[Adjustment]):
    class Meta:
        model = Adjustment
        fields = ["id", "person", "period_start", "amount", "reason", "created_at"]


class AdjustmentInput(serializers.Serializer[Any]):
    person = serializers.IntegerField()
    amount = _pay_amount()
    reason = serializers.CharField(max_length=255)
    on = serializers.DateField(required=False, help_text="Default: today.")


class ReversalInput(serializers.Serializer[Any]):
    deal = serializers.IntegerField(min_value=1)
    reversed_on = serializers.DateField()
    reason = serializers.ChoiceField(choices=ReversalReason.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="")

    def validate_deal(self, value: int) -> int:
        if not Deal.objects.filter(pk=value).exists():  # a 404 (salesops.api.exception_handler)
            raise serializers.ValidationError("No such deal.", code="not_found")
        return value

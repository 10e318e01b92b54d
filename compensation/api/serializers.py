"""Input and output serializers of the compensation API (separate, as the house style asks)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from compensation.engine import PLAN_JSON_SCHEMA
from compensation.models import (
    Adjustment,
    CommissionPlan,
    Dispute,
    Metric,
    PlanAssignment,
    PlanVersion,
    Quota,
    ReversalReason,
    Statement,
    StatementLine,
)
from salesops import calendar
from salesops.models import Deal
from salesops.money import MAX_AMOUNT, MAX_QUOTA, QUOTA_NEGATIVE, QUOTA_TOO_LARGE, TOO_LARGE


@extend_schema_field(PLAN_JSON_SCHEMA)
class PlanDefinitionField(serializers.JSONField):
    """A plan definition (see PLAN_JSON_SCHEMA); validated by compensation.engine.parse_plan."""


class PeriodField(serializers.CharField):
    """A fiscal period key: FY2026, FY2026-Q2 or FY2026-M03."""

    def to_internal_value(self, data: Any) -> calendar.FiscalPeriod:  # type: ignore[override]
        try:
            return calendar.parse(str(data))
        except ValueError as exc:
            raise serializers.ValidationError(str(exc)) from exc


def _pay_amount(**kwargs: Any) -> serializers.DecimalField:
    """An adjustment or correction (±), bounded to what pay holds (salesops.money)."""
    return serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        min_value=-MAX_AMOUNT,
        max_value=MAX_AMOUNT,
        error_messages={"max_value": TOO_LARGE, "min_value": TOO_LARGE},
        **kwargs,
    )


# --- quotas -----------------------------------------------------------------------------------


class QuotaOutput(serializers.ModelSerializer[Quota]):
    assignee = serializers.CharField(source="assignee_label")

    class Meta:
        model = Quota
        fields = [
            "id",
            "assignee",
            "person",
            "team",
            "territory",
            "metric",
            "fiscal_year",
            "period_start",
            "period_end",
            "amount",
            "basis",
        ]


def _quota_amount() -> serializers.DecimalField:
    """A quota amount, bounded by salesops.money to what the quota column holds, with one
    clear message whichever bound it passes."""
    too_large, negative = QUOTA_TOO_LARGE, QUOTA_NEGATIVE
    return serializers.DecimalField(
        max_digits=16,
        decimal_places=2,
        min_value=Decimal(0),
        max_value=MAX_QUOTA,
        error_messages={
            "max_value": too_large,
            "max_digits": too_large,
            "max_whole_digits": too_large,
            "min_value": negative,
        },
    )


class QuotaSetInput(serializers.Serializer[Any]):
    person = serializers.IntegerField(required=False)
    team = serializers.IntegerField(required=False)
    territory_id = serializers.IntegerField(required=False)
    metric = serializers.ChoiceField(choices=Metric.choices, default=Metric.REVENUE)
    period = PeriodField(help_text="FY2026 (spread over 12 months), FY2026-Q2 or FY2026-M03.")
    amount = _quota_amount()
    seasonality = serializers.ListField(
        child=serializers.DecimalField(max_digits=7, decimal_places=4),
        required=False,
        help_text="One % per month of the period, summing to 100 (default: even).",
    )
    apply_ramp = serializers.BooleanField(default=True)


class QuotaUpdateInput(serializers.Serializer[Any]):
    amount = _quota_amount()


# --- attainment -------------------------------------------------------------------------------


class AttainmentOutput(serializers.Serializer[Any]):
    person_id = serializers.IntegerField()
    name = serializers.CharField()
    team_id = serializers.IntegerField(allow_null=True)
    metric = serializers.CharField()
    quota = serializers.DecimalField(max_digits=20, decimal_places=2, allow_null=True)
    credited = serializers.DecimalField(max_digits=24, decimal_places=2)
    percent = serializers.DecimalField(max_digits=9, decimal_places=2, allow_null=True)
    expected_to_date = serializers.DecimalField(max_digits=20, decimal_places=2, allow_null=True)
    pace_percent = serializers.DecimalField(max_digits=9, decimal_places=2, allow_null=True)
    club_tier = serializers.CharField()


class TeamAttainmentOutput(serializers.Serializer[Any]):
    team_id = serializers.IntegerField()
    name = serializers.CharField()
    own_quota = serializers.DecimalField(max_digits=20, decimal_places=2, allow_null=True)
    members_quota = serializers.DecimalField(max_digits=20, decimal_places=2)
    assignment_gap = serializers.DecimalField(max_digits=20, decimal_places=2, allow_null=True)
    credited = serializers.DecimalField(max_digits=24, decimal_places=2)
    percent = serializers.DecimalField(max_digits=9, decimal_places=2, allow_null=True)


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
        if not Deal.objects.filter(pk=value).exists():
            raise serializers.ValidationError("No such deal.")
        return value


# --- simulator --------------------------------------------------------------------------------


class SimulatedDealInput(serializers.Serializer[Any]):
    # Up to 8 places: a credited share (close value × split %) is not always whole cents.
    amount = serializers.DecimalField(
        max_digits=24,
        decimal_places=8,
        min_value=0,
        max_value=MAX_AMOUNT,
        error_messages={"max_value": TOO_LARGE},
    )
    date = serializers.DateField()
    product = serializers.CharField(required=False, allow_blank=True, default="")
    split_percent = serializers.DecimalField(
        max_digits=5,
        decimal_places=2,
        min_value=0,
        max_value=100,
        required=False,
        default=Decimal(100),
    )
    ref = serializers.CharField(required=False, allow_blank=True, default="")
    credit_type = serializers.ChoiceField(
        choices=["split", "overlay"],
        required=False,
        default="split",
        help_text="split (the deal's 100 % split; counts as revenue) or overlay (extra credit "
        "for pay: counted only by components whose `credit` lists overlay). split_percent is "
        "then the overlay percent.",
    )


def _measure_figure() -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=16, decimal_places=2, min_value=0, max_value=MAX_AMOUNT
    )


class SimulateInput(serializers.Serializer[Any]):
    plan = PlanDefinitionField()
    quota = serializers.DecimalField(
        max_digits=16, decimal_places=2, required=False, allow_null=True, min_value=0
    )
    target_incentive = serializers.DecimalField(
        max_digits=14, decimal_places=2, required=False, allow_null=True, min_value=0
    )
    deals = SimulatedDealInput(many=True)
    carry_in = serializers.DecimalField(
        max_digits=14, decimal_places=2, required=False, default=Decimal(0), max_value=0
    )
    draw_balance = serializers.DecimalField(
        max_digits=14, decimal_places=2, required=False, default=Decimal(0), min_value=0
    )
    measures = serializers.DictField(
        child=_measure_figure(),
        required=False,
        default=dict,
        help_text="The simulated period's figures of non-revenue measures: new_logos, "
        "meetings_held, mbo (the score in %). Revenue comes from `deals`.",
    )
    measure_quotas = serializers.DictField(
        child=_measure_figure(),
        required=False,
        default=dict,
        help_text="The simulated period's quotas of non-revenue measures (an MBO's is 100). "
        "`quota` is the revenue quota of the period simulated (a month for the deal component; "
        "the quarter or year for a period component).",
    )

    def validate_measures(self, value: dict[str, Decimal]) -> dict[str, Decimal]:
        unknown = set(value) - {"new_logos", "meetings_held", "mbo"}
        if unknown:
            raise serializers.ValidationError(f"Unknown measures: {', '.join(sorted(unknown))}.")
        return value

    def validate_measure_quotas(self, value: dict[str, Decimal]) -> dict[str, Decimal]:
        unknown = set(value) - {"new_logos", "meetings_held"}
        if unknown:
            raise serializers.ValidationError(f"Unknown measures: {', '.join(sorted(unknown))}.")
        return value


class SimulatedLineOutput(serializers.Serializer[Any]):
    kind = serializers.CharField()
    ref = serializers.CharField()
    description = serializers.CharField()
    amount = serializers.CharField()
    formula = serializers.CharField()
    base = serializers.CharField(allow_null=True)
    rate = serializers.CharField(allow_null=True)
    tier = serializers.CharField(help_text="The tiers paid, with their method when mixed.")
    slices = serializers.ListField(child=serializers.DictField())
    deal_id = serializers.IntegerField(allow_null=True)
    plan_component = serializers.CharField(
        help_text="The plan component that owes the line ('' = a format-1 plan's only one)."
    )
    measure = serializers.CharField(help_text="revenue, new_logos, meetings_held or mbo.")
    measure_period = serializers.DateField(
        allow_null=True, help_text="A period component's measurement period (its first day)."
    )


class SimulateOutput(serializers.Serializer[Any]):
    lines = SimulatedLineOutput(many=True)
    quota = serializers.CharField(allow_null=True)
    credited = serializers.CharField()
    attainment = serializers.CharField(allow_null=True)
    reached_tier = serializers.CharField()
    commission = serializers.CharField()
    earned = serializers.CharField()
    total = serializers.CharField()
    payable = serializers.CharField()
    carry_forward = serializers.CharField()
    draw_balance = serializers.CharField()

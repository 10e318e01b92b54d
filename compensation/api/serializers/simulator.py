"""The plan simulator's input (a plan and deals as values) and its output."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from rest_framework import serializers

from compensation.api.serializers.fields import PlanDefinitionField
from salesops.money import MAX_AMOUNT, TOO_LARGE

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

"""Quotas and attainment: the set/update inputs and the attainment read-outs."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from rest_framework import serializers

from compensation.api.serializers.fields import PeriodField
from compensation.models import (
    Metric,
    Quota,
)
from salesops.money import MAX_QUOTA, QUOTA_NEGATIVE, QUOTA_TOO_LARGE

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

    def validate_territory_id(self, value: int) -> int:
        # Pay does not import territories (.importlinter): the quota FK's target model.
        territories = Quota._meta.get_field("territory").related_model._default_manager
        if not territories.filter(pk=value).exists():  # a 404 (salesops.api.exception_handler)
            raise serializers.ValidationError("No such territory.", code="not_found")
        return value


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

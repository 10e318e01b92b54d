"""Fields shared by the compensation API's serializers: plan definitions, fiscal periods,
bounded pay amounts."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from compensation.engine import PLAN_JSON_SCHEMA
from salesops import calendar
from salesops.money import MAX_AMOUNT, TOO_LARGE


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

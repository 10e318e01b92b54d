"""Serializer fields whose OpenAPI description matches what they send and accept (the API fuzz
checks every response against the schema)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from salesops import calendar
from salesops.edge import check_date, check_datetime

WALL_CLOCK = r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,6})?)?$"


@extend_schema_field({"type": "string", "pattern": WALL_CLOCK, "example": "09:00:00"})
class WallClockTimeField(serializers.TimeField):
    """A local time of day without an offset ("09:00:00"); OpenAPI's `time` format demands one."""


@extend_schema_field(
    {"anyOf": [{"type": "string", "format": "email"}, {"type": "string", "maxLength": 0}]}
)
class BlankableEmailField(serializers.EmailField):
    """An e-mail address, or "" where none is known."""


class BoundedDateTimeField(serializers.DateTimeField):
    """A date and time within salesops.edge's range and a real UTC offset (else a 400)."""

    def to_internal_value(self, value: Any) -> datetime:
        parsed = super().to_internal_value(value)
        try:
            return check_datetime(parsed)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from exc


class BoundedDateField(serializers.DateField):
    """A date within salesops.edge's range (else a 400)."""

    def to_internal_value(self, value: Any) -> date:
        parsed = super().to_internal_value(value)
        try:
            return check_date(parsed)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from exc


PERIOD_PARAM = OpenApiParameter(
    "period", OpenApiTypes.STR, description="FY2026, FY2026-Q2 or FY2026-M03 (default: this month)"
)


def period_or_400(raw: str | None, default: calendar.FiscalPeriod) -> calendar.FiscalPeriod:
    """A fiscal period named in a query string (FY2026, FY2026-Q2, FY2026-M03), or a 400."""
    if not raw:
        return default
    try:
        return calendar.parse(raw)
    except ValueError as exc:
        raise ValidationError({"period": str(exc)}) from exc

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.conf import settings

from salesops.formulas import format_ratio

register = template.Library()


@register.filter
def money(value: Decimal | int | None) -> str:
    """Whole units of the base currency with thousands separators; '—' for none."""
    if value is None:
        return "—"
    amount = Decimal(value).quantize(Decimal(1), ROUND_HALF_UP)
    return f"{settings.BASE_CURRENCY} {amount:,}"


@register.filter
def ratio(value: Decimal | None) -> str:
    return format_ratio(value)


@register.filter
def percent(value: Decimal | None) -> str:
    if value is None:
        return "—"
    return f"{Decimal(value).quantize(Decimal('0.1'), ROUND_HALF_UP)} %"

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.conf import settings
from django.utils.html import format_html

register = template.Library()

CLUB_LABELS = {"chairmans": "Chairman's Club", "presidents": "President's Club"}


@register.filter
def cents(value: Decimal | int | None) -> str:
    """An amount to the cent, as on a statement: 'USD 1,234.56'; '—' for none."""
    if value is None:
        return "—"
    amount = Decimal(value).quantize(Decimal("0.01"), ROUND_HALF_UP)
    return f"{settings.BASE_CURRENCY} {amount:,}"


@register.filter
def club_badge(tier: str | None) -> str:
    if not tier:
        return ""
    css = "good" if tier == "chairmans" else ""
    return format_html('<span class="badge {}">{}</span>', css, CLUB_LABELS.get(tier, tier))


@register.filter
def gauge_value(value: Decimal | None) -> str:
    """A percentage for the gauge's data attribute: plain digits, capped at 200."""
    if value is None:
        return "0"
    return str(min(Decimal(value), Decimal(200)).quantize(Decimal("0.1")))

"""Settings of the territories app (TERRITORY_QUOTA_POTENTIAL_K is declared in settings.py)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings

POTENTIAL_FIELDS = ("annual_revenue", "employees")


def quota_potential_k() -> Decimal:
    """A quota above k × potential cannot be carried (settings.TERRITORY_QUOTA_POTENTIAL_K)."""
    return Decimal(str(settings.TERRITORY_QUOTA_POTENTIAL_K))


def potential_field() -> str:
    """The account column summed as a territory's potential (TERRITORY_POTENTIAL_FIELD)."""
    name = getattr(settings, "TERRITORY_POTENTIAL_FIELD", "annual_revenue")
    return name if name in POTENTIAL_FIELDS else "annual_revenue"


def rebalance_max_moves() -> int:
    """Default cap on the number of moves one rebalancing proposal makes."""
    return int(getattr(settings, "TERRITORY_REBALANCE_MAX_MOVES", 50))

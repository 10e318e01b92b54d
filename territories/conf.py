"""Settings of the territories app (TERRITORY_QUOTA_POTENTIAL_K is declared in settings.py)."""

from __future__ import annotations

import zoneinfo
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.utils import timezone

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


def company_today() -> date:
    """Today in the company time zone: assignment history and coverage are dated by it."""
    return timezone.localdate(timezone=zoneinfo.ZoneInfo(settings.COMPANY_TIME_ZONE))


def fiscal_year_start(day: date) -> date:
    """First day of the fiscal year containing `day` (FISCAL_YEAR_START_MONTH)."""
    month = int(settings.FISCAL_YEAR_START_MONTH)
    year = day.year if day.month >= month else day.year - 1
    return date(year, month, 1)

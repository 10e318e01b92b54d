"""Settings of the compensation app, with their defaults (override in the environment/settings)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings


def club_thresholds() -> tuple[Decimal, Decimal]:
    """(President's Club %, Chairman's Club %) of the annual revenue plan."""
    return (
        Decimal(getattr(settings, "CLUB_PRESIDENTS_PCT", 100)),
        Decimal(getattr(settings, "CLUB_CHAIRMANS_PCT", 125)),
    )


def ramp_percents() -> tuple[Decimal, ...]:
    """A new hire's share of full quota in their 1st, 2nd, … month (COMP_RAMP_PERCENTS)."""
    raw = getattr(settings, "COMP_RAMP_PERCENTS", (25, 50, 75, 100))
    return tuple(Decimal(str(p)) for p in raw)


def manager_correction_limit() -> Decimal:
    """The largest dispute correction (either sign) a manager grants without sales ops
    (COMP_MANAGER_CORRECTION_LIMIT, base currency)."""
    return Decimal(str(getattr(settings, "COMP_MANAGER_CORRECTION_LIMIT", 1000)))

"""Reads of the compensation app, scoped by user. Other apps read pay data only through here."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class ClubMember:
    person_id: int
    name: str
    attainment_percent: Decimal
    tier: str  # "presidents" (>= CLUB_PRESIDENTS_PCT) or "chairmans" (>= CLUB_CHAIRMANS_PCT)


def club_members(*, fiscal_year: int) -> list[ClubMember]:
    """Reps at or above the club thresholds of their annual revenue plan in `fiscal_year`.

    Contract for the meetings app's kickoff agenda. Until quotas exist there is nobody to recognise.
    """
    return []


def quota_totals_for_territories(
    *, territory_ids: list[int], fiscal_year: int
) -> dict[int, Decimal]:
    """Σ revenue quota per territory for the fiscal year (territories app's balance view)."""
    return {}

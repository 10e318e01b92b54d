"""Contracts other apps read: club members (the meetings kickoff) and territory quota totals."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from compensation.selectors.attainment import club_tier, percent, quota_sums
from salesops import calendar
from salesops.models import REP_ROLES, Person
from salesops.selectors.credit import credit_by_person


@dataclass(frozen=True)
class ClubMember:
    person_id: int
    name: str
    attainment_percent: Decimal
    tier: str  # "presidents" (>= CLUB_PRESIDENTS_PCT) or "chairmans" (>= CLUB_CHAIRMANS_PCT)


def club_members(*, year: calendar.FiscalYear) -> list[ClubMember]:
    """Reps at or above the club thresholds of their annual revenue plan in `year`
    (Σ credited revenue over the fiscal year / Σ its monthly revenue quotas), best first.

    Not scoped by user: the kickoff recognises them in front of everyone. Three queries."""
    quotas = quota_sums(
        by="person_id",
        person__role__in=sorted(REP_ROLES),
        period_start__gte=year.start,
        period_start__lte=year.end,
    )
    credit = credit_by_person(start=year.start, end=year.end, person_ids=list(quotas))
    names = dict(Person.objects.filter(pk__in=list(quotas)).values_list("pk", "name"))
    members = []
    for pid, quota in quotas.items():
        achieved = credit.get(pid, Decimal(0))
        pct = percent(achieved, quota)
        tier = club_tier(achieved, quota)
        if tier and pct is not None:
            members.append(ClubMember(pid, names[pid], pct, tier))
    members.sort(key=lambda m: (-m.attainment_percent, m.name))
    return members


def quota_totals_for_territories(
    *, territory_ids: list[int], year: calendar.FiscalYear
) -> dict[int, Decimal]:
    """Σ revenue quota per territory for the fiscal `year` (territories app's balance view):
    the monthly quotas of the months it holds. Territories without a quota are absent."""
    return quota_sums(
        by="territory_id",
        territory_id__in=list(territory_ids),
        period_start__gte=year.start,
        period_start__lte=year.end,
    )

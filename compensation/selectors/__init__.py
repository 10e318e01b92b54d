"""Reads of the compensation app, scoped by user. Other apps read pay data only through here."""

from compensation.selectors.attainment import (
    AttainmentRow,
    TeamRow,
    TerritoryRow,
    achieved_by_person,
    attainment_for_people,
    quota_by_person,
    register_metric_provider,
    register_territory_credit_provider,
    team_rollup,
    territory_attainment,
)
from compensation.selectors.clubs import ClubMember, club_members, quota_totals_for_territories

__all__ = [
    "AttainmentRow",
    "ClubMember",
    "TeamRow",
    "TerritoryRow",
    "achieved_by_person",
    "attainment_for_people",
    "club_members",
    "quota_by_person",
    "quota_totals_for_territories",
    "register_metric_provider",
    "register_territory_credit_provider",
    "team_rollup",
    "territory_attainment",
]

"""Reads of the compensation app, scoped by user. Other apps read pay data only through here."""

from compensation.selectors.attainment import (
    AttainmentRow,
    TeamRow,
    achieved_by_person,
    attainment_for_people,
    percent,
    quota_by_person,
    quota_sums,
    register_metric_provider,
    team_rollup,
)
from compensation.selectors.clubs import ClubMember, club_members, quota_totals_for_territories

__all__ = [
    "AttainmentRow",
    "ClubMember",
    "TeamRow",
    "achieved_by_person",
    "attainment_for_people",
    "club_members",
    "percent",
    "quota_by_person",
    "quota_sums",
    "quota_totals_for_territories",
    "register_metric_provider",
    "team_rollup",
]

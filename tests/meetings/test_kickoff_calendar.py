"""The kickoff recognises the clubs of the fiscal year that has just ended (issue 17)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from compensation.services.quotas import Assignee, quota_set
from meetings.selectors.kickoff import kickoff_agenda_proposal
from salesops import calendar
from salesops.models import Role
from tests.compensation.factories import won_deal
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def test_a_july_start_kickoff_in_august_names_the_clubs_of_the_year_just_ended(settings):
    settings.FISCAL_CALENDAR = "months"
    settings.FISCAL_YEAR_START_MONTH = 7
    settings.COMPANY_TIME_ZONE = "America/Los_Angeles"
    last_year = calendar.year(2025)  # July 2024 – June 2025, named by the year it ends in
    assert (last_year.start, last_year.end) == (dt.date(2024, 7, 1), dt.date(2025, 6, 30))
    ada = PersonFactory(name="Ada Closer", role=Role.ACCOUNT_EXECUTIVE)
    bob = PersonFactory(name="Bob Before", role=Role.ACCOUNT_EXECUTIVE)
    for rep in (ada, bob):
        for year in (calendar.year(2024), last_year):
            quota_set(
                user=None,
                assignee=Assignee(person=rep),
                metric="revenue",
                period=year,
                amount=Decimal(1000),
            )
    won_deal(ada, "1300", dt.date(2025, 3, 1))  # FY2025: 130 % → Chairman's Club
    won_deal(bob, "1300", dt.date(2024, 3, 1))  # FY2024, two years back: not recognised now

    # 1 August 2025, 09:00 in Los Angeles (16:00 UTC).
    start = dt.datetime(2025, 8, 1, 16, 0, tzinfo=dt.UTC)
    chairmans, presidents, *_ = kickoff_agenda_proposal(start=start, minutes=60)

    assert chairmans.notes == "Ada Closer"
    assert presidents.notes == "Nobody recorded for FY2025 (Jul 1, 2024 – Jun 30, 2025)."
    assert "FY2025" in chairmans.title

"""Issue 17 (d): with a July fiscal year in Los Angeles (tests/calendars.py `jul-la`), the pages
name the fiscal year they show. Found by running the demo pages under jul-la on 3 Aug 2026: the
kickoff's recognition items said only "Chairman's Club" (which year's? FY2026, Jul 2025 – Jun
2026, not the calendar year 2025 or 2026) and the territory balance said "this fiscal year"
without naming FY2027 while the dashboard panel and pay pages said FY2027."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import override_settings
from django.urls import reverse

from meetings.selectors.kickoff import kickoff_agenda_proposal
from tests.calendars import CALENDARS
from tests.territories.factories import make_model, make_territory

LA = ZoneInfo("America/Los_Angeles")
# Monday 3 August 2026, 09:30 in Los Angeles: FY2027 (July 2026 – June 2027) has begun.
NOW = dt.datetime(2026, 8, 3, 16, 30, tzinfo=dt.UTC)
JUL_LA = CALENDARS["jul-la"]


@pytest.fixture
def jul_la(db):
    with override_settings(**JUL_LA), time_machine.travel(NOW, tick=False):
        yield


def test_kickoff_recognition_names_the_fiscal_year_of_its_clubs(jul_la):
    agenda = kickoff_agenda_proposal(start=dt.datetime(2026, 8, 18, 9, 0, tzinfo=LA), minutes=240)
    assert agenda[0].title.startswith("Recognition: Chairman's Club FY2026")
    assert agenda[1].title.startswith("Recognition: President's Club FY2026")
    assert agenda[0].notes == "Nobody recorded for FY2026 (Jul 1, 2025 – Jun 30, 2026)."


def test_kickoff_just_after_the_year_turns_in_company_time(jul_la):
    # 1 July 2026 00:30 in Los Angeles is already FY2027 (07:30 UTC): last year is FY2026.
    start = dt.datetime(2026, 7, 1, 0, 30, tzinfo=LA)
    assert "FY2026" in kickoff_agenda_proposal(start=start, minutes=120)[0].title
    # 30 June 23:30 in Los Angeles (1 July in UTC) is still FY2026: last year is FY2025.
    start = dt.datetime(2026, 6, 30, 23, 30, tzinfo=LA)
    assert "FY2025" in kickoff_agenda_proposal(start=start, minutes=120)[0].title


def test_balance_page_names_the_fiscal_year_it_shows(jul_la, personas, client_for):
    model = make_model("Live", state="active")
    make_territory(model, "Americas")
    page = (
        client_for(personas.sales_ops)
        .get(reverse("territories:balance", args=[model.pk]))
        .content.decode()
    )
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))
    assert "Fiscal year FY2027 (Jul 1, 2026 – Jun 30, 2027)" in text

"""Issue 23 flows in a real browser: book a meeting with three people found by typing (among
5,000), open a deal from a statement, sort team attainment by ratio."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest

from compensation.models import Statement
from compensation.services import statements as svc
from meetings.models import Meeting
from salesops import calendar
from salesops.models import Person, Role
from tests.browser.choosers import choose
from tests.compensation.factories import (
    MARGINAL_ATTAINMENT,
    approved_plan,
    assign,
    month_quota,
    won_deal,
)
from tests.factories import SalesCostFactory, WonDealFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
MAR = calendar.month_containing(dt.date(2026, 3, 15))
CROWD = 5000  # the large demo's head count


def _crowd(team: Any) -> None:
    Person.objects.bulk_create(
        [
            Person(
                name=f"Crowd Member {i:04d}", role=Role.SDR, team=team, time_zone="Europe/Berlin"
            )
            for i in range(CROWD)
        ],
        batch_size=1000,
    )


def test_book_a_meeting_with_three_people_found_by_typing(personas: Any, login: Any) -> None:
    _crowd(personas.team_c)
    page = login("manager_a")
    page.goto("/meetings/new/")
    # The picker lists nobody until asked: no 5,000-option list in the page.
    assert page.locator("#id_attendees option").count() == 0
    page.get_by_label("Title").fill("Three by typing")
    page.get_by_label("Time zone").fill("Europe/Berlin")
    day = calendar.company_today() + dt.timedelta(days=7)
    page.locator("#id_start").fill(f"{day.isoformat()}T10:00")
    page.locator("#id_end").fill(f"{day.isoformat()}T10:30")
    choose(page, "id_attendees", "anna")
    choose(page, "id_attendees", "bert", pick="Bert Rep")
    choose(page, "id_attendees", "member 4711", pick="Crowd Member 4711")
    page.get_by_role("button", name="Schedule", exact=True).click()
    page.wait_for_url(re.compile(r"/meetings/\d+/$"))
    meeting = Meeting.objects.get(title="Three by typing")
    invited = set(meeting.attendees.values_list("person__name", flat=True))
    assert {"Anna Rep", "Bert Rep", "Crowd Member 4711"} <= invited


def test_open_a_deal_from_a_statement(personas: Any, login: Any) -> None:
    version = approved_plan("Accelerated", MARGINAL_ATTAINMENT, dt.date(2026, 1, 1))
    anna = personas.person("rep_a1")
    assign(anna, version, dt.date(2026, 1, 1))
    month_quota(anna, MAR, "100000")
    deal = won_deal(anna, "150000", dt.date(2026, 3, 10))
    svc.statements_generate(period=MAR)
    statement = Statement.objects.get(person=anna)
    page = login("rep_a1")
    page.goto(f"/compensation/statements/{statement.pk}/")
    page.get_by_test_id("line-deal").first.click()
    page.wait_for_url(f"**/deals/{deal.pk}/")
    assert deal.external_id in page.get_by_test_id("deal-title").inner_text()
    assert page.get_by_test_id("deal-owner").inner_text() == "Anna Rep"
    assert page.get_by_test_id("deal-stage").inner_text().startswith("Won")
    assert statement.period_key in page.get_by_test_id("deal-lines").inner_text()
    # Another rep opening the same address gets nothing.
    page = login("rep_b1")
    response = page.goto(f"/deals/{deal.pk}/")
    assert response.status == 404


def test_sort_team_attainment_by_ratio(personas: Any, login: Any) -> None:
    for rep, value, cost in (("rep_a1", "10000", "1000"), ("rep_a2", "6000", "3000")):
        person = personas.person(rep)
        WonDealFactory(owner=person, close_value=Decimal(value), close_date=dt.date(2026, 3, 10))
        SalesCostFactory(person=person, team=None, amount=Decimal(cost), date=dt.date(2026, 3, 5))
    page = login("manager_a")
    page.goto(f"/compensation/team/?period={MAR.name}")
    header = page.locator('th a[data-sort="ratio"]')
    header.click()  # ascending
    page.wait_for_url(re.compile(r"sort=ratio"))
    rows = page.get_by_test_id("team-row")
    assert rows.nth(0).inner_text().startswith("Arno Rep")
    page.locator('th a[data-sort="ratio"]').click()  # descending
    page.wait_for_url(re.compile(r"sort=-ratio"))
    first = page.get_by_test_id("team-row").nth(0)
    assert first.inner_text().startswith("Anna Rep")
    assert first.get_by_test_id("team-ratio").inner_text() == "1,000.0"
    assert page.locator('th[aria-sort="descending"]').inner_text().startswith("Efficiency ratio")

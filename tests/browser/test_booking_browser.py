"""A prospect books through a team booking link in a real browser (issue 24, item 4): the page
shows times in the browser's own zone, and the meeting lands on the rep the documented rule
picks: the owner of the territory of the account the prospect's e-mail domain names, although
a teammate has a lower meeting load."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from meetings.models import AccountDomain, Booking
from meetings.services import booking
from territories.models import AccountTerritory, TerritoryAssignment
from tests.factories import AccountFactory
from tests.meetings.factories import AttendeeFactory, MeetingFactory
from tests.territories.factories import make_model, make_territory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_YORK = ZoneInfo("America/New_York")


def test_prospect_books_through_a_team_link_and_lands_on_the_territory_owner(
    browser: Any, live_server: Any, personas: Any, login: Any
) -> None:
    anna, arno, maria = (
        personas.rep_a1.person,
        personas.rep_a2.person,
        personas.manager_a.person,
    )
    for p in (anna, arno, maria):
        p.time_zone = "Europe/Berlin"
        p.save()
    # Arno carries more meeting load than Anna this week, so load alone would pick Anna.
    monday = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=dt.datetime.now(dt.UTC).weekday())
    start = dt.datetime.combine(monday, dt.time(0, 30), tzinfo=dt.UTC)
    heavy = MeetingFactory(organizer=arno, start=start, end=start + dt.timedelta(hours=4))
    AttendeeFactory(meeting=heavy, person=arno)
    live = make_model("Live", state="active")
    germany = make_territory(live, "Germany")
    globex = AccountFactory(name="Globex")
    AccountDomain.objects.create(domain="globex.com", account=globex)
    AccountTerritory.objects.create(
        model=live, account=globex, territory=germany, source="rule", valid_from=dt.date(2026, 1, 1)
    )
    TerritoryAssignment.objects.create(
        territory=germany, person=arno, effective_from=dt.date(2026, 1, 1)
    )
    link = booking.booking_link_create(
        created_by=personas.sales_ops,
        title="Talk to sales",
        team=personas.team_a,
        min_notice_minutes=60,
        horizon_days=7,
        questions=["What do you want to discuss?"],
    )

    context = browser.new_context(base_url=live_server.url, timezone_id="America/New_York")
    context.set_default_timeout(15_000)
    errors: list[str] = []
    page = context.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"/meetings/book/{link.slug}/")
    # The page's script reloads once with the browser's zone.
    page.wait_for_url(re.compile(r"tz=America%2FNew_York"))
    assert "Times (America/New_York)" in page.locator("fieldset.bk-slots legend").inner_text()
    first = page.locator("input[name=start]").first
    instant = dt.datetime.fromisoformat(first.get_attribute("value"))
    label = page.locator("label.bk-slot").first.inner_text().strip()
    local = instant.astimezone(NEW_YORK)
    assert label.startswith(f"{local:%H:%M}")  # shown in the prospect's zone
    first.check()
    page.get_by_label("Your name").fill("Pat Prospect")
    page.get_by_label("Your work e-mail").fill("pat@globex.com")
    page.get_by_label("What do you want to discuss?").fill("Pricing for 200 seats")
    page.get_by_role("button", name="Book").click()
    page.locator("#bk-done").wait_for()
    assert f"{local:%H:%M}" in page.content()
    context.close()
    assert not errors, errors

    made = Booking.objects.select_related("meeting").get(link=link)
    assert made.routed_to == arno  # the territory owner, not Anna with the lower load
    assert made.meeting.start == instant and made.meeting.organizer == arno
    assert made.answers == {"What do you want to discuss?": "Pricing for 200 seats"}

    # Sales ops sees the rule that picked him, and the booking with its reason.
    ops = login("sales_ops")
    ops.goto(f"/meetings/booking-links/{link.slug}/")
    assert "territory" in ops.locator("#bk-rule").inner_text()
    assert "territory owner" in ops.content()

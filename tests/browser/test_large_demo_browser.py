"""Issue 23's four Playwright flows against an already seeded demo (the large one: 5,000 people,
1M deals), served by a running web server and Celery worker — not the test database.

Skipped unless BROWSER_BASE_URL names that server, so `make test` is unchanged. `make
browser-large` seeds nothing: it starts web + worker on LARGE_DATABASE_URL (default
postgres://postgres@127.0.0.1:5432/salesops_large, seeded with `seed_demo --scale large`) and
runs this module. The flows log in with the demo logins (password BROWSER_PASSWORD, default
demo12345), read the page as a user would (no ORM), and change only what they create: a meeting,
and an assignment run on a planning copy of the active territory model that they roll back.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.choosers import choose

BASE_URL = os.environ.get("BROWSER_BASE_URL", "")
PASSWORD = os.environ.get("BROWSER_PASSWORD", "demo12345")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not BASE_URL, reason="BROWSER_BASE_URL names no seeded demo server"),
]


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A page on the running demo server (pytest-django's live_server is not started); the
    conftest's `login` fixture logs in on it."""
    context = browser.new_context(base_url=BASE_URL, viewport={"width": 1360, "height": 900})
    context.set_default_timeout(180_000)  # the large demo on a shared, loaded machine
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    yield opened
    context.close()
    assert not errors, f"JavaScript errors: {errors}"


@pytest.fixture
def demo_login(login: Any) -> Callable[[str], Any]:
    return lambda username: login(username, PASSWORD)


def _ratio(text: str) -> float | None:
    cleaned = text.strip().replace(",", "")
    return float(cleaned) if re.fullmatch(r"-?\d+(\.\d+)?", cleaned) else None


def _names(page: Any, url: str) -> list[str]:
    names: list[str] = []
    for row in page.request.get(url).json()["results"]:
        name = row["text"].split(" (")[0]
        if name not in names:
            names.append(name)
    return names


def _book(page: Any, title: str, names: list[str], day: dt.date) -> str:
    """Book `names` by typing them; "" when scheduled, else the form's errors."""
    page.goto("/meetings/new/")
    assert page.locator("#id_attendees option").count() == 0  # nobody listed until asked
    page.get_by_label("Title").fill(title)
    page.get_by_label("Time zone").fill("Europe/Berlin")
    page.locator("#id_start").fill(f"{day.isoformat()}T10:00")
    page.locator("#id_end").fill(f"{day.isoformat()}T10:30")
    for name in names:
        choose(page, "id_attendees", name)
    page.get_by_role("button", name="Schedule", exact=True).click()
    page.wait_for_load_state()
    conflicts = page.locator("input[name=allow_conflicts]")
    if not re.search(r"/meetings/\d+/$", page.url) and conflicts.count():
        # Busy demo calendars: the form lists the conflicts; schedule anyway, as a person would.
        conflicts.check()
        page.get_by_role("button", name="Schedule", exact=True).click()
        page.wait_for_load_state()
    if re.search(r"/meetings/\d+/$", page.url):
        return ""
    return " | ".join(page.locator(".errorlist").all_inner_texts()) or "not scheduled"


def test_book_a_meeting_with_three_people_found_by_typing(demo_login: Any) -> None:
    page = demo_login("manager")
    # People of the manager's teams first (their working hours match a Berlin morning), then
    # anyone: the demo spreads the org over time zones.
    candidates = _names(page, "/choose/people/?q=")
    candidates += [n for n in _names(page, "/choose/colleagues/?q=an") if n not in candidates]
    title = f"Large demo booking {int(time.time())}"
    day = dt.date.today() + dt.timedelta(days=9)
    while day.weekday() >= 5:  # a working day
        day += dt.timedelta(days=1)
    errors = "no three candidates"
    for _ in range(5):
        assert len(candidates) >= 3, errors
        picked = candidates[:3]
        errors = _book(page, title, picked, day)
        if not errors:
            break
        away = [n for n in picked if n in errors]  # outside their working hours: others
        assert away, errors
        candidates = [n for n in candidates if n not in away]
    assert not errors, errors
    body = page.locator("main").inner_text()
    assert title in body and all(name in body for name in picked)


def test_open_a_deal_from_a_statement(demo_login: Any) -> None:
    page = demo_login("ops")
    # Last month's statements (the current month's drafts may have no deal yet).
    last_month = (dt.date.today().replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    page.goto(f"/compensation/statements/?period_start={last_month.isoformat()}&sort=-payable")
    links = page.locator("table a[href^='/compensation/statements/']:not([href$='/print/'])")
    hrefs = [links.nth(i).get_attribute("href") for i in range(min(links.count(), 30))]
    for href in hrefs:
        page.goto(href)
        deal_links = page.get_by_test_id("line-deal")
        if deal_links.count():
            break
    else:
        pytest.fail(f"none of the first statements {hrefs} has a line for a deal")
    label = deal_links.first.inner_text().removeprefix("Open deal ").strip()
    deal_links.first.click()
    page.wait_for_url(re.compile(r"/deals/\d+/$"))
    assert label in page.get_by_test_id("deal-title").inner_text()
    assert page.get_by_test_id("deal-owner").inner_text().strip()


def test_sort_team_attainment_by_ratio(demo_login: Any) -> None:
    page = demo_login("manager")
    page.goto("/compensation/team/")
    page.locator('th a[data-sort="ratio"]').click()
    page.wait_for_url(re.compile(r"sort=ratio"))
    page.locator('th a[data-sort="ratio"]').click()
    page.wait_for_url(re.compile(r"sort=-ratio"))
    cells = page.get_by_test_id("team-ratio")
    values = [_ratio(cells.nth(i).inner_text()) for i in range(cells.count())]
    known = [v for v in values if v is not None]
    assert known, "no ratio on the first page of team attainment"
    assert known == sorted(known, reverse=True)
    assert values[: len(known)] == known  # rows without a ratio come last


def test_sales_ops_runs_and_rolls_back_a_rule_change_on_a_planning_copy(demo_login: Any) -> None:
    page = demo_login("ops")
    page.goto("/territories/")
    page.locator("a[href^='/territories/models/']").first.click()
    page.wait_for_url(re.compile(r"/territories/models/\d+/$"))
    page.locator("#clone-name").fill(f"Browser plan {int(time.time())}")
    page.get_by_role("button", name="Copy into a plan").click()
    page.wait_for_url(re.compile(r"/territories/models/\d+/$"))
    copy_url = page.url
    # Change the first rule of the copy: no criteria at all (every account matches it).
    page.goto(copy_url + "rules/")
    page.locator("a[href*='?edit=']").first.click()
    for name in ("countries", "regions", "sectors", "postal_prefix", "name_pattern"):
        page.locator(f"input[name={name}]").fill("")
    page.locator("input[name=priority]").fill("1")
    preview = page.get_by_test_id("rule-preview")
    expect(preview.get_by_test_id("run-moves")).to_contain_text("would move")
    page.get_by_role("button", name="Save rule").click()
    expect(page.locator(".messages")).to_contain_text("Rule saved")
    page.goto(copy_url)
    page.get_by_test_id("run-assignment").click()
    expect(page.get_by_test_id("run-moves")).to_be_visible()
    page.get_by_role("button", name="Approve and run").click()
    expect(page.get_by_test_id("batch-result")).to_contain_text(
        "changed territory", timeout=600_000
    )
    page.get_by_role("button", name="Roll back this run").click()
    expect(page.get_by_test_id("batch-status")).to_contain_text("Rolled back")

"""The dashboard pages in a real Chromium: each persona logs in through the form and sees their own
figures and nobody else's; the period picker, sorting, CSV export and the ops re-run button work."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from salesops.models import JobRun, JobStatus
from tests.browser.choosers import choose
from tests.browser.conftest import screenshot
from tests.dashboard.conftest import make_book

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The hand-checked book of tests/dashboard/conftest.py lies in Q1 2026: look at it via a custom range.
BOOK_RANGE = ("2026-01-01", "2026-03-20")


def pick_range(page: Any, start: str, end: str) -> None:
    page.get_by_label("Period", exact=True).select_option("custom")
    page.get_by_label("From", exact=True).fill(start)
    page.get_by_label("To", exact=True).fill(end)
    page.get_by_role("button", name="Apply").click()
    page.wait_for_load_state()


def tile(page: Any, name: str) -> str:
    return page.get_by_test_id(f"tile-{name}").inner_text().strip()


def test_manager_sees_their_team_tiles_and_nobody_elses_data(personas: Any, login: Any) -> None:
    make_book(personas, now=timezone.now())
    page = login("manager_a")
    page.goto("/dashboard/")
    assert page.get_by_test_id("scope-label").inner_text() == "All my teams"
    pick_range(page, *BOOK_RANGE)
    assert tile(page, "revenue") == "22,000"
    assert tile(page, "cost") == "3,000"
    assert tile(page, "ratio") == "733.3"
    assert tile(page, "winrate") == "66.7 %"
    table = page.get_by_test_id("people-table")
    for name in ("Anna Rep", "Arno Rep", "Ava East"):
        assert table.get_by_text(name).count() == 1
    body = page.locator("main").inner_text()
    for other in ("Bert Rep", "Otto Outsider", "99,999", "55,555"):
        assert other not in body
    # The scope picker (a team chooser) offers only manager_a's teams as they type.
    scope = page.locator("#id_team + .ts-wrapper")
    scope.locator(".ts-control").click()
    scope.locator(".ts-control input").press_sequentially("Team", delay=30)
    expect(scope.locator(".ts-dropdown .option", has_text="Team A East")).to_be_visible()
    offered = set(scope.locator(".ts-dropdown .option").all_inner_texts()) - {"All my teams"}
    assert offered == {"Team A", "Team A East · Team A"}
    scope.locator(".ts-control input").press("Escape")
    assert (
        page.locator("#funnel-chart").count() == 1 and page.locator("#monthly-chart").count() == 1
    )
    screenshot(page, "dashboard-manager")


def test_changing_the_period_changes_the_figures(personas: Any, login: Any) -> None:
    make_book(personas, now=timezone.now())
    page = login("manager_a")
    page.goto("/dashboard/")
    pick_range(page, "2025-11-01", "2025-11-30")
    assert tile(page, "revenue") == "5,000"
    assert tile(page, "ratio") == "100.0"
    assert "Nov 1, 2025 – Nov 30, 2025" in page.get_by_test_id("period-line").inner_text()
    pick_range(page, *BOOK_RANGE)
    assert tile(page, "revenue") == "22,000"
    page.get_by_label("Period", exact=True).select_option("mtd")
    # The custom dates hide and are not submitted for a non-custom period.
    assert page.get_by_label("From", exact=True).is_hidden()
    page.get_by_role("button", name="Apply").click()
    page.wait_for_load_state()
    assert "period=mtd" in page.url and "start=" not in page.url
    assert page.get_by_label("Period", exact=True).input_value() == "mtd"


def test_people_table_sorts_by_keyboard_and_exports_csv(personas: Any, login: Any) -> None:
    make_book(personas, now=timezone.now())
    page = login("manager_a")
    page.goto(f"/dashboard/?period=custom&start={BOOK_RANGE[0]}&end={BOOK_RANGE[1]}")
    first = page.get_by_test_id("people-table").locator("tbody tr").first
    assert "Anna Rep" in first.inner_text()  # highest revenue first
    cost = page.get_by_role("button", name="Cost")
    cost.focus()
    page.keyboard.press("Enter")  # most cost first
    header = page.locator("th", has=cost)
    assert header.get_attribute("aria-sort") == "descending"
    page.keyboard.press("Enter")
    assert header.get_attribute("aria-sort") == "ascending"
    names = page.get_by_test_id("people-table").locator("tbody tr th").all_inner_texts()
    assert "Anna Rep" in names[-1]  # the only one with cost, last when ascending

    with page.expect_download() as info:
        page.get_by_test_id("csv-export").click()
    download = info.value
    assert download.suggested_filename.endswith(".csv")
    with open(download.path(), encoding="utf-8") as handle:
        rows = list(csv.DictReader(io.StringIO(handle.read())))
    assert {row["person"] for row in rows} == {"Maria Manager", "Anna Rep", "Arno Rep", "Ava East"}
    assert next(r for r in rows if r["person"] == "Anna Rep")["revenue"] == "12000.00"


def test_rep_lands_in_their_workspace_with_their_own_deals(personas: Any, login: Any) -> None:
    book = make_book(personas, now=timezone.now())
    page = login("rep_a2")
    page.goto("/dashboard/")
    page.wait_for_url("**/me/")
    assert page.get_by_test_id("me-name").inner_text() == "Arno Rep"
    pick_range(page, *BOOK_RANGE)
    assert tile(page, "revenue") == "5,000"
    deals = page.get_by_test_id("my-deals").inner_text()
    assert book.fresh_deal.external_id in deals
    assert book.stuck_deal.external_id not in deals
    body = page.locator("main").inner_text()
    for other in ("Anna Rep", "Bert Rep", "Ava East"):
        assert other not in body
    assert page.get_by_role("link", name="Dashboard").count() == 0
    screenshot(page, "me")


def test_sales_ops_sees_the_company_and_reruns_a_job(personas: Any, login: Any) -> None:
    make_book(personas, now=timezone.now())
    now = timezone.now()
    run = JobRun.objects.create(
        job="efficiency_snapshots",
        business_date=dt.date(2026, 3, 19),
        status=JobStatus.SUCCESS,
        started_at=now - dt.timedelta(seconds=42),
        finished_at=now,
        rows=77,
    )
    page = login("sales_ops")
    page.goto("/dashboard/")
    assert page.get_by_test_id("scope-label").inner_text() == "Whole company"
    pick_range(page, *BOOK_RANGE)
    assert tile(page, "revenue") == "177,554"
    choose(page, "id_team", "Team B")  # a team chooser: searched as sales ops type
    page.get_by_role("button", name="Apply").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("scope-label").inner_text() == "Team B"
    assert tile(page, "revenue") == "99,999"

    page.get_by_role("link", name="Operations").click()
    runs = page.get_by_test_id("job-runs")
    assert "42.0 s" in runs.inner_text() and "77" in runs.inner_text()
    page.get_by_role("button", name="Re-run efficiency_snapshots for 2026-03-19").click()
    page.wait_for_load_state()
    assert "will run again" in page.locator(".messages").inner_text()
    run.refresh_from_db()
    assert run.status == JobStatus.SUCCESS and run.rerun_pending  # the worker re-runs it
    screenshot(page, "ops")


def test_manager_cannot_open_the_ops_page(personas: Any, login: Any) -> None:
    page = login("manager_b")
    response = page.goto("/ops/")
    assert response is not None and response.status == 404
    assert page.get_by_role("link", name="Operations").count() == 0


def test_pages_fit_a_laptop_screen_without_sideways_scrolling(personas: Any, login: Any) -> None:
    make_book(personas, now=timezone.now())
    page = login("manager_a")
    page.set_viewport_size({"width": 1024, "height": 768})
    for url in ("/dashboard/?period=ytd", "/me/"):
        page.goto(url)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, (url, overflow)
    screenshot(page, "me-laptop")
    page.goto("/dashboard/?period=ytd")
    screenshot(page, "dashboard-laptop")


def test_rep_ticks_off_an_action_item_in_their_workspace(personas: Any, login: Any) -> None:
    from tests.meetings.factories import ActionItemFactory, meeting_with

    make_book(personas, now=timezone.now())
    a1 = personas.person("rep_a1")
    meeting = meeting_with(personas.person("manager_a"), a1, title="Coaching")
    item = ActionItemFactory(meeting=meeting, owner=a1, description="Call the CFO back")
    page = login("rep_a1")
    page.goto("/me/")
    items = page.get_by_test_id("my-action-items")
    assert "Call the CFO back" in items.inner_text()
    page.get_by_role("button", name="Mark “Call the CFO back” done").click()
    page.wait_for_load_state()
    assert "Action item done." in page.locator(".messages").inner_text()
    assert page.get_by_test_id("no-action-items").is_visible()
    item.refresh_from_db()
    assert item.status == "done"

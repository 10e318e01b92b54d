"""The two simulations in a real browser: the rep's what-if and the plan editor's live run."""

from __future__ import annotations

import shutil

import pytest
from playwright.sync_api import expect

from compensation.services import statements as svc
from salesops import calendar
from tests.compensation.factories import (
    MARGINAL_ATTAINMENT,
    approved_plan,
    assign,
    month_quota,
    won_deal,
)
from tests.factories import PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not shutil.which("chromium"), reason="needs Debian's chromium"),
]


@pytest.fixture
def browser(monkeypatch):
    # Playwright's sync API runs an event loop in this thread; the ORM calls the test makes
    # around it are ordinary synchronous ones.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(
            executable_path=shutil.which("chromium"), args=["--no-sandbox"], headless=True
        )
        yield chromium
        chromium.close()


def _login(browser, live_server, username):
    page = browser.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    return page


@pytest.fixture
def paid_rep(personas):
    month = calendar.period_containing(calendar.company_today())
    version = approved_plan("Accelerated", MARGINAL_ATTAINMENT, month.start)
    rep = personas.person("rep_a1")
    assign(rep, version, month.start)
    month_quota(rep, month, "100000")
    won_deal(rep, "60000", month.start)
    svc.statements_generate(period=month)
    return version


def test_rep_runs_a_what_if_on_their_page(personas, paid_rep, live_server, browser):
    page = _login(browser, live_server, "rep_a1")
    page.goto(f"{live_server.url}/compensation/")
    assert "USD 3,000.00" in page.content()
    page.fill("#whatif-amount", "90000")
    page.click("#whatif-form button[type=submit]")
    page.wait_for_selector("#whatif-result table")
    text = page.inner_text("#whatif-result")
    # 60,000 + 90,000 = 150 % of 100,000: 5,000 + 1,500 + 1,750 = 8,250 (change +5,250)
    assert "Payable 8,250.00" in text and "+5,250.00" in text


def test_plan_editor_simulates_as_you_type(personas, paid_rep, live_server, browser):
    page = _login(browser, live_server, "sales_ops")
    page.goto(f"{live_server.url}/compensation/plans/{paid_rep.plan_id}/")
    page.fill("#sim-quota", "100000")
    page.fill("#sim-deals", "150000, 2026-03-01")
    page.click("#sim-run")
    # Locator assertions, not wait_for_function: the page's Content-Security-Policy forbids the
    # eval that a string predicate needs.
    expect(page.locator("#sim-result")).to_contain_text("8,250.00")
    # a rate the engine refuses: the simulation says so, the field says why (once)
    page.fill("input[name=comp0-tier-2-rate]", "900")
    expect(page.locator("#sim-result")).to_contain_text("fix the fields marked in the form")

"""Screenshots of the main pages on the demo data (`manage.py seed_demo --scale small`).

`make screenshots` sets SCREENSHOTS_TO_DOCS=1, which also refreshes docs/screenshots/dashboard.png
(the README's picture of the product).
"""

from __future__ import annotations

import os
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.browser.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
DEMO_PASSWORD = "demo12345"


def test_main_pages_on_demo_data(login: Any) -> None:
    try:
        call_command("seed_demo", scale="small", seed=7)
    except CommandError as error:  # the demo-data command is not installed in this checkout
        pytest.skip(f"seed_demo unavailable: {error}")
    if os.environ.get("SCREENSHOTS_TO_DOCS") == "1":
        # A year of nightly efficiency snapshots for the trend chart, as `make run` computes it.
        call_command("compute_efficiency", history_months=12)
    page = login("manager", DEMO_PASSWORD)
    page.goto("/dashboard/?period=ytd")
    assert page.get_by_test_id("people-table").locator("tbody tr").count() > 1
    assert page.get_by_test_id("tile-revenue").inner_text() != "0"
    screenshot(page, "dashboard", docs=True)
    page = login("rep", DEMO_PASSWORD)
    page.goto("/me/?period=ytd")
    screenshot(page, "me-demo")
    page = login("ops", DEMO_PASSWORD)
    page.goto("/ops/")
    screenshot(page, "ops-demo")

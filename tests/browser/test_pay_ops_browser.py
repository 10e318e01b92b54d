"""Issue 19's "Done when", in a real Chromium: a sales-ops user (not a superuser) creates a plan
with a retroactive-below / marginal-above tier table in the form, assigns it to a team, uploads
quotas from CSV (dry run, then apply), generates and bulk-approves statements, and a rep
acknowledges the plan — every step in the browser."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from playwright.sync_api import expect

from compensation.models import PlanAcknowledgement, PlanAssignment, Quota, Statement
from compensation.services.jobs import GENERATE_JOB, statements_generate_run
from salesops import calendar
from salesops.models import JobRun
from tests.browser.choosers import choose
from tests.compensation.factories import won_deal

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sales_ops_runs_pay_from_the_browser_and_the_rep_acknowledges(
    personas: Any, login: Any
) -> None:
    assert not personas.sales_ops.is_superuser
    month = calendar.period_containing(calendar.company_today())
    won_deal(personas.person("rep_a1"), "80000", month.start)

    # 1. The plan, in the form: retroactive 5 % / 10 % below quota, 20 % marginal above.
    page = login("sales_ops")
    page.goto("/compensation/plans/new/")
    page.locator("input[name=name]").fill("AE mixed")
    tiers = "comp0-tier"
    page.locator(f"input[name={tiers}-2-DELETE]").check()  # drop the last row …
    page.get_by_role("button", name="Add tier").click()  # … and write it again
    page.locator(f"input[name={tiers}-3-start]").fill("100")
    page.locator(f"input[name={tiers}-3-rate]").fill("20")
    page.locator(f"select[name={tiers}-3-method]").select_option("marginal")
    for row, rate in ((0, "5"), (1, "10")):
        page.locator(f"input[name={tiers}-{row}-rate]").fill(rate)
        page.locator(f"select[name={tiers}-{row}-method]").select_option("retroactive")
    page.locator("select[name=cap_kind]").select_option("")
    page.locator("input[name=cap_value]").fill("")
    # the live simulation beside the form: 130,000 on a 100,000 quota → 10,000 + 6,000
    page.locator("#sim-quota").fill("100000")
    page.locator("#sim-deals").fill(f"130000, {month.start.isoformat()}")
    page.get_by_role("button", name="Simulate").click()
    expect(page.get_by_test_id("sim-payable")).to_contain_text("16,000.00")
    page.get_by_role("button", name="Create plan").click()
    expect(page.locator("h1")).to_have_text("AE mixed")
    page.get_by_role("button", name="Save and approve").click()
    expect(page.locator(".messages")).to_contain_text("approved")

    # 2. Assign it to team A (and its sub-team).
    page.goto("/compensation/ops/")
    assign = page.locator("form[action$='/ops/assign/']")
    choose(page, "assign-plan", "AE mixed")  # searchable choosers (salesops.widgets)
    choose(page, "assign-team", "Team A")
    assign.get_by_role("button", name="Assign").click()
    expect(page.locator(".messages")).to_contain_text("4 of Team A assigned, 0 skipped")

    # 3. Quotas from CSV: a dry run first, then apply.
    page.goto("/compensation/ops/import/")
    csv = f"person,metric,period,amount\nAnna Rep,revenue,{month.key},100000\n"
    csv += f"Arno Rep,revenue,{month.key},100000\n"
    page.locator("select[name=kind]").select_option("quotas")
    page.locator("input[name=file]").set_input_files(
        files=[{"name": "quotas.csv", "mimeType": "text/csv", "buffer": csv.encode()}]
    )
    expect(page.locator("input[name=dry_run]")).to_be_checked()
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_test_id("import-report")).to_contain_text("all 2 rows are valid")
    assert not Quota.objects.exists()
    page.get_by_role("button", name="Apply these 2 rows").click()
    expect(page.get_by_test_id("import-report")).to_contain_text("Applied: 2 rows")

    # 4. Generate the month's drafts and approve them in bulk, with the summary first.
    page.goto("/compensation/statements/")
    page.get_by_role("button", name="Generate drafts").click()
    # Queued for a worker (compensation.services.jobs); its page follows the run. The worker's
    # half runs here (the Celery path is tests/compensation/test_statements_generate_job.py).
    expect(page.get_by_test_id("progress")).to_contain_text("Queued")
    run = JobRun.objects.get(job=GENERATE_JOB, partition=month.key)
    statements_generate_run(business_date=run.business_date, period_key=month.key)
    expect(page.get_by_test_id("generate-result")).to_contain_text("2 statements created")
    page.goto("/compensation/statements/")
    page.locator("#bulk-period").fill(month.key)
    page.get_by_role("button", name="Review approval").click()
    expect(page.get_by_test_id("bulk-count")).to_have_text("2")
    expect(page.get_by_test_id("bulk-total")).to_contain_text("8,000.00")  # 10 % × 80,000
    page.get_by_role("button", name="Approve and lock 2 statements").click()
    expect(page.locator("h1")).to_have_text("Statements approved")
    statement = Statement.objects.get(person=personas.person("rep_a1"))
    assert statement.status == "approved" and statement.payable == Decimal("8000.00")
    page.goto(f"/compensation/statements/{statement.pk}/print/")
    expect(page.get_by_test_id("print-payable")).to_contain_text("8,000.00")

    # 5. The rep accepts the plan from their pay page; sales ops sees who has not.
    page = login("rep_a1")
    page.goto("/compensation/")
    page.get_by_role("button", name="I have read and accept AE mixed v1").click()
    expect(page.get_by_test_id("plan-acknowledgement")).to_contain_text("Plan acknowledged")
    assert PlanAcknowledgement.objects.get().person == personas.person("rep_a1")
    page = login("sales_ops")
    page.goto("/compensation/ops/acknowledgements/?missing=1")
    expect(page.get_by_test_id("missing-count")).to_have_text("3")
    assert PlanAssignment.objects.count() == 4

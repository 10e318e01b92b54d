"""Issue 23's "Done when", in a real Chromium: a sales-ops user (not a superuser) changes a rule
and sees the live preview of its moves, previews the run, approves it (a real Celery worker
applies it while the page shows progress), then rolls the assignment back."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from playwright.sync_api import expect

from territories.models import AccountTerritory, AssignmentBatch, BatchStatus
from territories.services import coverage_assign, territory_assignments_run
from tests.factories import AccountFactory
from tests.territories.factories import make_model, make_rule, make_territory

pytestmark = [pytest.mark.browser, pytest.mark.celery, pytest.mark.django_db(transaction=True)]


def _open_rows(model: Any) -> list[tuple[str, str | None]]:
    return sorted(
        AccountTerritory.objects.filter(model=model, valid_to__isnull=True).values_list(
            "account__name", "territory__name"
        ),
        key=str,
    )


def test_sales_ops_changes_a_rule_previews_runs_and_rolls_back(
    celery_worker: Any, personas: Any, login: Any
) -> None:
    assert not personas.sales_ops.is_superuser
    model = make_model("Live", state="active")
    west, south = make_territory(model, "West"), make_territory(model, "South")
    coverage_assign(
        territory=west, person=personas.person("rep_b1"), effective_from=date(2026, 1, 1)
    )
    rule = make_rule(west, countries=["FR"], name="France")
    make_rule(south, countries=["IT"], name="Italy")
    AccountFactory(name="Paris SA", country="FR")
    AccountFactory(name="Madrid SL", country="ES")
    AccountFactory(name="Roma SpA", country="IT")
    territory_assignments_run(model=model)
    before = _open_rows(model)
    assert ("Madrid SL", None) in before

    # 1. Change the rule: the live preview shows the move before anything is saved.
    page = login("sales_ops")
    page.goto(f"/territories/models/{model.pk}/rules/?edit={rule.pk}")
    page.locator("input[name=countries]").fill("FR, ES")
    preview = page.get_by_test_id("rule-preview")
    expect(preview.get_by_test_id("run-moves")).to_contain_text("1 account would move")
    expect(preview.get_by_test_id("run-sample")).to_contain_text("Madrid SL")
    assert _open_rows(model) == before
    page.get_by_role("button", name="Save rule").click()
    expect(page.locator(".messages")).to_contain_text("Rule saved")

    # 2. Preview the run from the model page, approve it; a worker applies it with progress.
    page.goto(f"/territories/models/{model.pk}/")
    page.get_by_test_id("run-assignment").click()
    expect(page.get_by_test_id("run-moves")).to_contain_text("1 account would move")
    expect(page.get_by_test_id("run-sample")).to_contain_text("Madrid SL")
    page.get_by_role("button", name="Approve and run").click()
    expect(page.get_by_test_id("batch-result")).to_contain_text(
        "1 account changed territory", timeout=30_000
    )
    batch = AssignmentBatch.objects.get(model=model)
    assert batch.status == BatchStatus.APPLIED and batch.requested_by == personas.sales_ops
    assert ("Madrid SL", "West") in _open_rows(model)

    # 3. Roll it back: the assignments are as they were.
    page.get_by_role("button", name="Roll back this run").click()
    expect(page.locator(".messages")).to_contain_text("Rolled back")
    expect(page.get_by_test_id("batch-status")).to_contain_text("Rolled back")
    assert _open_rows(model) == before

"""Territory operations in the product for sales ops (not superuser): create a model, the rule
editor's live preview, an assignment run approved from its preview and applied by a worker with
progress, and rollback. Everyone else gets 404."""

from __future__ import annotations

import time

import pytest

from salesops.exceptions import ApplicationError
from territories.models import AccountTerritory, AssignmentBatch, BatchStatus, TerritoryModel
from territories.services import rule_update, territory_assignments_run
from territories.services.batches import (
    assignment_batch_apply,
    assignment_batch_request,
    assignment_batch_rollback,
)

pytestmark = pytest.mark.django_db


def _open_rows(model):
    return sorted(
        AccountTerritory.objects.filter(model=model, valid_to__isnull=True).values_list(
            "account__name", "territory__name", "source", "rule_id", "valid_from"
        )
    )


def _all_rows(model):
    return sorted(
        AccountTerritory.objects.filter(model=model).values_list(
            "account_id", "territory_id", "source", "rule_id", "valid_from", "valid_to"
        ),
        key=str,
    )


def _rule(terr, name):
    return terr[name].rules.get()


def test_sales_ops_creates_a_planning_model_from_the_index(personas, client_for):
    client = client_for(personas.sales_ops)
    response = client.post("/territories/models/new/", {"name": "FY28 plan"})
    model = TerritoryModel.objects.get(name="FY28 plan")
    assert response.status_code == 302 and response.url == f"/territories/models/{model.pk}/"
    assert model.state == "planning"
    assert "Create model" in client.get("/territories/").content.decode()


def test_creating_a_model_without_a_name_is_an_error_not_a_model(personas, client_for):
    client = client_for(personas.sales_ops)
    response = client.post("/territories/models/new/", {"name": "  "}, follow=True)
    assert "needs a name" in response.content.decode()
    assert not TerritoryModel.objects.exists()


def test_live_preview_counts_moves_per_territory_with_sample_accounts(personas, world, client_for):
    model, terr = world
    client = client_for(personas.sales_ops)
    rule = _rule(terr, "B")
    response = client.post(
        f"/territories/models/{model.pk}/rules/preview/",
        {"editing": rule.pk, "territory": terr["B"].pk, "priority": 100, "countries": "FR, ES"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "<strong>1</strong> account would move with this rule" in body
    assert "<td>Acc Empty</td><td>Empty</td><td>B</td>" in body
    assert '<td>B</td><td class="num">1</td><td class="num">0</td>' in body
    # Nothing was saved: the rule and the assignments are as they were.
    rule.refresh_from_db()
    assert rule.countries == ["FR"]
    assert (
        AccountTerritory.objects.get(account__name="Acc Empty", valid_to=None).territory
        == terr["Empty"]
    )


def test_live_preview_of_a_refused_rule_shows_the_field_error(personas, world, client_for):
    model, terr = world
    client = client_for(personas.sales_ops)
    response = client.post(
        f"/territories/models/{model.pk}/rules/preview/",
        {"territory": terr["B"].pk, "priority": 1, "employees_min": 10, "employees_max": 5},
    )
    assert "employees_max: The upper bound is below the lower bound." in response.content.decode()


def test_approved_run_applies_then_rolls_back_to_the_exact_history(personas, world, client_for):
    model, terr = world
    client = client_for(personas.sales_ops)
    before_open, before_all = _open_rows(model), _all_rows(model)
    rule_update(rule=_rule(terr, "B"), countries=["FR", "ES"])
    rule_update(rule=_rule(terr, "A"), name="rule A renamed")

    page = client.get(f"/territories/models/{model.pk}/assign/").content.decode()
    assert "<strong>1</strong> account would move" in page

    response = client.post(f"/territories/models/{model.pk}/assign/")
    batch = AssignmentBatch.objects.get(model=model)
    assert response.url == f"/territories/runs/{batch.pk}/"
    assert batch.status == BatchStatus.QUEUED and batch.requested_by == personas.sales_ops
    queued = client.get(f"/territories/runs/{batch.pk}/").content.decode()
    assert 'data-testid="progress"' in queued and "hx-get=" in queued

    assignment_batch_apply(batch_id=batch.pk)
    batch.refresh_from_db()
    assert (batch.status, batch.changed) == (BatchStatus.APPLIED, 1)
    assert batch.job_run.progress_done == batch.job_run.progress_total == 4
    poll = client.get(f"/territories/runs/{batch.pk}/progress/")
    assert poll["HX-Refresh"] == "true"
    moved = AccountTerritory.objects.get(account__name="Acc Empty", valid_to=None)
    assert moved.territory == terr["B"]

    response = client.post(f"/territories/runs/{batch.pk}/rollback/")
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == BatchStatus.ROLLED_BACK and batch.rolled_back_by == personas.sales_ops
    assert _open_rows(model) == before_open
    assert _all_rows(model) == before_all


def test_rollback_is_refused_when_the_assignments_changed_since(personas, world):
    model, terr = world
    rule_update(rule=_rule(terr, "B"), countries=["FR", "ES"])
    batch = assignment_batch_request(model=model, user=personas.sales_ops)
    assignment_batch_apply(batch_id=batch.pk)
    rule_update(rule=_rule(terr, "B"), countries=["FR"])
    territory_assignments_run(model=model)  # e.g. the nightly run moved it back
    batch.refresh_from_db()
    with pytest.raises(ApplicationError, match="changed after the run"):
        assignment_batch_rollback(batch=batch, user=personas.sales_ops)


def test_a_second_run_cannot_be_queued_while_one_is_pending(personas, world):
    model, _ = world
    assignment_batch_request(model=model, user=personas.sales_ops)
    with pytest.raises(ApplicationError, match="already queued or running"):
        assignment_batch_request(model=model, user=personas.sales_ops)


def test_a_duplicate_delivery_applies_once(personas, world):
    model, _ = world
    batch = assignment_batch_request(model=model, user=personas.sales_ops)
    assert assignment_batch_apply(batch_id=batch.pk) is not None
    assert assignment_batch_apply(batch_id=batch.pk) is None


@pytest.mark.parametrize("persona", ["manager_a", "rep_a1", "outsider"])
def test_territory_operations_are_404_outside_sales_ops(persona, personas, world, client_for):
    model, terr = world
    batch = assignment_batch_request(model=model, user=personas.sales_ops)
    client = client_for(getattr(personas, persona))
    assert client.post("/territories/models/new/", {"name": "x"}).status_code == 404
    assert client.get(f"/territories/models/{model.pk}/assign/").status_code == 404
    assert client.post(f"/territories/models/{model.pk}/assign/").status_code == 404
    preview = client.post(
        f"/territories/models/{model.pk}/rules/preview/", {"territory": terr["A"].pk}
    )
    assert preview.status_code == 404
    for url in ("", "progress/"):
        assert client.get(f"/territories/runs/{batch.pk}/{url}").status_code == 404
    assert client.post(f"/territories/runs/{batch.pk}/rollback/").status_code == 404
    assert AssignmentBatch.objects.count() == 1 and not TerritoryModel.objects.filter(name="x")


@pytest.mark.celery
def test_an_approved_run_is_applied_by_a_real_worker(celery_worker, personas, world, client_for):
    model, terr = world
    rule_update(rule=_rule(terr, "B"), countries=["FR", "ES"])
    client = client_for(personas.sales_ops)
    client.post(f"/territories/models/{model.pk}/assign/")
    batch = AssignmentBatch.objects.get(model=model)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        batch.refresh_from_db()
        if batch.status not in (BatchStatus.QUEUED, BatchStatus.RUNNING):
            break
        time.sleep(0.2)
    assert batch.status == BatchStatus.APPLIED
    assert batch.job_run.progress_done == batch.job_run.progress_total == 4
    page = client.get(f"/territories/runs/{batch.pk}/").content.decode()
    assert "1 account changed territory" in page

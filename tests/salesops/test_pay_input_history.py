"""Every input to pay keeps its history with the acting user: deals, splits, the cost ledger and
a person's hourly cost, through the API, the admin and the services called by tasks ("system")."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from salesops.history import SYSTEM_USERNAME
from salesops.models import Deal, DealSplit, Person, SalesCost
from salesops.services.costs import costs_post_computed, costs_withdraw_computed
from tests.factories import DealFactory, ProductFactory

pytestmark = pytest.mark.django_db


def test_rep_editing_their_deal_is_recorded_with_them(personas, api_client_for):
    deal = DealFactory(owner=personas.person("rep_a1"))
    response = api_client_for(personas.rep_a1).post(
        f"/api/v1/deals/{deal.pk}/stage/",
        {"stage": "won", "close_date": "2026-03-10", "close_value": "1800.00"},
        format="json",
    )
    assert response.status_code == 200, response.content
    latest = Deal.history.filter(id=deal.pk).first()
    assert latest.history_user == personas.rep_a1
    assert latest.close_value == Decimal("1800.00") and latest.stage == "won"
    assert latest.prev_record is not None or Deal.history.filter(id=deal.pk).count() == 1


def test_a_created_deal_and_its_split_have_history(personas, api_client_for):
    response = api_client_for(personas.rep_a1).post(
        "/api/v1/deals/", {"product": ProductFactory().pk, "amount": "500"}, format="json"
    )
    assert response.status_code == 201, response.content
    deal_id = response.json()["id"]
    assert Deal.history.get(id=deal_id, history_type="+").history_user == personas.rep_a1
    split = DealSplit.history.get(deal_id=deal_id, history_type="+")
    assert split.history_user == personas.rep_a1


def test_changing_splits_records_removed_and_added_rows_with_the_user(personas, api_client_for):
    deal = DealFactory(owner=personas.person("rep_a1"))
    response = api_client_for(personas.sales_ops).post(
        f"/api/v1/deals/{deal.pk}/splits/",
        {
            "splits": [
                {"person": personas.person("rep_a1").pk, "percent": "60"},
                {"person": personas.person("rep_a2").pk, "percent": "40"},
            ]
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    added = DealSplit.history.filter(deal_id=deal.pk, history_type="+", percent__lt=100)
    assert {(h.person_id, h.history_user) for h in added} == {
        (personas.person("rep_a1").pk, personas.sales_ops),
        (personas.person("rep_a2").pk, personas.sales_ops),
    }
    removed = DealSplit.history.get(deal_id=deal.pk, history_type="-")
    assert removed.percent == Decimal(100) and removed.history_user == personas.sales_ops


def test_cost_entries_have_history_with_the_user(personas, api_client_for):
    response = api_client_for(personas.sales_ops).post(
        "/api/v1/costs/",
        {
            "date": "2026-03-01",
            "person": personas.person("rep_a1").pk,
            "category": "tools",
            "amount": "25.00",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    entry = SalesCost.history.get(id=response.json()["id"])
    assert entry.history_user == personas.sales_ops and entry.amount == Decimal("25.00")


def test_hourly_cost_changes_have_history_with_the_user(personas, api_client_for):
    rep = personas.person("rep_a1")
    response = api_client_for(personas.sales_ops).patch(
        f"/api/v1/people/{rep.pk}/", {"hourly_cost": "88.50"}, format="json"
    )
    assert response.status_code == 200, response.content
    latest = Person.history.filter(id=rep.pk).first()
    assert latest.hourly_cost == Decimal("88.50") and latest.history_user == personas.sales_ops


def test_computed_costs_posted_by_a_task_are_recorded_as_system(personas):
    rep = personas.person("rep_a1")
    costs_post_computed(
        external_ref="meeting:7",
        category="meeting_time",
        entries=[(rep, dt.date(2026, 3, 2), Decimal("40.00"))],
    )
    costs_post_computed(
        external_ref="meeting:7",
        category="meeting_time",
        entries=[(rep, dt.date(2026, 3, 2), Decimal("60.00"))],
    )
    costs_withdraw_computed(external_ref="meeting:7")
    rows = list(SalesCost.history.filter(external_ref="meeting:7").order_by("history_id"))
    assert [r.amount for r in rows] == [Decimal("40.00"), Decimal("60.00"), Decimal("0.00")]
    assert {r.history_user.username for r in rows} == {SYSTEM_USERNAME}


def test_admin_deal_edits_are_recorded_with_the_admin(personas, client_for):
    deal = DealFactory(owner=personas.person("rep_a1"), amount=Decimal("100"))
    client = client_for(personas.admin)
    form = client.get(f"/admin/salesops/deal/{deal.pk}/change/").context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(
        {
            "amount": "250.00",
            "splits-TOTAL_FORMS": "0",
            "splits-INITIAL_FORMS": "0",
        }
    )
    response = client.post(f"/admin/salesops/deal/{deal.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    latest = Deal.history.filter(id=deal.pk).first()
    assert latest.amount == Decimal("250.00") and latest.history_user == personas.admin


def test_imported_deals_splits_and_costs_are_recorded_as_system(tmp_path):
    from tests.salesops.test_import_helpers import run_import, write_files

    run_import(write_files(tmp_path))
    assert Deal.objects.exists() and SalesCost.objects.exists()
    for model in (Deal, DealSplit, SalesCost):
        created = model.history.filter(history_type="+")
        assert created.count() == model.objects.count()
        assert {h.history_user.username for h in created} == {SYSTEM_USERNAME}

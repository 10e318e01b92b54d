"""The core and territories admins write through the services: the cost ledger's computed rows
belong to their process, pins keep the territory rules."""

from __future__ import annotations

import pytest

from salesops.models import SalesCost
from territories.models import Pin, Territory
from tests.factories import AccountFactory, SalesCostFactory
from tests.territories.factories import make_model

pytestmark = pytest.mark.django_db


def test_admin_cannot_edit_a_computed_cost(personas, client_for):
    cost = SalesCostFactory(
        person=personas.person("rep_a1"), source="computed", external_ref="meeting:1"
    )
    before = cost.amount
    client_for(personas.admin).post(
        f"/admin/salesops/salescost/{cost.pk}/change/",
        {
            "date": cost.date.isoformat(),
            "person": cost.person_id,
            "category": cost.category,
            "amount": str(before + 1000),
            "source": "computed",
            "note": "edited",
        },
    )
    cost.refresh_from_db()
    assert cost.amount == before


def test_admin_cost_entries_keep_the_ledger_rules(personas, client_for):
    response = client_for(personas.admin).post(
        "/admin/salesops/salescost/add/",
        {
            "date": "2026-03-01",
            "person": personas.person("rep_a1").pk,
            "team": personas.team_a.pk,
            "category": "tools",
            "amount": "10.00",
            "note": "",
        },
    )
    assert response.status_code == 200  # the form again, with the service's message
    assert not SalesCost.objects.exists()


def test_admin_cannot_pin_in_an_archived_model(personas, client_for):
    model = make_model("Old", state="archived")
    territory = Territory.objects.create(model=model, name="North")
    account = AccountFactory()
    client_for(personas.admin).post(
        "/admin/territories/pin/add/",
        {
            "model": model.pk,
            "account": account.pk,
            "kind": "pin",
            "territory": territory.pk,
            "source": "manual",
            "reason": "x",
        },
    )
    assert not Pin.objects.exists()


def test_admin_pin_to_another_models_territory_is_refused(personas, client_for):
    model, other = make_model("A"), make_model("B")
    territory = Territory.objects.create(model=other, name="North")
    client_for(personas.admin).post(
        "/admin/territories/pin/add/",
        {
            "model": model.pk,
            "account": AccountFactory().pk,
            "kind": "pin",
            "territory": territory.pk,
            "source": "manual",
            "reason": "x",
        },
    )
    assert not Pin.objects.exists()


def test_admin_pin_goes_through_the_service(personas, client_for):
    model = make_model("A")
    territory = Territory.objects.create(model=model, name="North")
    response = client_for(personas.admin).post(
        "/admin/territories/pin/add/",
        {
            "model": model.pk,
            "account": AccountFactory().pk,
            "kind": "pin",
            "territory": territory.pk,
            "source": "manual",
            "reason": " key account ",
        },
    )
    assert response.status_code == 302
    pin = Pin.objects.get()
    assert pin.reason == "key account" and pin.created_by == personas.admin

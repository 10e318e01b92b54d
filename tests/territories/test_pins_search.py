"""Pins choose their account by search (the scoped account chooser), never by a typed id."""

from __future__ import annotations

import pytest

from territories.models import AccountTerritory, Pin
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db


def test_pin_form_searches_accounts_instead_of_asking_for_an_id(personas, world, client_for):
    model, _ = world
    AccountFactory.create_batch(30)
    page = client_for(personas.sales_ops).get(f"/territories/models/{model.pk}/pins/")
    body = page.content.decode()
    assert 'data-chooser="/choose/accounts/"' in body
    assert "Account id" not in body
    assert body.count("<option") < 30  # only kinds and the model's territories, no account list


def test_sales_ops_pins_the_account_they_picked(personas, world, client_for):
    model, terr = world
    account = AccountFactory(name="Zeta GmbH", country="DE")
    client = client_for(personas.sales_ops)
    response = client.post(
        f"/territories/models/{model.pk}/pins/",
        {"account": account.pk, "kind": "pin", "territory": terr["B"].pk, "reason": "named"},
    )
    assert response.status_code == 302
    assert Pin.objects.get(model=model, account=account).territory == terr["B"]
    row = AccountTerritory.objects.get(model=model, account=account, valid_to=None)
    assert (row.territory, row.source) == (terr["B"], "pin")


def test_an_unknown_account_is_an_error_at_the_field(personas, world, client_for):
    model, terr = world
    response = client_for(personas.sales_ops).post(
        f"/territories/models/{model.pk}/pins/",
        {"account": 987654, "kind": "pin", "territory": terr["B"].pk},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["account"]
    assert not Pin.objects.filter(account_id=987654).exists()

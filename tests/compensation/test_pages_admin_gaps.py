"""Issue 18 gaps in the admin: the Deal admin's add form and splits inline write through the deal
services; Deal, SalesCost and Person have a read-only History; quotas are bounded at the edge
(admin form, API serializer) with a clear field error."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from typing import Any

import pytest

from compensation.models import Quota
from salesops.admin import core as admin_core
from salesops.models import Deal, DealSplit
from salesops.money import QUOTA_NEGATIVE, QUOTA_TOO_LARGE
from tests.factories import DealFactory, ProductFactory, SalesCostFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("january_berlin")]


def _spy(monkeypatch: Any, name: str) -> list[dict[str, Any]]:
    calls: list[dict[str, Any]] = []
    real = getattr(admin_core, name)

    def spy(**kwargs: Any) -> Any:
        calls.append(kwargs)
        return real(**kwargs)

    monkeypatch.setattr(admin_core, name, spy)
    return calls


def _add_data(personas: Any, **extra: Any) -> dict[str, Any]:
    return {
        "external_id": "ADM-1",
        "product": ProductFactory().pk,
        "owner": personas.person("rep_a1").pk,
        "stage": "won",
        "close_value": "5000",
        "engage_date": "2026-03-01",
        "close_date": "2026-03-10",
        "splits-TOTAL_FORMS": "0",
        "splits-INITIAL_FORMS": "0",
        **extra,
    }


def test_deal_admin_add_goes_through_deal_create_with_the_inline_splits(
    personas, client_for, monkeypatch
):
    creates = _spy(monkeypatch, "deal_create")
    split_sets = _spy(monkeypatch, "deal_splits_set")
    a1, a2 = personas.person("rep_a1"), personas.person("rep_a2")
    data = _add_data(
        personas,
        **{
            "splits-TOTAL_FORMS": "2",
            "splits-0-person": a1.pk,
            "splits-0-percent": "60",
            "splits-1-person": a2.pk,
            "splits-1-percent": "40",
        },
    )
    response = client_for(personas.admin).post("/admin/salesops/deal/add/", data)
    assert response.status_code == 302
    deal = Deal.objects.get(external_id="ADM-1")
    assert len(creates) == 1 and creates[0]["user"] == personas.admin
    assert deal.stage_entered_at is not None  # stamped by the service
    assert sorted(deal.splits.values_list("person__name", "percent")) == [
        ("Anna Rep", D("60.00")),
        ("Arno Rep", D("40.00")),
    ]
    assert len(split_sets) == 1
    assert deal.history.get().history_user == personas.admin
    assert {h.history_user for h in DealSplit.history.filter(history_type="+")} == {personas.admin}


def test_deal_admin_add_without_splits_credits_the_owner(personas, client_for):
    response = client_for(personas.admin).post("/admin/salesops/deal/add/", _add_data(personas))
    assert response.status_code == 302
    deal = Deal.objects.get(external_id="ADM-1")
    assert list(deal.splits.values_list("person__name", "percent")) == [("Anna Rep", D("100"))]


def test_deal_admin_add_refused_by_the_service_shows_its_message(personas, client_for):
    # a won deal without a close value: the form lets it through, the service refuses it
    data = _add_data(personas, close_value="")
    response = client_for(personas.admin).post("/admin/salesops/deal/add/", data, follow=True)
    assert not Deal.objects.filter(external_id="ADM-1").exists()
    assert "close" in response.content.decode().lower()


def test_deal_admin_split_inline_changes_go_through_deal_splits_set(
    personas, client_for, monkeypatch
):
    a1, a2 = personas.person("rep_a1"), personas.person("rep_a2")
    deal = DealFactory(owner=a1)
    DealSplit.objects.filter(deal=deal).delete()
    own = DealSplit.objects.create(deal=deal, person=a1, percent=D(100))
    split_sets = _spy(monkeypatch, "deal_splits_set")
    client = client_for(personas.admin)
    form = client.get(f"/admin/salesops/deal/{deal.pk}/change/").context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.pop("stage_entered_at", None)
    data.update(
        {
            "splits-TOTAL_FORMS": "2",
            "splits-INITIAL_FORMS": "1",
            "splits-0-id": own.pk,
            "splits-0-deal": deal.pk,
            "splits-0-person": a1.pk,
            "splits-0-percent": "70",
            "splits-1-person": a2.pk,
            "splits-1-percent": "30",
        }
    )
    response = client.post(f"/admin/salesops/deal/{deal.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert len(split_sets) == 1
    assert sorted(deal.splits.values_list("person__name", "percent")) == [
        ("Anna Rep", D("70.00")),
        ("Arno Rep", D("30.00")),
    ]
    # the same rows again: nothing to write
    client.post(f"/admin/salesops/deal/{deal.pk}/change/", data | {"splits-TOTAL_FORMS": "1"})
    assert len(split_sets) == 1


@pytest.mark.parametrize("model", ["deal", "salescost", "person"])
def test_history_button_lists_versions_with_the_acting_user(personas, client_for, model):
    objects = {
        "deal": lambda: DealFactory(owner=personas.person("rep_a1")),
        "salescost": lambda: SalesCostFactory(person=personas.person("rep_a1")),
        "person": lambda: personas.person("rep_a1"),
    }
    obj = objects[model]()
    client = client_for(personas.sales_ops)
    change = client.get(f"/admin/salesops/{model}/{obj.pk}/change/")
    assert change.status_code == 200
    assert f"/admin/salesops/{model}/{obj.pk}/history/" in change.content.decode()
    history = client.get(f"/admin/salesops/{model}/{obj.pk}/history/")
    assert history.status_code == 200
    version = obj.history.first()
    assert f"/history/{version.history_id}/" in history.content.decode()
    detail = client.get(f"/admin/salesops/{model}/{obj.pk}/history/{version.history_id}/")
    assert detail.status_code == 200 and "Revert" not in detail.content.decode()
    revert = client.post(f"/admin/salesops/{model}/{obj.pk}/history/{version.history_id}/", {})
    assert revert.status_code == 403


def test_history_is_not_open_to_reps(personas, client_for):
    deal = DealFactory(owner=personas.person("rep_a1"))
    response = client_for(personas.rep_a1).get(f"/admin/salesops/deal/{deal.pk}/history/")
    assert response.status_code in (302, 403)


@pytest.mark.parametrize(
    ("amount", "message"),
    [("1000000000000", "a quota is at most 999,999,999,999.99"), ("-1", "cannot be negative")],
)
def test_quota_admin_bounds_the_amount_at_the_field(personas, client_for, amount, message):
    response = client_for(personas.admin).post(
        "/admin/compensation/quota/add/",
        {
            "person": personas.person("rep_a1").pk,
            "metric": "revenue",
            "period_start": "2026-03-01",
            "amount": amount,
        },
    )
    assert response.status_code == 200
    assert message in " ".join(response.context["adminform"].form.errors["amount"])
    assert not Quota.objects.exists()


def test_quota_admin_change_is_bounded_too(personas, client_for):
    from salesops import calendar
    from tests.compensation.factories import month_quota

    person = personas.person("rep_a1")
    month_quota(person, calendar.month_containing(dt.date(2026, 3, 1)), "100")
    quota = Quota.objects.get()
    response = client_for(personas.admin).post(
        f"/admin/compensation/quota/{quota.pk}/change/", {"amount": "99999999999999.99"}
    )
    assert response.status_code == 200
    assert "a quota is at most" in " ".join(response.context["adminform"].form.errors["amount"])
    quota.refresh_from_db()
    assert quota.amount == D("100.00")


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("1000000000000", QUOTA_TOO_LARGE),
        ("99999999999999999999", QUOTA_TOO_LARGE),
        ("-1", QUOTA_NEGATIVE),
    ],
)
def test_quota_api_bounds_the_amount_with_a_field_error(personas, api_client_for, amount, message):
    client = api_client_for(personas.sales_ops)
    rep = personas.person("rep_b1")
    response = client.post(
        "/api/v1/compensation/quotas/",
        {"person": rep.pk, "period": "FY2026-M03", "amount": amount},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["amount"] == [message]
    assert not Quota.objects.exists()
    client.post(
        "/api/v1/compensation/quotas/",
        {"person": rep.pk, "period": "FY2026-M03", "amount": "999999999999.99"},
        format="json",
    )
    quota = Quota.objects.get()
    assert quota.amount == D("999999999999.99")  # the bound itself fits
    response = client.patch(
        f"/api/v1/compensation/quotas/{quota.pk}/", {"amount": amount}, format="json"
    )
    assert response.status_code == 400 and response.json()["amount"] == [message]

"""The admin shows every core model to the admin persona, and its writes keep the domain rules."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib import admin
from django.forms import inlineformset_factory
from django.urls import reverse

from salesops import hooks
from salesops.admin.core import DealSplitFormSet
from salesops.models import Account, Deal, DealSplit, JobRun
from tests.salesops.core_api_world import build_world

pytestmark = pytest.mark.django_db

SALESOPS_MODELS = sorted(
    (model for model in admin.site._registry if model._meta.app_label == "salesops"),
    key=lambda m: str(m._meta.model_name),
)


def _url(model, view, *args):
    return reverse(f"admin:salesops_{model._meta.model_name}_{view}", args=args)


def test_every_core_model_is_in_the_admin():
    names = {m._meta.model_name for m in SALESOPS_MODELS}
    assert {"person", "team", "account", "product", "deal", "salescost", "jobrun"} <= names


@pytest.mark.parametrize("model", SALESOPS_MODELS, ids=lambda m: m._meta.model_name)
def test_admin_changelist_add_and_change_pages_render(personas, client_for, model):
    build_world(personas)
    JobRun.objects.create(
        job="demo", business_date=dt.date(2026, 1, 1), started_at="2026-01-01T00:00:00Z"
    )
    client = client_for(personas.admin)
    response = client.get(_url(model, "changelist"))
    assert response.status_code == 200
    model_admin = admin.site._registry[model]
    request = response.wsgi_request
    if model_admin.has_add_permission(request):
        assert client.get(_url(model, "add")).status_code == 200
    row = model._default_manager.first()
    if row is not None:
        assert client.get(_url(model, "change", row.pk)).status_code == 200
    # Search and filters are wired to real fields.
    if model_admin.search_fields:
        assert client.get(_url(model, "changelist"), {"q": "a"}).status_code == 200


def test_admin_account_add_goes_through_the_service_and_tells_listeners(
    personas, client_for, monkeypatch, django_capture_on_commit_callbacks
):
    heard: list[list[int]] = []
    monkeypatch.setattr(hooks, "_account_listeners", [heard.append])
    client = client_for(personas.admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_url(Account, "add"), {"name": "Initech", "country": "DE"})
    assert response.status_code == 302, response.content
    account = Account.objects.get(name="Initech")
    assert heard == [[account.pk]]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            _url(Account, "change", account.pk),
            {"name": "Initech", "country": "DE", "employees": "12"},
        )
    assert response.status_code == 302
    assert Account.objects.get(pk=account.pk).employees == 12
    assert heard == [[account.pk], [account.pk]]


def test_admin_role_change_moves_the_user_to_the_role_group(personas, client_for):
    person = personas.person("rep_a1")
    response = client_for(personas.admin).post(
        reverse("admin:salesops_person_change", args=[person.pk]),
        {
            "user": personas.rep_a1.pk,
            "name": person.name,
            "email": person.email,
            "role": "sales_manager",
            "team": personas.team_a.pk,
            "manager": "",
            "hourly_cost": "60.00",
            "time_zone": "Europe/Berlin",
            "work_start": "09:00",
            "work_end": "17:00",
            "work_days": "12345",
            "hire_date": "2020-01-01",
            "active": "on",
        },
    )
    assert response.status_code == 302, response.content
    assert list(personas.rep_a1.groups.values_list("name", flat=True)) == ["sales_manager"]


def test_admin_deal_splits_must_sum_to_100(personas):
    world = build_world(personas)
    deal = world.deals["A1"]
    formset_class = inlineformset_factory(
        Deal, DealSplit, formset=DealSplitFormSet, fields=["person", "percent"], extra=0
    )
    prefix = formset_class.get_default_prefix()
    existing = deal.splits.get()
    data = {
        f"{prefix}-TOTAL_FORMS": "2",
        f"{prefix}-INITIAL_FORMS": "1",
        f"{prefix}-0-id": existing.pk,
        f"{prefix}-0-deal": deal.pk,
        f"{prefix}-0-person": existing.person_id,
        f"{prefix}-0-percent": "60",
        f"{prefix}-1-deal": deal.pk,
        f"{prefix}-1-person": personas.person("rep_a2").pk,
        f"{prefix}-1-percent": "30",
    }
    formset = formset_class(data=data, instance=deal)
    assert not formset.is_valid()
    assert "sum to 100" in str(formset.non_form_errors())
    data[f"{prefix}-1-percent"] = "40"
    assert formset_class(data=data, instance=deal).is_valid()


def test_admin_deal_added_without_splits_credits_its_owner(personas, client_for):
    world = build_world(personas)
    response = client_for(personas.admin).post(
        reverse("admin:salesops_deal_add"),
        {
            "external_id": "ADM-1",
            "product": world.products[0].pk,
            "owner": personas.person("rep_b1").pk,
            "stage": "prospecting",
            "splits-TOTAL_FORMS": "0",
            "splits-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content
    deal = Deal.objects.get(external_id="ADM-1")
    assert list(deal.splits.values_list("person__name", "percent")) == [("Bert Rep", 100)]
    assert deal.stage_entered_at is not None


def test_admin_refuses_to_put_a_team_under_its_own_sub_team(personas, client_for):
    team = personas.team_a
    response = client_for(personas.admin).post(
        reverse("admin:salesops_team_change", args=[team.pk]),
        {
            "name": "Team A",
            "parent": personas.team_a_east.pk,
            "manager": personas.person("manager_a").pk,
            "structure": "territory",
            "region": "Central",
            "members-TOTAL_FORMS": "0",
            "members-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "cannot sit under itself" in response.content.decode()
    team.refresh_from_db()
    assert team.parent is None

"""Admin for every model with history for sales ops; pay kept out of logs; territory reads."""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal as D

import pytest
from django.apps import apps
from django.contrib import admin

from compensation.models import Statement
from compensation.services import statements as svc
from salesops import calendar
from tests.compensation.factories import FLAT_5, approved_plan, assign, won_deal

pytestmark = pytest.mark.django_db


def test_every_compensation_model_is_in_the_admin():
    models = set(apps.get_app_config("compensation").get_models())
    registered = {m for m in models if m in admin.site._registry}
    assert registered == {m for m in models if not m.__name__.startswith("Historical")}


@pytest.fixture
def statement(personas):
    version = approved_plan("Flat", FLAT_5, dt.date(2026, 1, 1))
    rep = personas.person("rep_a1")
    assign(rep, version, dt.date(2026, 1, 1))
    won_deal(rep, "123456.78", dt.date(2026, 3, 10))
    return svc.statement_generate(
        person=rep, period=calendar.month_containing(dt.date(2026, 3, 15)), user=personas.sales_ops
    )


def test_sales_ops_see_statement_history_in_the_admin(personas, statement, client_for):
    from salesops.services.roles import roles_sync

    roles_sync()
    from salesops.services.people import person_sync_groups

    person_sync_groups(person=personas.person("sales_ops"))
    client = client_for(personas.sales_ops)
    for url in (
        "/admin/compensation/statement/",
        f"/admin/compensation/statement/{statement.pk}/change/",
        f"/admin/compensation/statement/{statement.pk}/history/",
        "/admin/compensation/quota/",
        "/admin/compensation/planversion/",
        "/admin/compensation/dispute/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
    history = client.get(f"/admin/compensation/statement/{statement.pk}/history/")
    assert "sales_ops" in history.content.decode()


def test_reps_have_no_admin(personas, statement, client_for):
    response = client_for(personas.rep_a1).get("/admin/compensation/statement/")
    assert response.status_code == 302


def test_pay_amounts_never_reach_the_logs(personas, statement, api_client_for, caplog):
    caplog.set_level(logging.DEBUG)
    ops = api_client_for(personas.sales_ops)
    ops.post("/api/v1/compensation/statements/generate/", {"period": statement.period_key})
    api_client_for(personas.rep_b1).get(f"/api/v1/compensation/statements/{statement.pk}/")
    ops.post(
        "/api/v1/compensation/simulate/",
        {"plan": {"base_rate": "x"}, "deals": [{"amount": "987654.32", "date": "2026-03-01"}]},
        format="json",
    )
    logged = "\n".join(r.getMessage() for r in caplog.records)
    for secret in ("6172.84", "6,172.84", "123456.78", "123,456.78", "987654.32"):
        assert secret not in logged
    assert Statement.objects.get(pk=statement.pk).payable == D("6172.84")

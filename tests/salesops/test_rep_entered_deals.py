"""A won deal its own owner enters is recorded and shown to their manager until confirmed; a
setting decides whether it counts for pay before that (default: it does, and the statement line
says who entered it)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from compensation.models import Statement
from compensation.services import statements as svc
from salesops import calendar
from salesops.models import Deal
from tests.compensation.factories import FLAT_5, approved_plan, assign
from tests.factories import DealFactory

pytestmark = pytest.mark.django_db
MAR = calendar.month_containing(dt.date(2026, 3, 15))
CLOSE = MAR.start + dt.timedelta(days=4)


def _rep_wins(personas, api_client_for, value="1000.00"):
    deal = DealFactory(owner=personas.person("rep_a1"))
    response = api_client_for(personas.rep_a1).post(
        f"/api/v1/deals/{deal.pk}/stage/",
        {"stage": "won", "close_date": CLOSE.isoformat(), "close_value": value},
        format="json",
    )
    assert response.status_code == 200, response.content
    return deal, response.json()


def test_a_deal_its_owner_wins_awaits_the_managers_confirmation(personas, api_client_for):
    deal, body = _rep_wins(personas, api_client_for)
    assert body["entered_by_owner"] is True and body["needs_confirmation"] is True
    assert Deal.history.filter(id=deal.pk).first().history_user == personas.rep_a1
    waiting = api_client_for(personas.manager_a).get("/api/v1/deals/?needs_confirmation=true")
    assert [d["id"] for d in waiting.json()["results"]] == [deal.pk]
    assert (
        api_client_for(personas.manager_b)
        .get("/api/v1/deals/?needs_confirmation=true")
        .json()["results"]
        == []
    )


def test_the_manager_confirms_and_the_rep_cannot(personas, api_client_for):
    deal, _ = _rep_wins(personas, api_client_for)
    own = api_client_for(personas.rep_a1).post(f"/api/v1/deals/{deal.pk}/confirm/")
    assert own.status_code == 403
    other = api_client_for(personas.manager_b).post(f"/api/v1/deals/{deal.pk}/confirm/")
    assert other.status_code == 404
    confirmed = api_client_for(personas.manager_a).post(f"/api/v1/deals/{deal.pk}/confirm/")
    assert confirmed.status_code == 200, confirmed.content
    assert confirmed.json()["needs_confirmation"] is False
    deal.refresh_from_db()
    assert deal.confirmed_by == personas.manager_a
    assert Deal.history.filter(id=deal.pk).first().history_user == personas.manager_a


def test_the_owner_changing_a_confirmed_deal_needs_a_new_confirmation(personas, api_client_for):
    deal, _ = _rep_wins(personas, api_client_for)
    api_client_for(personas.manager_a).post(f"/api/v1/deals/{deal.pk}/confirm/")
    changed = api_client_for(personas.rep_a1).patch(
        f"/api/v1/deals/{deal.pk}/", {"close_value": "90000.00"}, format="json"
    )
    assert changed.status_code == 200
    assert changed.json()["needs_confirmation"] is True


def test_sales_ops_entering_a_won_deal_needs_no_confirmation(personas, api_client_for):
    deal = DealFactory(owner=personas.person("rep_a1"))
    response = api_client_for(personas.sales_ops).post(
        f"/api/v1/deals/{deal.pk}/stage/",
        {"stage": "won", "close_date": CLOSE.isoformat(), "close_value": "10.00"},
        format="json",
    )
    assert response.json()["needs_confirmation"] is False


@pytest.fixture
def on_plan(personas):
    version = approved_plan("Flat", FLAT_5, calendar.month_containing(dt.date(2026, 1, 15)).start)
    assign(personas.person("rep_a1"), version, dt.date(2026, 1, 1))
    return version


def test_by_default_an_unconfirmed_deal_pays_and_its_line_says_who_entered_it(
    personas, api_client_for, client_for, on_plan
):
    _rep_wins(personas, api_client_for)
    statement = svc.statement_generate(person=personas.person("rep_a1"), period=MAR)
    assert statement.payable == Decimal("50.00")
    page = client_for(personas.manager_a).get(f"/compensation/statements/{statement.pk}/")
    text = page.content.decode()
    assert f"Entered by {personas.person('rep_a1').name}, not yet confirmed" in text


def test_with_the_setting_off_an_unconfirmed_deal_pays_once_confirmed(
    personas, api_client_for, on_plan, settings
):
    settings.COMP_REP_DEALS_PAY_BEFORE_CONFIRMATION = False
    deal, _ = _rep_wins(personas, api_client_for)
    rep = personas.person("rep_a1")
    assert svc.statement_generate(person=rep, period=MAR).payable == Decimal("0.00")
    api_client_for(personas.manager_a).post(f"/api/v1/deals/{deal.pk}/confirm/")
    svc.statements_generate(period=MAR)
    assert Statement.objects.get(person=rep, period_start=MAR.start).payable == Decimal("50.00")

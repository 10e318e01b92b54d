import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from tests.factories import SalesCostFactory, WonDealFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def ledger(personas):
    """rep_a1 won 1,000,000 at cost 700,000; rep_b1 won 12,000,000 at cost 2,000,000 (docs/domain.md)."""
    day = dt.date(2026, 3, 10)
    WonDealFactory(owner=personas.person("rep_a1"), close_value=Decimal("1000000"), close_date=day)
    SalesCostFactory(person=personas.person("rep_a1"), amount=Decimal("700000"), date=day)
    WonDealFactory(owner=personas.person("rep_b1"), close_value=Decimal("12000000"), close_date=day)
    SalesCostFactory(person=personas.person("rep_b1"), amount=Decimal("2000000"), date=day)
    return personas


@time_machine.travel(dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC))
@pytest.mark.parametrize(
    ("who", "revenue", "ratio"),
    [
        ("rep_a1", "USD 1,000,000", "142.9"),
        ("manager_a", "USD 1,000,000", "142.9"),
        ("rep_b1", "USD 12,000,000", "600.0"),
        ("sales_ops", "USD 13,000,000", "481.5"),
        ("admin", "USD 13,000,000", "481.5"),
    ],
)
def test_home_shows_each_persona_their_own_numbers(ledger, client_for, who, revenue, ratio):
    response = client_for(getattr(ledger, who)).get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'data-testid="home-revenue">{revenue}<' in html
    assert f'data-testid="home-ratio">{ratio}<' in html


@time_machine.travel(dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC))
def test_home_ratio_is_a_dash_when_there_is_no_cost(personas, client_for):
    WonDealFactory(
        owner=personas.person("rep_a2"), close_value=Decimal("10"), close_date=dt.date(2026, 2, 1)
    )
    html = client_for(personas.rep_a2).get("/").content.decode()
    assert 'data-testid="home-ratio">—<' in html


def test_home_requires_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_login_page_renders_and_logs_in(personas, client):
    assert client.get("/accounts/login/").status_code == 200
    response = client.post(
        "/accounts/login/", {"username": "rep_a1", "password": "test-pass-123"}, follow=True
    )
    assert response.redirect_chain[-1][0] == "/"
    assert "Anna Rep" in response.content.decode()

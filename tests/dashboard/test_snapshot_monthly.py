"""The monthly chart of /me/ and the dashboard reads the nightly snapshots (closed months and the
month to date) when they hold every month, equal to the live figures of the same days, without
reading a deal or a ledger line; otherwise it is computed live as before."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dashboard.scopes import dashboard_scope_get, dashboard_scope_options, personal_scope
from dashboard.selectors import dashboard_monthly
from dashboard.snapshots import AsOf, figures_as_of
from salesops.services.efficiency import efficiency_snapshots_compute
from tests.dashboard.conftest import NOW

TODAY = NOW.date()  # 2026-03-20
AS_OF = TODAY - dt.timedelta(days=1)  # the nightly run's business date
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("january_berlin")]


@pytest.fixture
def as_of(book: Any) -> AsOf:
    efficiency_snapshots_compute(as_of=AS_OF)
    found = figures_as_of()
    assert found is not None and found.day == AS_OF
    return found


def _scopes(personas: Any) -> list[tuple[Any, list[int]]]:
    company = dashboard_scope_get(
        user=personas.sales_ops, value="", options=dashboard_scope_options(user=personas.sales_ops)
    )
    return [
        (personal_scope(person=personas.person("rep_a1")), []),
        (personal_scope(person=personas.person("rep_b1")), []),
        (company, []),
    ]


def test_monthly_series_from_snapshots_equals_the_live_series_of_the_same_days(
    personas: Any, as_of: AsOf
) -> None:
    for scope, roots in _scopes(personas):
        snap = dashboard_monthly(scope=scope, end=TODAY, as_of=as_of, roots=roots)
        live = dashboard_monthly(scope=scope, end=AS_OF, as_of=None)
        assert snap.as_of == AS_OF and live.as_of is None
        assert snap.months == live.months
        assert (snap.revenue, snap.cost, snap.ratio) == (live.revenue, live.cost, live.ratio)
        assert any(snap.revenue) or any(snap.cost)


def test_monthly_series_from_snapshots_reads_no_deal_and_no_ledger_line(
    personas: Any, as_of: AsOf
) -> None:
    scope = personal_scope(person=personas.person("rep_a1"))
    with CaptureQueriesContext(connection) as queries:
        series = dashboard_monthly(scope=scope, end=TODAY, as_of=as_of)
    assert series.as_of == AS_OF
    assert len(queries.captured_queries) == 1
    statement = queries.captured_queries[0]["sql"]
    assert "salesops_deal" not in statement and "salesops_salescost" not in statement


def test_monthly_series_is_live_for_months_the_snapshots_do_not_hold(
    personas: Any, as_of: AsOf
) -> None:
    scope = personal_scope(person=personas.person("rep_a1"))
    # A month after the night's (the snapshots know nothing of it yet) ...
    later = dashboard_monthly(scope=scope, end=dt.date(2026, 4, 10), as_of=as_of)
    # ... and a team scope without its top teams are computed from the deals and the ledger.
    team = dashboard_scope_get(
        user=personas.manager_a, value="", options=dashboard_scope_options(user=personas.manager_a)
    )
    without_roots = dashboard_monthly(scope=team, end=TODAY, as_of=as_of)
    assert later.as_of is None and without_roots.as_of is None
    assert later.revenue[:-1] == dashboard_monthly(scope=scope, end=TODAY, as_of=None).revenue[1:]

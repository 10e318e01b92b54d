"""The efficiency engine counts a rep-entered, unconfirmed won deal exactly as pay does
(COMP_REP_DEALS_PAY_BEFORE_CONFIRMATION): by default it counts; with the setting off it counts
only once the owner's manager or sales ops confirm it, and the next incremental run picks that up."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db.models import Sum

from salesops import calendar
from salesops.selectors.credit import credited_splits
from salesops.services.deals import deal_confirm
from salesops.services.efficiency import efficiency_snapshots_compute
from tests.salesops.test_efficiency_support import snap, won

AS_OF = dt.date(2026, 4, 10)
MARCH = calendar.month_containing(dt.date(2026, 3, 15))

pytestmark = pytest.mark.django_db


def _book(personas):
    rep = personas.person("rep_a1")
    won(rep, "1000", dt.date(2026, 3, 10))
    entered = won(rep, "500", dt.date(2026, 3, 12))
    entered.entered_by_owner = True
    entered.save(update_fields=["entered_by_owner", "updated_at"])
    return rep, entered


def _pay_credit(rep) -> Decimal:
    """What compensation credits the rep for March (the one credit selector)."""
    total = credited_splits(start=MARCH.start, end=MARCH.end, person_ids=[rep.pk]).aggregate(
        t=Sum("credit")
    )["t"]
    return total or Decimal(0)


def test_unconfirmed_rep_entered_deal_counts_by_default(personas, settings):
    settings.COMP_REP_DEALS_PAY_BEFORE_CONFIRMATION = True
    rep, _ = _book(personas)
    efficiency_snapshots_compute(as_of=AS_OF)
    row = snap("person", rep, "month", MARCH.start, MARCH.end)
    assert row.revenue == Decimal("1500") == _pay_credit(rep)
    assert row.won_deals == 2


def test_with_the_setting_off_the_engine_leaves_it_out_until_confirmed(personas, settings):
    settings.COMP_REP_DEALS_PAY_BEFORE_CONFIRMATION = False
    rep, entered = _book(personas)
    efficiency_snapshots_compute(as_of=AS_OF)
    row = snap("person", rep, "month", MARCH.start, MARCH.end)
    assert row.revenue == Decimal("1000") == _pay_credit(rep)
    assert row.won_deals == 1
    team = snap("team", personas.team_a, "month", MARCH.start, MARCH.end)
    assert team.revenue == Decimal("1000")

    deal_confirm(user=personas.manager_a, deal=entered)
    # The next night's incremental run sees the confirmation (the deal's updated_at moved).
    result = efficiency_snapshots_compute(as_of=AS_OF + dt.timedelta(days=1))
    assert result.full is False
    row = snap("person", rep, "month", MARCH.start, MARCH.end)
    assert row.revenue == Decimal("1500") == _pay_credit(rep)
    assert row.won_deals == 2


def test_turning_the_setting_off_rebuilds_the_days_on_the_next_run(personas, settings):
    settings.COMP_REP_DEALS_PAY_BEFORE_CONFIRMATION = True
    rep, _ = _book(personas)
    efficiency_snapshots_compute(as_of=AS_OF)
    assert snap("person", rep, "month", MARCH.start, MARCH.end).revenue == Decimal("1500")
    settings.COMP_REP_DEALS_PAY_BEFORE_CONFIRMATION = False
    # Nothing changed in the data: only the rule did, and the run notices.
    result = efficiency_snapshots_compute(as_of=AS_OF + dt.timedelta(days=1))
    assert result.full is True
    assert snap("person", rep, "month", MARCH.start, MARCH.end).revenue == Decimal("1000")

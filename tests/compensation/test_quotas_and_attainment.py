"""Quotas (spread, ramp, roll-up), attainment through the one credit function, clubs, calendar."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from compensation.models import Quota
from compensation.selectors import (
    attainment_for_people,
    club_members,
    quota_totals_for_territories,
    team_rollup,
)
from compensation.services.quotas import Assignee, quota_set, spread
from salesops import calendar
from tests.compensation.factories import month_quota, territory, won_deal
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db
FY26 = calendar.year_containing(dt.date(2026, 3, 15))
MARCH = calendar.month_containing(dt.date(2026, 3, 15))


def test_fiscal_calendar_with_a_july_start(settings):
    settings.FISCAL_CALENDAR = "months"
    settings.FISCAL_YEAR_START_MONTH = 7
    fy = calendar.year(2027)
    assert (fy.start, fy.end) == (dt.date(2026, 7, 1), dt.date(2027, 6, 30))
    assert calendar.year_containing(dt.date(2026, 7, 1)) == calendar.year(2027)
    assert calendar.year_containing(dt.date(2026, 6, 30)).name == "FY2026"
    q2 = calendar.period_containing(dt.date(2026, 11, 15), calendar.QUARTER)
    assert (q2.key, q2.start, q2.end) == ("FY2027-Q2", dt.date(2026, 10, 1), dt.date(2026, 12, 31))
    assert calendar.parse("FY2027-M01").start == dt.date(2026, 7, 1)
    assert calendar.month(2027, 12).next() == calendar.month(2028, 1)


def test_spread_adds_up_to_the_amount_exactly():
    parts = spread(D("1000000.00"), [D(100) / 12] * 12)
    assert sum(parts) == D("1000000.00")
    assert parts[0] == D("83333.33")


def test_annual_quota_spread_by_seasonality(personas):
    rep = personas.person("rep_a1")
    weights = [D(5)] * 4 + [D(10)] * 8
    rows = quota_set(
        user=personas.sales_ops,
        assignee=Assignee(person=rep),
        metric="revenue",
        period=FY26,
        amount=D(120000),
        seasonality=weights,
    )
    assert [r.amount for r in rows] == [D("6000.00")] * 4 + [D("12000.00")] * 8
    assert Quota.objects.filter(person=rep).count() == 12


def test_seasonality_must_sum_to_100(personas):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        quota_set(
            user=None,
            assignee=Assignee(person=personas.person("rep_a1")),
            metric="revenue",
            period=FY26,
            amount=D(1000),
            seasonality=[D(8)] * 12,
        )


def test_new_hire_ramps_25_50_75_100_from_hire_month(personas):
    rep = personas.person("rep_a2")
    rep.hire_date = dt.date(2026, 3, 20)
    rep.save()
    rows = quota_set(
        user=None, assignee=Assignee(person=rep), metric="revenue", period=FY26, amount=D(120000)
    )
    # Nothing before the hire month (the fiscal month holding 20 March), then 25/50/75/100 %.
    hired = [r.period_start for r in rows].index(calendar.month_containing(rep.hire_date).start)
    assert [r.amount for r in rows] == [D("0.00")] * hired + [
        D("2500.00"),
        D("5000.00"),
        D("7500.00"),
        *[D("10000.00")] * (12 - hired - 3),
    ]
    assert "ramp 25 %" in rows[hired].basis


def test_setting_the_same_quota_again_writes_no_history(personas):
    rep = personas.person("rep_a1")
    args = dict(assignee=Assignee(person=rep), metric="revenue", period=MARCH, amount=D(5000))
    quota_set(user=personas.sales_ops, **args)
    quota_set(user=personas.sales_ops, **args)
    assert Quota.history.filter(person_id=rep.pk).count() == 1


def test_split_credit_counts_only_each_persons_share(personas):
    """docs/domain.md: 100 % of a 5-unit deal and 50 % of a 10-unit deal → 10 achieved."""
    rep, other = personas.person("rep_a1"), personas.person("rep_a2")
    month_quota(rep, MARCH, "20")
    won_deal(rep, "5", dt.date(2026, 3, 2))
    won_deal(rep, "10", dt.date(2026, 3, 3), splits=[(rep, "50"), (other, "50")])
    rows = attainment_for_people(
        user=personas.sales_ops,
        person_ids=[rep.pk],
        start=MARCH.start,
        end=MARCH.end,
        today=dt.date(2026, 3, 31),
    )
    assert rows[rep.pk].credited == D(10)
    assert rows[rep.pk].percent == D("50.00")


def test_pace_compares_credit_with_where_the_rep_should_be_today(personas):
    rep = personas.person("rep_a1")
    month_quota(rep, calendar.month_containing(dt.date(2026, 4, 15)), "3000")  # April: 30 days
    won_deal(rep, "1500", dt.date(2026, 4, 5))
    row = attainment_for_people(
        user=personas.sales_ops,
        person_ids=[rep.pk],
        start=dt.date(2026, 4, 1),
        end=dt.date(2026, 4, 30),
        today=dt.date(2026, 4, 10),
    )[rep.pk]
    assert row.expected_to_date == D("1000.00")
    assert row.pace_percent == D("150.00")
    assert row.percent == D("50.00")


def test_attainment_leaves_out_people_outside_the_callers_scope(personas):
    ids = [personas.person(n).pk for n in ("rep_a1", "rep_b1", "outsider")]
    rows = attainment_for_people(
        user=personas.rep_a1, person_ids=ids, start=MARCH.start, end=MARCH.end
    )
    assert set(rows) == {personas.person("rep_a1").pk}
    rows = attainment_for_people(
        user=personas.manager_a, person_ids=ids, start=MARCH.start, end=MARCH.end
    )
    assert set(rows) == {personas.person("rep_a1").pk}


def test_new_logos_count_first_won_deal_per_account(personas):
    rep = personas.person("rep_a1")
    account = AccountFactory()
    won_deal(rep, "100", dt.date(2026, 1, 10), account=account)
    won_deal(rep, "100", dt.date(2026, 3, 10), account=account)
    won_deal(rep, "100", dt.date(2026, 3, 11))
    start, end = MARCH.start, MARCH.end
    logos = attainment_for_people(
        user=personas.sales_ops, person_ids=[rep.pk], start=start, end=end, metric="new_logos"
    )[rep.pk]
    retention = attainment_for_people(
        user=personas.sales_ops, person_ids=[rep.pk], start=start, end=end, metric="retention"
    )[rep.pk]
    assert logos.credited == D(1)
    assert retention.credited == D(100)


def test_clubs_at_100_and_125_percent_of_annual_plan(personas):
    a1, a2, a3 = (personas.person(n) for n in ("rep_a1", "rep_a2", "rep_a3"))
    for rep in (a1, a2, a3):
        quota_set(
            user=None, assignee=Assignee(person=rep), metric="revenue", period=FY26, amount=D(1000)
        )
    won_deal(a1, "1250", dt.date(2026, 5, 1))
    won_deal(a2, "1000", dt.date(2026, 6, 1))
    won_deal(a3, "999.99", dt.date(2026, 6, 1))
    members = club_members(year=FY26)
    assert [(m.person_id, m.tier, m.attainment_percent) for m in members] == [
        (a1.pk, "chairmans", D("125.00")),
        (a2.pk, "presidents", D("100.00")),
    ]


def test_team_rollup_shows_over_assignment(personas):
    team = personas.team_a
    quota_set(
        user=None, assignee=Assignee(team=team), metric="revenue", period=MARCH, amount=D(10000)
    )
    for name, amount in (("rep_a1", "6000"), ("rep_a2", "3000"), ("rep_a3", "3000")):
        month_quota(personas.person(name), MARCH, amount)
    won_deal(personas.person("rep_a3"), "5000", dt.date(2026, 3, 3))
    (row,) = team_rollup(
        user=personas.manager_a, team_ids=[team.pk], start=MARCH.start, end=MARCH.end
    )
    assert row.own_quota == D(10000)
    assert row.members_quota == D(12000)  # includes the sub-team A East
    assert row.assignment_gap == D(2000)
    assert row.credited == D(5000)
    assert row.percent == D("50.00")


def test_territory_quota_totals_for_the_balance_view(personas):
    north, south = territory("North"), territory("South")
    quota_set(
        user=None,
        assignee=Assignee(territory_id=north.pk),
        metric="revenue",
        period=FY26,
        amount=D(1200),
    )
    quota_set(
        user=None,
        assignee=Assignee(territory_id=south.pk),
        metric="revenue",
        period=calendar.year_containing(dt.date(2025, 3, 15)),
        amount=D(99),
    )
    totals = quota_totals_for_territories(territory_ids=[north.pk, south.pk], year=FY26)
    assert totals == {north.pk: D(1200)}


def test_a_quota_has_exactly_one_assignee(personas):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        Assignee(person=personas.person("rep_a1"), territory_id=3)
    with pytest.raises(ValidationError):
        Assignee()


def test_pipeline_created_counts_deals_engaged_that_got_past_prospecting(personas):
    from tests.factories import DealFactory

    rep = personas.person("rep_a1")
    common = dict(owner=rep, engage_date=dt.date(2026, 3, 5), amount=D(1000))
    DealFactory(stage="presentation", **common)
    DealFactory(stage="prospecting", **common)
    DealFactory(stage="lost", lost_at_stage="closing", close_date=dt.date(2026, 3, 9), **common)
    DealFactory(stage="lost", lost_at_stage="prospecting", close_date=dt.date(2026, 3, 9), **common)
    DealFactory(stage="presentation", owner=rep, engage_date=dt.date(2026, 2, 5), amount=D(9))
    row = attainment_for_people(
        user=personas.sales_ops,
        person_ids=[rep.pk],
        start=MARCH.start,
        end=MARCH.end,
        metric="pipeline_created",
    )[rep.pk]
    assert row.credited == D(2000)


def test_meetings_held_comes_from_the_registered_provider(personas, monkeypatch):
    from compensation.selectors import attainment as attainment_module
    from compensation.selectors import register_metric_provider

    rep = personas.person("rep_a2")
    quota_set(
        user=None, assignee=Assignee(person=rep), metric="meetings_held", period=MARCH, amount=D(40)
    )
    monkeypatch.setattr(attainment_module, "_providers", {})
    register_metric_provider("meetings_held", lambda ids, start, end: {rep.pk: D(30)})
    row = attainment_for_people(
        user=personas.sales_ops,
        person_ids=[rep.pk],
        start=MARCH.start,
        end=MARCH.end,
        metric="meetings_held",
    )[rep.pk]
    assert (row.quota, row.credited, row.percent) == (D(40), D(30), D("75.00"))

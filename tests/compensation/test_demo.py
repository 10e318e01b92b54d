"""The demo seed: quotas for everyone, two plans, statements in every state, disputes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
import time_machine

from compensation import demo
from compensation.models import CommissionPlan, Dispute, PlanVersion, Quota, Statement
from compensation.selectors import attainment_for_people, club_members
from salesops import calendar
from salesops.models import Role
from tests.compensation.factories import won_deal
from tests.factories import PersonFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db
TODAY = dt.datetime(2026, 6, 15, 12, tzinfo=dt.UTC)
THIS_YEAR = calendar.year_containing(TODAY.date())
LAST_YEAR_DAY = THIS_YEAR.previous().start + dt.timedelta(days=70)  # big deals last year


def _org():
    team = TeamFactory(name="Demo team")
    ops = PersonFactory(user=UserFactory(username="ops"), role=Role.SALES_OPS_MANAGER, team=None)
    manager = PersonFactory(
        user=UserFactory(username="manager"), role=Role.SALES_MANAGER, team=team
    )
    team.manager = manager
    team.save()
    rep = PersonFactory(user=UserFactory(username="rep"), team=team, manager=manager)
    others = [PersonFactory(team=team, manager=manager) for _ in range(6)]
    sdr = PersonFactory(role=Role.SDR, team=team, manager=manager)
    for i, person in enumerate([rep, *others, sdr]):
        for month in range(1, 7):
            won_deal(person, str(10_000 + 1_000 * i), dt.date(2026, month, 10 + i))
        won_deal(person, str(50_000 + 5_000 * i), LAST_YEAR_DAY + dt.timedelta(days=i))
    return ops, manager, rep, others


@time_machine.travel(TODAY, tick=False)
def test_seed_demo_builds_a_year_of_pay_data():
    ops, manager, rep, others = _org()
    demo.seed_demo(seed=7, scale="small")
    assert (
        Quota.objects.filter(person=rep, metric="revenue", fiscal_year=THIS_YEAR.fy).count() == 12
    )
    assert not Quota.objects.filter(person=manager).exists()  # their number is the team's
    assert not Statement.objects.filter(person=manager).exists()
    assert not Quota.objects.filter(person=ops).exists()
    assert Quota.objects.filter(team__name="Demo team", fiscal_year=THIS_YEAR.fy).count() == 12
    assert set(CommissionPlan.objects.values_list("name", flat=True)) == {
        demo.ACCELERATED,
        demo.RETROACTIVE,
    }
    assert set(PlanVersion.objects.values_list("status", flat=True)) == {"approved"}
    assert set(Statement.objects.values_list("status", flat=True)) == {"draft", "approved", "paid"}
    current = Statement.objects.get(
        person=rep, period_start=calendar.month_containing(TODAY.date()).start
    )
    assert current.status == "draft" and current.lines.exists() and current.payable > 0
    assert current.lines.filter(kind="clawback").exists()
    assert set(Dispute.objects.values_list("status", flat=True)) == {"open", "rejected"}
    year = THIS_YEAR
    rows = attainment_for_people(
        user=ops.user,
        person_ids=[p.pk for p in [rep, *others]],
        start=year.start,
        end=year.end,
        today=TODAY.date(),
    )
    # "A little ahead of plan": the demo sizes the rep's quota so that what they sold is 112 % of
    # the seasonal plan to date (Σ monthly quota rows, pro rata in the current month). Pace is
    # linear (quota × elapsed share of the year); the demo's seasonality is back-loaded, so early
    # in a year pace sits below that, by how much depending on the calendar's month lengths
    # (mid-June: 102.2 % with January months, 98.6 % in a 4-5-4 year from February). The bound
    # holds on the plan the demo sizes, under every calendar.
    plan_to_date = sum(
        (
            demo._to_date(q, TODAY.date())
            for q in Quota.objects.filter(
                person=rep, metric="revenue", period_start__gte=year.start, period_end__lte=year.end
            )
        ),
        D(0),
    )
    ahead = rows[rep.pk].credited / plan_to_date * 100
    assert D(100) < ahead < D(125)
    pace = rows[rep.pk].pace_percent
    assert pace is not None and D(90) < pace < ahead  # linear: behind the seasonal plan in June
    assert all(r.quota for r in rows.values())
    assert Quota.history.filter(history_user=ops.user).exists()
    last_year = club_members(year=THIS_YEAR.previous())
    assert last_year and {m.tier for m in last_year} <= {"presidents", "chairmans"}


@time_machine.travel(TODAY, tick=False)
def test_seed_demo_is_deterministic_and_runs_once():
    _org()
    demo.seed_demo(seed=7, scale="small")
    first = list(Quota.objects.order_by("pk").values_list("amount", flat=True))
    demo.seed_demo(seed=7, scale="small")
    assert list(Quota.objects.order_by("pk").values_list("amount", flat=True)) == first


def test_seed_demo_without_people_does_nothing():
    demo.seed_demo(seed=1, scale="small")
    assert not Quota.objects.exists()

"""Rolled periods: the next night's month-, quarter-, year-to-date and trailing 90 days follow
from last night's rows plus the new day (minus the day that left the window), and equal a full
recomputation; whatever last night's rows cannot vouch for is summed from the days again."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import given
from hypothesis import strategies as st

from salesops.models import EfficiencySnapshot
from salesops.services.efficiency import efficiency_snapshots_compute
from tests.salesops.efficiency_ledgers import (
    HYPO,
    cost_st,
    deal_st,
    load_ledger,
    mutate_ledger,
    mutations_st,
)
from tests.salesops.test_efficiency_support import cost, person_months, snap, table_for, won

# Each night in its own committed transaction, with no overlap on the change watermark, as in
# production: what a night saw is not seen as changed again by the next one.
pytestmark = pytest.mark.django_db(transaction=True)

NIGHT = dt.date(2026, 4, 10)  # mid-month, mid-quarter (fiscal year = calendar year)
DAY = dt.timedelta(days=1)


@pytest.fixture(autouse=True)
def _no_overlap(settings):
    settings.EFFICIENCY_INCREMENTAL_OVERLAP_SECONDS = 0


def _night(as_of: dt.date):
    return efficiency_snapshots_compute(as_of=as_of)


def _assert_equals_full(as_of: dt.date) -> None:
    incremental = table_for(as_of)
    assert efficiency_snapshots_compute(as_of=as_of, full=True).rolled == 0
    assert table_for(as_of) == incremental


@pytest.mark.usefixtures("january_berlin")  # dates are worked examples of the January calendar
def test_next_night_rolls_every_rolling_period_from_last_nights_rows(personas):
    a1, a3 = personas.person("rep_a1"), personas.person("rep_a3")
    won(a1, "1000", NIGHT - 20 * DAY)
    cost("300", NIGHT - 40 * DAY, person=a1)
    cost("80", NIGHT - 3 * DAY, team=personas.team_a_east, category="tools")
    _night(NIGHT - DAY)

    won(a1, "250", NIGHT)
    won(a3, "40", NIGHT, splits=[(a3, "50"), (a1, "50")])
    cost("90", NIGHT, person=a3)
    assert _night(NIGHT).rolled == 5  # the day, month-, quarter-, year-to-date, 90 days

    t90 = snap("person", a1, "t90", NIGHT - 89 * DAY, NIGHT)
    assert (t90.revenue, t90.cost, t90.won_deals) == (Decimal("1270"), Decimal("300"), 2)
    team = snap("team", personas.team_a, "qtd", dt.date(2026, 4, 1), NIGHT)
    assert (team.revenue, team.cost, team.won_deals) == (Decimal("290"), Decimal("170"), 2)
    _assert_equals_full(NIGHT)


def test_a_scope_leaves_the_trailing_window_and_a_zero_sum_scope_stays(personas):
    a1, a2 = personas.person("rep_a1"), personas.person("rep_a2")
    won(a2, "500", NIGHT - 90 * DAY)  # in last night's trailing 90 days, not in tonight's
    cost("100", NIGHT - 30 * DAY, person=a1)
    cost("-100", NIGHT - 29 * DAY, person=a1, category="adjustment", note="correction")
    _night(NIGHT - DAY)
    assert snap("person", a2, "t90", NIGHT - 90 * DAY, NIGHT - DAY).revenue == 500

    assert _night(NIGHT).rolled == 5
    assert not EfficiencySnapshot.objects.filter(
        scope_type="person", scope_id=a2.pk, period="t90", period_end=NIGHT
    ).exists()
    zero = snap("person", a1, "t90", NIGHT - 89 * DAY, NIGHT)
    assert (zero.cost, zero.ratio, zero.source_rows) == (0, None, 2)  # activity, summing to 0
    _assert_equals_full(NIGHT)


@pytest.mark.parametrize(
    ("first", "rolled"),
    [
        (dt.date(2026, 5, 1), 6),  # a month closes: from last night's month-to-date
        (dt.date(2026, 7, 1), 6),  # and a quarter: quarter-to-date is the day alone
        (dt.date(2027, 1, 1), 6),  # and a year
    ],
)
@pytest.mark.usefixtures("january_berlin")  # dates are worked examples of the January calendar
def test_first_of_a_month_closes_the_month_from_last_nights_month_to_date(personas, first, rolled):
    a1, b1 = personas.person("rep_a1"), personas.person("rep_b1")
    won(a1, "700", first - 20 * DAY)
    cost("70", first - DAY, person=a1)
    cost("15", first - 75 * DAY, person=b1)
    _night(first - DAY)

    won(a1, "10", first)
    assert _night(first).rolled == rolled
    closed = snap("person", a1, "month", (first - DAY).replace(day=1), first - DAY)
    assert (closed.revenue, closed.cost) == (Decimal("700"), Decimal("70"))
    assert snap("person", a1, "mtd", first, first).revenue == 10
    _assert_equals_full(first)


@pytest.mark.usefixtures("january_berlin")  # dates are worked examples of the January calendar
def test_a_change_inside_last_nights_periods_sums_those_from_the_days(personas):
    from salesops.services.deals import deal_update

    a1 = personas.person("rep_a1")
    recent = won(a1, "900", NIGHT - 5 * DAY)
    older = won(a1, "400", dt.date(2026, 2, 10))
    cost("50", NIGHT - 5 * DAY, person=a1)
    _night(NIGHT - DAY)

    deal_update(deal=older, data={"stage": "lost"})  # in the year and the trailing 90 days
    won(a1, "10", NIGHT)
    assert _night(NIGHT).rolled == 3  # the day, month- and quarter-to-date still roll
    assert snap("person", a1, "ytd", dt.date(2026, 1, 1), NIGHT).revenue == 910
    _assert_equals_full(NIGHT)

    deal_update(deal=recent, data={"stage": "lost"})  # in every period of last night
    assert _night(NIGHT + DAY).rolled == 1  # the day alone
    assert snap("person", a1, "mtd", dt.date(2026, 4, 1), NIGHT + DAY).revenue == 10
    _assert_equals_full(NIGHT + DAY)


def test_rows_a_later_or_skipped_night_did_not_vouch_for_are_not_rolled(personas):
    a1 = personas.person("rep_a1")
    won(a1, "100", NIGHT - 3 * DAY)
    _night(NIGHT - 2 * DAY)  # the night before last, then no run for NIGHT - 1
    won(a1, "5", NIGHT)
    assert _night(NIGHT).rolled == 1  # the day alone
    _assert_equals_full(NIGHT)

    _night(NIGHT - DAY)  # a backfill after it: NIGHT + 1 must not start from NIGHT's rows
    won(a1, "7", NIGHT + DAY)
    assert _night(NIGHT + DAY).rolled == 1  # the day alone
    _assert_equals_full(NIGHT + DAY)


def test_a_team_move_and_a_role_change_are_seen_by_the_next_incremental_night(personas):
    """A person's team or role change re-aggregates all of their days (found by probing the
    (day, person) key over the calendar) in an incremental night, committed like production:
    the move applies from its date on, the role to every day; the rest rolls as usual."""
    from salesops.models import Role
    from salesops.services.people import person_move_team, person_update

    a1, a2 = personas.person("rep_a1"), personas.person("rep_a2")
    won(a1, "1000", NIGHT - 20 * DAY)  # after the move below: team B's
    cost("300", NIGHT - 40 * DAY, person=a1)  # before it: stays team A's
    won(a2, "500", NIGHT - 10 * DAY)
    cost("100", NIGHT - 10 * DAY, person=a2)
    assert _night(NIGHT - DAY).full  # the first night builds everything

    person_move_team(person=a1, team=personas.team_b, on=NIGHT - 30 * DAY)
    person_update(person=a2, data={"role": Role.ACCOUNT_EXECUTIVE})
    result = _night(NIGHT)
    assert not result.full and result.rolled > 0

    t90 = (NIGHT - 89 * DAY, NIGHT)
    team_a, team_b = (
        snap("team", personas.team_a, "t90", *t90),
        snap("team", personas.team_b, "t90", *t90),
    )
    assert (team_b.revenue, team_b.cost) == (1000, 0)
    assert (team_a.revenue, team_a.cost) == (500, 400)
    ae = EfficiencySnapshot.objects.get(
        scope_type="role", scope_key=Role.ACCOUNT_EXECUTIVE, period="t90", period_end=NIGHT
    )
    assert (ae.revenue, ae.cost) == (1500, 400)
    assert not EfficiencySnapshot.objects.filter(
        scope_type="role", scope_key=Role.SDR, period="t90", period_end=NIGHT
    ).exists()
    _assert_equals_full(NIGHT)


@pytest.mark.usefixtures("january_berlin")  # dates are worked examples of the January calendar
def test_every_kind_of_change_to_old_days_is_seen_by_the_next_incremental_night(personas):
    """Committed nights: a moved close date, a removed split, a deleted and an edited cost, a new
    deal; the incremental night (touched pairs, dirty old values, pending closed months) equals a
    full recomputation and drops the scopes left without activity."""
    from salesops.services.deals import deal_splits_set, deal_update

    a1, a2, b1 = personas.person("rep_a1"), personas.person("rep_a2"), personas.person("rep_b1")
    d1 = won(a1, "1000", dt.date(2026, 2, 3))
    d2 = won(a2, "500", dt.date(2026, 3, 3), splits=[(a2, "50"), (b1, "50")])
    c1 = cost("300", dt.date(2026, 2, 3), person=a1)
    c2 = cost("80", dt.date(2026, 3, 9), team=personas.team_b, category="tools")
    _night(NIGHT - DAY)

    deal_update(deal=d1, data={"close_date": dt.date(2026, 1, 20)})
    deal_splits_set(deal=d2, splits=[(a2, Decimal(100))])
    c1.delete()
    c2.amount = Decimal("40")
    c2.save()
    won(b1, "70", NIGHT)
    assert not _night(NIGHT).full
    march = dt.date(2026, 3, 1)
    assert not EfficiencySnapshot.objects.filter(
        scope_type="person", scope_id=b1.pk, period="month", period_start=march
    ).exists()
    assert snap("person", a1, "month", dt.date(2026, 1, 1), dt.date(2026, 1, 31)).revenue == 1000
    assert snap("team", personas.team_b, "month", march, dt.date(2026, 3, 31)).cost == 40
    _assert_equals_full(NIGHT)


@pytest.mark.usefixtures("january_berlin")
def test_changes_to_days_kept_per_month_are_seen_by_the_next_incremental_night(personas):
    """Before the day horizon (2026-01-01 for NIGHT: the month of NIGHT - 90 days) the state is
    one row per person, month and team. Committed nights: a moved close date, a removed split, a
    deleted and an edited cost in 2025, and a person moved to another team from a 2025 day; the
    next incremental night re-aggregates the touched person-months, equals a full recomputation,
    and leaves the same month rows a full rebuild writes."""
    from salesops.services.deals import deal_splits_set, deal_update
    from salesops.services.people import person_move_team

    a1, a2, b1 = personas.person("rep_a1"), personas.person("rep_a2"), personas.person("rep_b1")
    d1 = won(a1, "1000", dt.date(2025, 6, 3))
    won(a1, "200", dt.date(2025, 6, 20))
    d2 = won(a2, "500", dt.date(2025, 7, 3), splits=[(a2, "50"), (b1, "50")])
    c1 = cost("300", dt.date(2025, 6, 3), person=a1)
    c2 = cost("80", dt.date(2025, 7, 9), person=b1)
    _night(NIGHT - DAY)
    june = dt.date(2025, 6, 1)
    assert (a1.pk, june, personas.team_a.pk, 1200, 300, 2, 2) in person_months()

    deal_update(deal=d1, data={"close_date": dt.date(2025, 5, 20)})
    deal_splits_set(deal=d2, splits=[(a2, Decimal(100))])
    c1.delete()
    c2.amount = Decimal("40")
    c2.save()
    person_move_team(person=a2, team=personas.team_b, on=dt.date(2025, 7, 10))
    won(b1, "70", NIGHT)
    assert not _night(NIGHT).full

    months = person_months()
    assert (a1.pk, june, personas.team_a.pk, 200, 0, 1, 1) in months
    assert (a1.pk, dt.date(2025, 5, 1), personas.team_a.pk, 1000, 0, 1, 1) in months
    july = dt.date(2025, 7, 1)
    assert (a2.pk, july, personas.team_a.pk, 500, 0, 1, 1) in months  # before the move
    assert snap("person", a1, "month", june, dt.date(2025, 6, 30)).revenue == 200
    assert snap("team", personas.team_b, "month", july, dt.date(2025, 7, 31)).cost == 40
    _assert_equals_full(NIGHT)
    assert person_months() == months


ENGINE_AND_SOURCE_TABLES = (
    "salesops_dealsplit, salesops_deal, salesops_salescost, salesops_efficiencysnapshot, "
    "salesops_efficiencypersonday, salesops_efficiencypersonmonth, salesops_efficiencyteamday, "
    "salesops_efficiencycursor, "
    "salesops_efficiencydirty, salesops_efficiencypendingday, "
    "salesops_efficiencyscopependingday, salesops_efficiencyscopeday"
)


@HYPO
@given(
    deals=st.lists(deal_st, max_size=8),
    costs=st.lists(cost_st, max_size=8),
    # Not move_team: a membership outlives the per-example clean-up below.
    changes=mutations_st(("lose", "move", "resplit", "delete_cost", "add"), max_size=4),
    night=st.sampled_from(
        [dt.date(2026, 4, 10), dt.date(2026, 5, 1), dt.date(2026, 4, 1), dt.date(2026, 1, 1)]
    ),
)
def test_the_next_night_equals_a_full_recomputation(personas, deals, costs, changes, night):
    """Random ledgers, a night, random changes (old days and the new one), the next night:
    whatever rolled and whatever was summed again equals a full recomputation."""
    try:
        people = load_ledger(personas, deals, costs)
        _night(night - DAY)
        mutate_ledger(personas, people, changes)
        won(people[0], "42.00", night)
        cost("7.50", night, person=people[1])
        _night(night)
        _assert_equals_full(night)
    finally:
        with connection.cursor() as cur:
            cur.execute(f"TRUNCATE {ENGINE_AND_SOURCE_TABLES} CASCADE")


@pytest.mark.usefixtures("january_berlin")
def test_a_rolled_night_plans_its_day_rows_from_their_statistics(personas):
    """Autovacuum never analyzes a temporary table: the rolled insert was planned on a guess of
    the new day's rows and rescanned them per snapshot row (7.4 s of a 7.9 s night at 5,000
    people). The night analyzes them before reading them."""

    a1 = personas.person("rep_a1")
    won(a1, "1000", NIGHT - 20 * DAY)
    _night(NIGHT - DAY)
    won(a1, "250", NIGHT)
    with CaptureQueriesContext(connection) as queries:
        assert _night(NIGHT).rolled == 5
    statements = [q["sql"] for q in queries.captured_queries]
    made = next(i for i, s in enumerate(statements) if "CREATE TEMP TABLE _eff_day_rows" in s)
    analyzed = statements.index("ANALYZE _eff_day_rows")
    reads = [
        i
        for i, s in enumerate(statements)
        if "_eff_day_rows" in s and i not in (made, analyzed) and "DROP TABLE" not in s
    ]
    assert reads and made < analyzed < min(reads)

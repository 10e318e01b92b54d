"""The nightly engine: docs/domain.md's worked examples, roll-ups, team history, incremental runs."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection

from salesops import calendar
from salesops.formulas import format_ratio
from salesops.models import EfficiencyPersonDay, EfficiencySnapshot
from salesops.services.efficiency import efficiency_snapshots_compute
from tests.salesops.test_efficiency_support import cost, snap, table, table_for, won

CALENDAR_MARCH = (dt.date(2026, 3, 1), dt.date(2026, 3, 31))  # for the January-calendar tests
# The fiscal month holding mid-March 2026 (March itself unless SALESOPS_TEST_CALENDAR is retail).
MARCH = (
    calendar.month_containing(dt.date(2026, 3, 15)).start,
    calendar.month_containing(dt.date(2026, 3, 15)).end,
)
AS_OF = dt.date(2026, 4, 10)

pytestmark = pytest.mark.django_db


def test_worked_example_600(personas):
    rep = personas.person("rep_a1")
    won(rep, "12000000", dt.date(2026, 3, 10))
    cost("2000000", dt.date(2026, 3, 1), person=rep)
    efficiency_snapshots_compute(as_of=AS_OF)
    row = snap("person", rep, "month", *MARCH)
    assert row.revenue == Decimal("12000000")
    assert row.cost == Decimal("2000000")
    assert row.ratio == Decimal("600.0000")
    assert format_ratio(row.ratio) == "600.0"


@pytest.mark.parametrize(
    ("revenue", "spend", "ratio", "shown"),
    [
        ("1000000", "700000", "142.8571", "142.9"),
        ("700000", "1000000", "70.0000", "70.0"),
    ],
)
def test_worked_examples_rounding(personas, revenue, spend, ratio, shown):
    rep = personas.person("rep_b1")
    won(rep, revenue, dt.date(2026, 3, 10))
    cost(spend, dt.date(2026, 3, 2), person=rep)
    efficiency_snapshots_compute(as_of=AS_OF)
    row = snap("person", rep, "month", *MARCH)
    assert row.ratio == Decimal(ratio)
    assert format_ratio(row.ratio) == shown


def test_cost_zero_gives_null_ratio_shown_as_dash(personas):
    rep = personas.person("rep_a2")
    won(rep, "5000", dt.date(2026, 3, 10))
    efficiency_snapshots_compute(as_of=AS_OF)
    row = snap("person", rep, "month", *MARCH)
    assert row.revenue == Decimal("5000") and row.cost == 0
    assert row.ratio is None
    assert format_ratio(row.ratio) == "—"


def test_team_ratio_is_sum_over_sum_not_mean_of_ratios(personas):
    a1, a2 = personas.person("rep_a1"), personas.person("rep_a2")
    manager = personas.person("manager_a")
    won(a1, "1000", dt.date(2026, 3, 5))
    cost("100", dt.date(2026, 3, 5), person=a1)  # 1000 %
    won(a2, "100", dt.date(2026, 3, 6))
    cost("1000", dt.date(2026, 3, 6), person=a2)  # 10 %
    cost("0.00", dt.date(2026, 3, 6), person=manager)
    efficiency_snapshots_compute(as_of=AS_OF)
    team = snap("team", personas.team_a, "month", *MARCH)
    assert team.revenue == Decimal("1100") and team.cost == Decimal("1100")
    assert team.ratio == Decimal("100.0000")  # the mean of ratios would be 505


def test_team_includes_sub_teams_and_team_booked_costs(personas):
    east = personas.person("rep_a3")
    won(east, "3000", dt.date(2026, 3, 5))
    cost("1000", dt.date(2026, 3, 5), person=east)
    cost("500", dt.date(2026, 3, 7), team=personas.team_a_east, category="tools")
    cost("250", dt.date(2026, 3, 7), team=personas.team_a, category="marketing")
    efficiency_snapshots_compute(as_of=AS_OF)
    sub = snap("team", personas.team_a_east, "month", *MARCH)
    parent = snap("team", personas.team_a, "month", *MARCH)
    company = snap("company", None, "month", *MARCH)
    person = snap("person", east, "month", *MARCH)
    assert (sub.revenue, sub.cost) == (Decimal("3000"), Decimal("1500"))
    assert (parent.revenue, parent.cost) == (Decimal("3000"), Decimal("1750"))
    assert (company.revenue, company.cost) == (Decimal("3000"), Decimal("1750"))
    assert person.cost == Decimal("1000")  # team-booked costs are the team's, not a person's
    assert not EfficiencySnapshot.objects.filter(scope_type="team", scope_id=personas.team_b.pk)


def test_split_deal_credits_each_person_their_share_and_counts_once(personas):
    a1, b1 = personas.person("rep_a1"), personas.person("rep_b1")
    won(a1, "10000", dt.date(2026, 3, 9), splits=[(a1, "60"), (b1, "40")])
    efficiency_snapshots_compute(as_of=AS_OF)
    assert snap("person", a1, "month", *MARCH).revenue == Decimal("6000")
    assert snap("person", b1, "month", *MARCH).revenue == Decimal("4000")
    company = snap("company", None, "month", *MARCH)
    assert company.revenue == Decimal("10000") and company.won_deals == 1
    assert snap("person", a1, "month", *MARCH).won_deals == 1  # the owner won it
    assert snap("person", b1, "month", *MARCH).won_deals == 0


def test_negative_adjustment_lowers_cost(personas):
    rep = personas.person("rep_a1")
    won(rep, "1000", dt.date(2026, 3, 9))
    cost("1000", dt.date(2026, 3, 1), person=rep)
    cost("-500", dt.date(2026, 3, 20), person=rep, category="adjustment", note="refund")
    efficiency_snapshots_compute(as_of=AS_OF)
    row = snap("person", rep, "month", *MARCH)
    assert row.cost == Decimal("500") and row.ratio == Decimal("200.0000")


def test_negative_total_cost_still_gives_a_finite_ratio(personas):
    rep = personas.person("rep_a1")
    won(rep, "1000", dt.date(2026, 3, 9))
    cost("-400", dt.date(2026, 3, 20), person=rep, category="adjustment", note="credit note")
    efficiency_snapshots_compute(as_of=AS_OF)
    assert snap("person", rep, "month", *MARCH).ratio == Decimal("-250.0000")


@pytest.mark.usefixtures("january_berlin")  # the dates are the January calendar's periods
def test_periods_of_a_nightly_set(personas):
    rep = personas.person("rep_a1")
    won(rep, "100", dt.date(2026, 1, 15))
    won(rep, "200", dt.date(2026, 3, 15))
    won(rep, "400", dt.date(2026, 4, 10))
    won(rep, "800", dt.date(2025, 12, 31))
    cost("100", dt.date(2026, 4, 1), person=rep)
    efficiency_snapshots_compute(as_of=AS_OF)
    assert snap("person", rep, "day", AS_OF, AS_OF).revenue == 400
    assert snap("person", rep, "mtd", dt.date(2026, 4, 1), AS_OF).revenue == 400
    assert snap("person", rep, "qtd", dt.date(2026, 4, 1), AS_OF).revenue == 400
    assert snap("person", rep, "ytd", dt.date(2026, 1, 1), AS_OF).revenue == 700
    assert snap("person", rep, "t90", AS_OF - dt.timedelta(days=89), AS_OF).revenue == 700
    assert snap("person", rep, "quarter", dt.date(2026, 1, 1), dt.date(2026, 3, 31)).revenue == 300
    assert (
        snap("person", rep, "quarter", dt.date(2025, 10, 1), dt.date(2025, 12, 31)).revenue == 800
    )
    ytd = snap("company", None, "ytd", dt.date(2026, 1, 1), AS_OF)
    assert ytd.won_deals == 3 and ytd.cost == 100 and ytd.ratio == Decimal("700.0000")


def test_role_scope_sums_people_of_the_role(personas):
    won(personas.person("rep_a1"), "100", dt.date(2026, 3, 3))
    won(personas.person("rep_a3"), "50", dt.date(2026, 3, 3))
    won(personas.person("rep_a2"), "7", dt.date(2026, 3, 3))
    efficiency_snapshots_compute(as_of=AS_OF)
    assert snap("role", "account_executive", "month", *MARCH).revenue == 150
    assert snap("role", "sdr", "month", *MARCH).revenue == 7


def test_rerun_upserts_and_never_duplicates(personas):
    rep = personas.person("rep_a1")
    won(rep, "100", dt.date(2026, 3, 3))
    cost("10", dt.date(2026, 3, 3), person=rep)
    efficiency_snapshots_compute(as_of=AS_OF)
    first = table()
    count = EfficiencySnapshot.objects.count()
    efficiency_snapshots_compute(as_of=AS_OF)
    efficiency_snapshots_compute(as_of=AS_OF, full=True)
    assert table() == first
    assert EfficiencySnapshot.objects.count() == count


def test_deal_reopened_from_won_to_lost_is_corrected_next_run(personas):
    from salesops.services.deals import deal_update

    rep = personas.person("rep_a1")
    deal = won(rep, "900", dt.date(2026, 3, 3))
    cost("100", dt.date(2026, 3, 3), person=rep)
    efficiency_snapshots_compute(as_of=AS_OF)
    assert snap("person", rep, "month", *MARCH).revenue == 900
    deal_update(deal=deal, data={"stage": "lost"})
    efficiency_snapshots_compute(as_of=AS_OF)
    row = snap("person", rep, "month", *MARCH)
    assert row.revenue == 0 and row.won_deals == 0 and row.ratio == 0
    incremental = table_for(AS_OF)
    efficiency_snapshots_compute(as_of=AS_OF, full=True)
    assert table_for(AS_OF) == incremental


@pytest.mark.usefixtures("january_berlin")  # dates are worked examples of the January calendar
def test_incremental_equals_full_after_every_kind_of_change(personas):
    """Inside one test transaction every row looks changed since the last run (its now() is the
    transaction's start), so the second run re-aggregates everyone's days and publishes in full:
    this checks the corrected figures. Committed incremental nights:
    test_efficiency_rolling.test_every_kind_of_change_to_old_days_is_seen_by_the_next_incremental_night."""
    from salesops.services.deals import deal_splits_set, deal_update

    a1, a2, b1 = personas.person("rep_a1"), personas.person("rep_a2"), personas.person("rep_b1")
    d1 = won(a1, "1000", dt.date(2026, 2, 3))
    d2 = won(a2, "500", dt.date(2026, 3, 3), splits=[(a2, "50"), (b1, "50")])
    c1 = cost("300", dt.date(2026, 2, 3), person=a1)
    c2 = cost("80", dt.date(2026, 3, 9), team=personas.team_b, category="tools")
    efficiency_snapshots_compute(as_of=AS_OF)

    deal_update(deal=d1, data={"close_date": dt.date(2026, 1, 20)})  # moves to another month
    deal_splits_set(deal=d2, splits=[(a2, Decimal(100))])  # b1 loses the split
    c1.delete()
    c2.amount = Decimal("40")
    c2.save()
    won(b1, "70", dt.date(2026, 4, 9))
    efficiency_snapshots_compute(as_of=AS_OF)
    incremental = table_for(AS_OF)
    efficiency_snapshots_compute(as_of=AS_OF, full=True)
    assert incremental == table_for(AS_OF)
    assert not EfficiencySnapshot.objects.filter(
        scope_type="person", scope_id=b1.pk, period="month", period_start=CALENDAR_MARCH[0]
    ).exists()  # b1 lost their split: no activity in March any more
    assert snap("person", a1, "month", dt.date(2026, 1, 1), dt.date(2026, 1, 31)).revenue == 1000
    assert not EfficiencySnapshot.objects.filter(
        scope_type="person", scope_id=a1.pk, period="month", period_start=dt.date(2026, 2, 1)
    ).exists()


@pytest.mark.usefixtures("january_berlin")  # dates are worked examples of the January calendar
def test_full_run_writes_the_person_days_a_plain_full_refresh_writes(personas):
    """The full run writes the person days inside the statement that folds them into snapshots;
    they are the same rows a stand-alone full refresh from the same horizon writes."""
    from salesops.services.efficiency.daily import ALL, daily_refresh, partition_resolve
    from salesops.services.efficiency.periods import day_state_horizon, state_horizon

    a1, b1 = personas.person("rep_a1"), personas.person("rep_b1")
    won(a1, "1000", dt.date(2026, 2, 3), splits=[(a1, "60"), (b1, "40")])
    cost("300", dt.date(2026, 2, 3), person=a1)
    cost("50", dt.date(2025, 1, 9), person=b1)  # in the first closed month of S(AS_OF)
    cost("20", dt.date(2024, 12, 9), person=b1)  # before it: not kept (test_efficiency_horizon)

    def person_state() -> list[tuple[object, ...]]:
        return _fetch(
            "SELECT person_id, day, team_id, revenue, cost, won_deals, 0 "
            "FROM salesops_efficiencypersonday UNION ALL "
            "SELECT person_id, month, team_id, revenue, cost, won_deals, days "
            "FROM salesops_efficiencypersonmonth ORDER BY 1, 2"
        )

    efficiency_snapshots_compute(as_of=AS_OF, full=True)
    fused = person_state()
    daily_refresh(
        partition=partition_resolve(ALL),
        full=True,
        horizon=state_horizon(AS_OF),
        day_horizon=day_state_horizon(AS_OF),
    )

    assert fused == person_state()
    # Before the day horizon (2025-12-01 for AS_OF): one row per person, month and team.
    assert (b1.pk, dt.date(2025, 1, 1), personas.team_b.pk, 0, 50, 0, 1) in fused
    assert (a1.pk, dt.date(2026, 2, 3), personas.team_a.pk, 600, 300, 1, 0) in fused


def _fetch(sql: str) -> list[tuple[object, ...]]:
    with connection.cursor() as cur:
        cur.execute(sql)
        return cur.fetchall()


def _person_day_key() -> list[tuple[object, ...]]:
    return _fetch(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = 'salesops_efficiencypersonday'::regclass AND contype = 'p'"
    )


KEY = [("salesops_efficiencypersonday_pkey", "PRIMARY KEY (day, person_id)")]


def test_a_full_rebuild_puts_the_person_day_key_back(personas):
    """The full rebuild writes the person days without their primary key and builds it after:
    both full paths leave it in place, and it still refuses a duplicate (person, day)."""
    from django.db import IntegrityError, transaction

    from salesops.services.efficiency.daily import ALL, daily_refresh, partition_resolve

    a1 = personas.person("rep_a1")
    won(a1, "1000", dt.date(2026, 2, 3))
    assert _person_day_key() == KEY
    efficiency_snapshots_compute(as_of=AS_OF, full=True)
    assert _person_day_key() == KEY
    daily_refresh(partition=partition_resolve(ALL), full=True)
    assert _person_day_key() == KEY
    with pytest.raises(IntegrityError), transaction.atomic():
        EfficiencyPersonDay.objects.bulk_create(
            [
                EfficiencyPersonDay(
                    person=a1, day=dt.date(2026, 2, 3), revenue=1, cost=0, won_deals=0
                )
            ]
        )


def test_a_full_run_sorts_its_period_sums_for_that_statement_only(personas):
    """The fused statement of a full run turns hash aggregation off (see snapshots_publish); the
    setting is put back right after it, so the territory, derived and later statements of the
    transaction plan as usual. (Test transactions span the run, so a leak would show here.)"""
    a1 = personas.person("rep_a1")
    won(a1, "1000", dt.date(2026, 2, 3))
    assert _fetch("SHOW enable_hashagg") == [("on",)]
    efficiency_snapshots_compute(as_of=AS_OF, full=True)
    assert _fetch("SHOW enable_hashagg") == [("on",)]
    assert snap("person", a1, "month", dt.date(2026, 2, 1), dt.date(2026, 2, 28)).revenue == 1000


def test_a_failed_full_rebuild_keeps_the_old_person_days_and_key(personas, monkeypatch):
    from salesops.services.efficiency import snapshots

    a1 = personas.person("rep_a1")
    won(a1, "1000", dt.date(2026, 2, 3))
    efficiency_snapshots_compute(as_of=AS_OF, full=True)
    before = table()

    def fail() -> None:
        raise RuntimeError("worker lost mid-run")

    monkeypatch.setattr(snapshots, "person_day_key_restore", fail)
    with pytest.raises(RuntimeError):
        efficiency_snapshots_compute(as_of=AS_OF, full=True)
    assert _person_day_key() == KEY
    assert EfficiencyPersonDay.objects.count() == 1
    assert table() == before


def test_person_days_insert_is_only_for_a_full_publish():
    from salesops.services.efficiency.snapshots import snapshots_publish

    with pytest.raises(ValueError):
        snapshots_publish(as_of=AS_OF, full=False, person_days_insert="INSERT …")


def test_queryset_update_without_updated_at_is_still_seen(personas):
    """Bulk updates (imports) skip auto_now; the triggers still record the old and new days."""
    from salesops.models import Deal

    rep = personas.person("rep_a1")
    deal = won(rep, "1000", dt.date(2026, 3, 3))
    efficiency_snapshots_compute(as_of=AS_OF)
    Deal.objects.filter(pk=deal.pk).update(close_date=dt.date(2026, 2, 3))
    efficiency_snapshots_compute(as_of=AS_OF)
    assert snap("person", rep, "month", dt.date(2026, 2, 1), dt.date(2026, 2, 28)).revenue == 1000
    assert not EfficiencySnapshot.objects.filter(
        scope_type="person", scope_id=rep.pk, period="month", period_start=MARCH[0]
    ).exists()


def test_entries_follow_the_team_the_person_was_in_on_the_entry_date(personas):
    from salesops.services.people import person_move_team

    rep = personas.person("rep_a1")
    won(rep, "1000", dt.date(2026, 3, 5))
    cost("100", dt.date(2026, 3, 5), person=rep)
    efficiency_snapshots_compute(as_of=AS_OF)
    person_move_team(person=rep, team=personas.team_b, on=dt.date(2026, 3, 16))
    won(rep, "3000", dt.date(2026, 3, 20))
    cost("300", dt.date(2026, 3, 20), person=rep)
    efficiency_snapshots_compute(as_of=AS_OF)
    team_a = snap("team", personas.team_a, "month", *MARCH)
    team_b = snap("team", personas.team_b, "month", *MARCH)
    assert (team_a.revenue, team_a.cost) == (Decimal("1000"), Decimal("100"))
    assert (team_b.revenue, team_b.cost) == (Decimal("3000"), Decimal("300"))
    assert snap("person", rep, "month", *MARCH).revenue == Decimal("4000")
    incremental = table_for(AS_OF)
    efficiency_snapshots_compute(as_of=AS_OF, full=True)
    assert table_for(AS_OF) == incremental


@pytest.mark.usefixtures("january_berlin")  # dates are worked examples of the January calendar
def test_person_without_memberships_counts_for_current_team_on_all_dates(personas):
    rep = personas.person("rep_a1")
    won(rep, "1000", dt.date(2026, 1, 5))
    rep.team = personas.team_b
    rep.save()
    efficiency_snapshots_compute(as_of=AS_OF)
    assert snap("team", personas.team_b, "month", dt.date(2026, 1, 1), dt.date(2026, 1, 31))
    assert not EfficiencySnapshot.objects.filter(scope_type="team", scope_id=personas.team_a.pk)


def test_memberships_cannot_overlap(personas):
    from django.db import IntegrityError, transaction

    from salesops.models import TeamMembership

    rep = personas.person("rep_a1")
    TeamMembership.objects.create(person=rep, team=personas.team_a, valid_from=None, valid_to=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        TeamMembership.objects.create(
            person=rep, team=personas.team_b, valid_from=dt.date(2026, 1, 1)
        )


def test_moves_must_be_in_date_order(personas):
    from django.core.exceptions import ValidationError

    from salesops.services.people import person_move_team

    rep = personas.person("rep_a1")
    person_move_team(person=rep, team=personas.team_b, on=dt.date(2026, 3, 1))
    with pytest.raises(ValidationError):
        person_move_team(person=rep, team=personas.team_c, on=dt.date(2026, 2, 1))
    person_move_team(person=rep, team=None, on=dt.date(2026, 4, 1))
    rep.refresh_from_db()
    assert rep.team is None
    assert list(
        rep.memberships.order_by("pk").values_list("team_id", "valid_from", "valid_to")
    ) == [
        (personas.team_a.pk, None, dt.date(2026, 3, 1)),
        (personas.team_b.pk, dt.date(2026, 3, 1), dt.date(2026, 4, 1)),
    ]


@pytest.mark.usefixtures("january_berlin")  # the dates are the January calendar's periods
def test_provider_scope_is_folded_into_every_period(personas):
    from salesops.efficiency_scopes import register_scope_provider, unregister_scope_provider
    from salesops.selectors.credit import CREDIT_SQL, CREDIT_SQL_WHERE

    a1, b1 = personas.person("rep_a1"), personas.person("rep_b1")
    won(a1, "1000", dt.date(2026, 3, 5))
    won(b1, "500", dt.date(2026, 4, 2))
    cost("400", dt.date(2026, 3, 5), person=a1)

    def region_rows(*, start, end):
        # A toy "region" scope: scope 1 = team A's people, scope 2 = everyone else.
        sql = f"""
            SELECT CASE WHEN p.team_id = %s THEN 1 ELSE 2 END, d.close_date, {CREDIT_SQL}, 0, 1
            FROM salesops_deal d JOIN salesops_dealsplit s ON s.deal_id = d.id
            JOIN salesops_person p ON p.id = s.person_id
            WHERE {CREDIT_SQL_WHERE} AND d.close_date BETWEEN %s AND %s
            UNION ALL
            SELECT CASE WHEN p.team_id = %s THEN 1 ELSE 2 END, c.date, 0, c.amount, 0
            FROM salesops_salescost c JOIN salesops_person p ON p.id = c.person_id
            WHERE c.date BETWEEN %s AND %s
        """
        team = personas.team_a.pk
        return sql, [team, start, end, team, start, end]

    register_scope_provider("region", region_rows)
    try:
        efficiency_snapshots_compute(as_of=AS_OF)
        march = snap("region", 1, "month", *CALENDAR_MARCH)
        assert (march.revenue, march.cost, march.ratio) == (1000, 400, Decimal("250.0000"))
        ytd = snap("region", 2, "ytd", dt.date(2026, 1, 1), AS_OF)
        assert (ytd.revenue, ytd.ratio, ytd.won_deals) == (500, None, 1)
        assert (
            snap("region", 1, "quarter", dt.date(2026, 1, 1), dt.date(2026, 3, 31)).revenue == 1000
        )
        first = table()
        efficiency_snapshots_compute(as_of=AS_OF)
        assert table() == first
    finally:
        unregister_scope_provider("region")


def test_provider_cannot_take_a_built_in_scope_name():
    from salesops.efficiency_scopes import register_scope_provider

    with pytest.raises(ValueError):
        register_scope_provider("team", lambda *, start, end: ("SELECT 1", []))


def test_a_full_run_empties_the_cached_days_of_a_provider_no_longer_registered(personas):
    from salesops.efficiency_scopes import register_scope_provider, unregister_scope_provider
    from salesops.models import EfficiencyScopeDay

    a1 = personas.person("rep_a1")
    cost("400", dt.date(2026, 3, 5), person=a1)

    def region_rows(*, start, end):
        return (
            "SELECT 1, c.date, 0, c.amount, 0 FROM salesops_salescost c "
            "WHERE c.date BETWEEN %s AND %s",
            [start, end],
        )

    register_scope_provider("region", region_rows)
    try:
        efficiency_snapshots_compute(as_of=AS_OF)
        assert EfficiencyScopeDay.objects.filter(scope_type="region").count() == 1
    finally:
        unregister_scope_provider("region")
    efficiency_snapshots_compute(as_of=AS_OF, full=True)
    assert not EfficiencyScopeDay.objects.filter(scope_type="region").exists()

"""The per-day tables hold the days from a horizon on: the first day S(as_of) reads (the start of
the previous fiscal year, periods.state_horizon), set by a full rebuild of everyone. Later dates
never read earlier days; an older date rebuilds in full from its own horizon. The person state
keeps the days before the day horizon (periods.day_state_horizon: the month of as_of - 90 days)
per person and month, since no run reads them but as whole closed months."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from salesops.models import (
    EfficiencyCursor,
    EfficiencyPersonDay,
    EfficiencySnapshot,
    EfficiencyTeamDay,
)
from salesops.services.efficiency import (
    efficiency_fanout_partitions,
    efficiency_needs_rebuild,
    efficiency_snapshots_compute,
)
from salesops.services.efficiency.cursors import (
    HORIZON_CURSOR,
    day_horizon_recorded,
    horizon_recorded,
)
from salesops.services.efficiency.periods import (
    all_spans,
    base_spans,
    closed_months,
    day_state_horizon,
    rolled_spans,
    state_horizon,
)
from tests.calendars import fiscal_configs, fiscal_settings
from tests.salesops.test_efficiency_support import cost, person_months, snap, table_for, won

# The dates below are worked examples of the January calendar (HORIZON is its previous fiscal
# year's start); the horizon rule under every calendar is the hypothesis test's and
# test_efficiency_periods.py's.
pytestmark = pytest.mark.usefixtures("january_berlin")

AS_OF = dt.date(2026, 4, 10)
HORIZON = dt.date(2025, 1, 1)  # the January calendar: the previous fiscal year's start
DAY_HORIZON = dt.date(2026, 1, 1)  # the month of AS_OF - 90 days (2026-01-10)
BEFORE = dt.date(2024, 12, 31)
OLDER = dt.date(2025, 6, 30)  # reads from 2024-01-01
DECEMBER_2024 = (dt.date(2024, 12, 1), dt.date(2024, 12, 31))


def _person_days() -> list[tuple[object, ...]]:
    return list(
        EfficiencyPersonDay.objects.order_by("day", "person_id").values_list(
            "person_id", "day", "revenue", "cost", "won_deals"
        )
    )


def _days() -> list[dt.date]:
    return list(EfficiencyPersonDay.objects.order_by("day").values_list("day", flat=True))


def test_the_day_horizon_is_the_month_of_the_day_a_rolled_t90_drops():
    assert day_state_horizon(AS_OF) == DAY_HORIZON
    assert day_state_horizon(dt.date(2026, 3, 31)) == dt.date(2025, 12, 1)
    assert day_state_horizon(dt.date(2026, 4, 1)) == DAY_HORIZON


def test_the_horizon_is_the_first_day_of_the_first_closed_month():
    assert state_horizon(AS_OF) == HORIZON
    assert state_horizon(dt.date(2026, 1, 1)) == HORIZON
    assert state_horizon(dt.date(2025, 12, 31)) == dt.date(2024, 1, 1)
    assert state_horizon(OLDER) == dt.date(2024, 1, 1)


@hypothesis_settings(
    suppress_health_check=[HealthCheck.function_scoped_fixture]
)  # config set per example
@given(
    first=st.dates(dt.date(2020, 1, 1), dt.date(2030, 12, 31)),
    later_by=st.integers(0, 800),
    config=fiscal_configs(),
)
def test_no_run_reads_before_its_horizon_and_horizons_only_move_forward(first, later_by, config):
    """What the design rests on: every period of S(D), and every day a rolled period of D adds or
    drops, starts on or after D's horizon, and a later date's horizon is never earlier (every
    calendar kind, start month and week end)."""
    later = first + dt.timedelta(days=later_by)
    with fiscal_settings(**config):
        horizon = state_horizon(first)
        assert min(span.start for span in all_spans(first)) == horizon
        rolled_days = [d for r in rolled_spans(first) for d in (r.add, r.sub) if d is not None]
        assert min(rolled_days) >= horizon
        assert state_horizon(later) >= horizon
        # Days before the day horizon are read only as whole closed months.
        day_horizon = day_state_horizon(first)
        assert horizon <= day_horizon
        assert min(rolled_days) >= day_horizon
        assert min(span.start for span in base_spans(first)) >= day_horizon
        for month in closed_months(first):
            assert month.start >= day_horizon or month.end < day_horizon
        assert day_state_horizon(later) >= day_horizon


def test_a_full_run_keeps_the_days_from_its_horizon_on(personas):
    a1 = personas.person("rep_a1")
    cost("70", BEFORE, person=a1)
    cost("30", BEFORE, team=personas.team_a)
    cost("50", HORIZON, person=a1)
    cost("20", HORIZON, team=personas.team_a)
    won(a1, "900", HORIZON)

    result = efficiency_snapshots_compute(as_of=AS_OF, full=True)

    assert result.full
    assert horizon_recorded() == HORIZON
    assert day_horizon_recorded() == DAY_HORIZON
    assert _person_days() == []  # before the day horizon: kept per month
    team_a = personas.team_a.pk
    assert person_months() == [(a1.pk, HORIZON, team_a, Decimal(900), Decimal(50), 1, 1)]
    assert list(EfficiencyTeamDay.objects.values_list("day", "cost")) == [(HORIZON, 20)]
    january = snap("person", a1, "month", HORIZON, dt.date(2025, 1, 31))
    assert (january.revenue, january.cost, january.ratio) == (900, 50, Decimal("1800.0000"))


def test_later_dates_keep_the_horizon_and_run_incrementally(personas):
    a1 = personas.person("rep_a1")
    won(a1, "100", dt.date(2026, 4, 2))
    efficiency_snapshots_compute(as_of=AS_OF, full=True)
    later = dt.date(2027, 2, 1)  # its own horizon is 2026-01-01, later than the recorded one

    assert not efficiency_needs_rebuild(as_of=later)
    efficiency_snapshots_compute(as_of=later)
    assert horizon_recorded() == HORIZON  # a full rebuild would have moved it to 2026-01-01


def test_an_older_date_rebuilds_in_full_from_its_own_horizon(personas):
    a1 = personas.person("rep_a1")
    cost("70", BEFORE, person=a1)
    won(a1, "350", BEFORE)
    cost("40", dt.date(2025, 3, 3), person=a1)
    efficiency_snapshots_compute(as_of=AS_OF, full=True)
    assert efficiency_needs_rebuild(as_of=OLDER)

    efficiency_snapshots_compute(as_of=OLDER)

    assert horizon_recorded() == dt.date(2024, 1, 1)
    december = snap("person", a1, "month", *DECEMBER_2024)
    assert (december.revenue, december.cost, december.won_deals) == (350, 70, 1)
    assert day_horizon_recorded() == dt.date(2025, 4, 1)
    month_row = (a1.pk, DECEMBER_2024[0], personas.team_a.pk, Decimal(350), Decimal(70), 1, 1)
    assert month_row in person_months()
    older = table_for(OLDER)
    efficiency_snapshots_compute(as_of=OLDER, full=True)
    assert table_for(OLDER) == older
    # Back to the present: the tables reach back far enough, so no rebuild.
    assert not efficiency_needs_rebuild(as_of=AS_OF)
    efficiency_snapshots_compute(as_of=AS_OF)
    assert horizon_recorded() == dt.date(2024, 1, 1)


def test_changes_before_the_horizon_write_no_days(personas):
    """Incrementally, a change to a day no later date reads is consumed, not kept: the tables stay
    within the horizon, and the snapshots are what a full run writes."""
    from salesops.services.deals import deal_update

    a1, b1 = personas.person("rep_a1"), personas.person("rep_b1")
    old = won(a1, "500", BEFORE)
    efficiency_snapshots_compute(as_of=AS_OF, full=True)
    cost("70", BEFORE, person=a1)
    cost("30", BEFORE, team=personas.team_a)
    deal_update(deal=old, data={"close_date": dt.date(2024, 12, 30)})
    won(b1, "80", dt.date(2026, 4, 9))

    efficiency_snapshots_compute(as_of=AS_OF)

    assert min(_days()) >= HORIZON
    assert all(month >= HORIZON for _, month, *_ in person_months())
    assert not EfficiencyTeamDay.objects.filter(day__lt=HORIZON).exists()
    incremental = table_for(AS_OF)
    efficiency_snapshots_compute(as_of=AS_OF, full=True)
    assert table_for(AS_OF) == incremental
    assert snap("person", b1, "mtd", dt.date(2026, 4, 1), AS_OF).revenue == 80


def test_a_partition_refresh_keeps_to_the_recorded_horizon(personas):
    from salesops.services.efficiency.daily import daily_refresh, partition_resolve

    a1 = personas.person("rep_a1")
    cost("70", BEFORE, person=a1)
    cost("50", HORIZON, person=a1)
    efficiency_snapshots_compute(as_of=AS_OF, full=True)
    assert personas.team_a.parent is None  # a root: its subtree is a partition

    daily_refresh(partition=partition_resolve(f"team:{personas.team_a.pk}"), full=True)

    assert person_months() == [(a1.pk, HORIZON, personas.team_a.pk, 0, Decimal(50), 0, 1)]
    assert horizon_recorded() == HORIZON


def test_without_a_recorded_horizon_the_tables_hold_every_day(personas):
    """State built before horizons (or by a stand-alone full refresh of everyone) holds every day:
    no date needs a rebuild."""
    from salesops.services.efficiency.daily import ALL, daily_refresh, partition_resolve

    a1 = personas.person("rep_a1")
    cost("70", BEFORE, person=a1)
    daily_refresh(partition=partition_resolve(ALL), full=True)

    assert horizon_recorded() is None
    assert not EfficiencyCursor.objects.filter(name=HORIZON_CURSOR).exists()
    assert _days() == [BEFORE]
    assert not efficiency_needs_rebuild(as_of=OLDER)


def test_publishing_an_older_date_than_the_tables_reach_is_refused(personas):
    from salesops.exceptions import ApplicationError
    from salesops.services.efficiency.snapshots import snapshots_publish

    efficiency_snapshots_compute(as_of=AS_OF, full=True)
    with pytest.raises(ApplicationError, match="2024-01-01"):
        snapshots_publish(as_of=OLDER)


def test_a_date_reading_single_days_before_the_day_horizon_rebuilds(personas):
    """2026-03-15 reads its trailing 90 days from 2025-12-16 (day horizon 2025-12-01), which a full
    run of AS_OF keeps only as December's month row (its day horizon is 2026-01-01): the publish
    alone refuses it, and the run rebuilds in full, moving the day horizon back."""
    from salesops.exceptions import ApplicationError
    from salesops.services.efficiency.snapshots import snapshots_publish

    a1 = personas.person("rep_a1")
    won(a1, "300", dt.date(2025, 12, 20))
    cost("100", dt.date(2025, 12, 20), person=a1)
    march = dt.date(2026, 3, 15)
    efficiency_snapshots_compute(as_of=AS_OF, full=True)
    assert state_horizon(march) == HORIZON  # the horizon alone would not need a rebuild
    assert efficiency_needs_rebuild(as_of=march)
    with pytest.raises(ApplicationError, match="2025-12-01"):
        snapshots_publish(as_of=march)

    assert efficiency_snapshots_compute(as_of=march).full
    assert day_horizon_recorded() == dt.date(2025, 12, 1)
    t90 = snap("person", a1, "t90", dt.date(2025, 12, 16), march)
    assert (t90.revenue, t90.cost) == (300, 100)
    rebuilt = table_for(march)
    efficiency_snapshots_compute(as_of=march, full=True)
    assert table_for(march) == rebuilt


def test_month_rows_without_a_recorded_day_horizon_are_not_summed(personas):
    """Month rows count only before the recorded day horizon. Rows left from an earlier state (a
    test database flushed of its model tables only, which made a fan-out run in the fault tests
    sum another test's months) are ignored by partition refreshes that keep every day."""
    from salesops.services.efficiency import efficiency_partition_refresh
    from salesops.services.efficiency.daily import partition_names
    from salesops.services.efficiency.snapshots import snapshots_publish

    a1 = personas.person("rep_a1")
    won(a1, "100", dt.date(2026, 3, 5))
    with connection.cursor() as cur:
        cur.execute(
            "INSERT INTO salesops_efficiencypersonmonth VALUES ('2025-02-01', %s, NULL, 999, 9, 1, 3)",
            [a1.pk + 10_000],
        )
    for name in partition_names():
        efficiency_partition_refresh(partition=name)
    assert day_horizon_recorded() is None
    snapshots_publish(as_of=AS_OF, full=True)

    february = EfficiencySnapshot.objects.get(
        scope_type="company", period="month", period_start=dt.date(2025, 2, 1)
    )
    assert (february.revenue, february.cost, february.source_rows) == (0, 0, 0)
    assert not EfficiencySnapshot.objects.filter(scope_type="person", scope_id=a1.pk + 10_000)
    assert snap("person", a1, "month", dt.date(2026, 3, 1), dt.date(2026, 3, 31)).revenue == 100


def test_an_older_date_is_not_fanned_out(personas, settings):
    settings.EFFICIENCY_FANOUT_MIN_PEOPLE = 1
    efficiency_snapshots_compute(as_of=AS_OF, full=True)

    assert efficiency_fanout_partitions(as_of=AS_OF, fanout=True)
    assert efficiency_fanout_partitions(as_of=AS_OF)
    assert efficiency_fanout_partitions(as_of=OLDER, fanout=True) == []
    assert efficiency_fanout_partitions(as_of=AS_OF, fanout=False) == []


def test_provider_days_start_at_the_horizon(personas):
    from salesops.efficiency_scopes import register_scope_provider, unregister_scope_provider

    asked: list[tuple[dt.date, dt.date]] = []

    def region_rows(*, start, end):
        asked.append((start, end))
        return (
            "SELECT 1, c.date, 0, c.amount, 0 FROM salesops_salescost c "
            "WHERE c.date BETWEEN %s AND %s",
            [start, end],
        )

    a1 = personas.person("rep_a1")
    cost("70", BEFORE, person=a1)
    cost("50", HORIZON, person=a1)
    register_scope_provider("region", region_rows)
    try:
        efficiency_snapshots_compute(as_of=AS_OF, full=True)
    finally:
        unregister_scope_provider("region")
    assert asked == [(HORIZON, dt.date.max)]
    with connection.cursor() as cur:
        cur.execute("SELECT day FROM salesops_efficiencyscopeday WHERE scope_type = 'region'")
        assert cur.fetchall() == [(HORIZON,)]


@pytest.mark.django_db(transaction=True)
def test_a_committed_night_keeps_changes_before_the_horizon_out(personas, settings):
    """Committed nights, as in production (inside one test transaction every row looks changed
    and everyone's days are re-read): the changed (person, day) pairs and team days before the
    horizon are consumed and not kept, and the night equals a full recomputation."""
    from salesops.services.deals import deal_update

    settings.EFFICIENCY_INCREMENTAL_OVERLAP_SECONDS = 0
    a1, b1 = personas.person("rep_a1"), personas.person("rep_b1")
    old = won(a1, "500", HORIZON)
    efficiency_snapshots_compute(as_of=AS_OF - dt.timedelta(days=1), full=True)

    cost("70", BEFORE, person=a1)
    cost("30", BEFORE, team=personas.team_a)
    deal_update(deal=old, data={"close_date": dt.date(2024, 12, 30)})  # out of every period
    won(b1, "80", AS_OF)
    assert not efficiency_snapshots_compute(as_of=AS_OF).full

    assert _days() == [AS_OF]  # the moved deal's old day went, its new one was not kept
    assert not EfficiencyTeamDay.objects.exists()
    assert not EfficiencySnapshot.objects.filter(
        scope_type="person", scope_id=a1.pk, period="month", period_start=HORIZON
    ).exists()
    incremental = table_for(AS_OF)
    efficiency_snapshots_compute(as_of=AS_OF, full=True)
    assert table_for(AS_OF) == incremental

"""The figures against the hand-checked book in conftest.py, to the cent."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from dashboard.periods import resolve_period
from dashboard.scopes import (
    DashboardScope,
    dashboard_scope_get,
    dashboard_scope_options,
    personal_scope,
)
from dashboard.selectors import (
    dashboard_monthly,
    dashboard_people,
    dashboard_stuck_deals,
    dashboard_tiles,
    my_follow_ups,
    my_open_deals,
)
from tests.factories import SalesCostFactory, WonDealFactory

TODAY = dt.date(2026, 3, 20)
QTD = resolve_period(key="qtd", today=TODAY)
pytestmark = pytest.mark.django_db


def scope_get(user: Any, value: str) -> DashboardScope:
    options = dashboard_scope_options(user=user)
    return dashboard_scope_get(user=user, value=value, options=options)


@pytest.mark.usefixtures("january_berlin")  # dates are worked examples of the January calendar
def test_team_tiles_sum_credit_and_ledger_and_compare_with_previous_period(
    personas: Any, book: Any
) -> None:
    scope = scope_get(personas.manager_a, "")
    tiles = dashboard_tiles(scope=scope, period=resolve_period(key="qtd", today=TODAY))
    assert tiles.revenue == Decimal("22000")
    assert tiles.cost == Decimal("3000")  # 2,000 rep salary + 1,000 booked to team A
    assert tiles.ratio == Decimal("733.3333")
    assert (tiles.prev_revenue, tiles.prev_cost, tiles.prev_ratio) == (
        Decimal("5000"),
        Decimal("5000"),
        Decimal("100.0000"),
    )
    assert tiles.ratio_change == Decimal("633.3333")
    assert tiles.revenue_change_pct == Decimal("340.0")
    assert (tiles.won, tiles.lost, tiles.win_rate) == (2, 1, Decimal("66.7"))
    assert (tiles.open_deals, tiles.open_pipeline) == (2, Decimal("10000"))
    assert tiles.won_deals == 2


def test_sub_team_is_its_own_scope(personas: Any, book: Any) -> None:
    scope = scope_get(personas.manager_a, str(personas.team_a_east.pk))
    tiles = dashboard_tiles(scope=scope, period=QTD)
    assert tiles.revenue == Decimal("5000")  # rep_a3's half of the split deal
    assert tiles.cost == 0
    assert tiles.ratio is None  # cost 0: undefined, never an error
    assert (tiles.won, tiles.lost) == (0, 1)


@pytest.mark.usefixtures("january_berlin")  # dates are worked examples of the January calendar
def test_company_scope_counts_everyone(personas: Any, book: Any) -> None:
    scope = scope_get(personas.sales_ops, "company")
    tiles = dashboard_tiles(scope=scope, period=resolve_period(key="qtd", today=TODAY))
    assert tiles.revenue == Decimal("22000") + Decimal("99999") + Decimal("55555")
    assert tiles.cost == Decimal("4000")


@pytest.mark.usefixtures("january_berlin")  # dates are worked examples of the January calendar
def test_magic_number_uses_the_last_closed_quarter(personas: Any, book: Any) -> None:
    # docs/domain.md's example: revenue 100,000 → 130,000 with previous-quarter cost 120,000 → 1.00.
    p = personas.person
    WonDealFactory(
        owner=p("rep_b1"),
        close_value=Decimal("100000"),
        close_date=dt.date(2025, 8, 1),
        engage_date=dt.date(2025, 7, 1),
    )
    WonDealFactory(
        owner=p("rep_b1"),
        close_value=Decimal("130000"),
        close_date=dt.date(2025, 11, 1),
        engage_date=dt.date(2025, 10, 1),
    )
    SalesCostFactory(person=p("rep_b1"), date=dt.date(2025, 9, 30), amount=Decimal("120000"))
    scope = scope_get(personas.manager_b, "")
    tiles = dashboard_tiles(scope=scope, period=QTD)
    assert tiles.magic_quarter_start == dt.date(2025, 10, 1)
    assert tiles.magic_number == Decimal("1.0000")
    assert tiles.magic_band == "moderate"


def test_people_table_rows_add_up_to_the_tiles(personas: Any, book: Any) -> None:
    scope = scope_get(personas.manager_a, "")
    table = dashboard_people(scope=scope, period=QTD, scope_cost=Decimal(3000))
    by_name = {row.name: row for row in table.rows}
    assert set(by_name) == {"Maria Manager", "Anna Rep", "Arno Rep", "Ava East"}
    anna = by_name["Anna Rep"]
    assert (anna.revenue, anna.cost, anna.ratio) == (
        Decimal("12000"),
        Decimal("2000"),
        Decimal("600.0000"),
    )
    assert (anna.open_deals, anna.open_pipeline) == (1, Decimal("3000"))
    assert by_name["Arno Rep"].revenue == by_name["Ava East"].revenue == Decimal("5000")
    assert (by_name["Arno Rep"].won, by_name["Ava East"].lost) == (1, 1)
    assert by_name["Ava East"].win_rate == Decimal("0.0")
    assert table.team_cost == Decimal("1000")
    assert (table.revenue, table.cost) == (Decimal("22000"), Decimal("3000"))
    assert table.rows[0].name == "Anna Rep"  # highest revenue first


def test_people_table_keeps_a_departed_person_with_revenue(personas: Any, book: Any) -> None:
    rep = personas.person("rep_a1")
    rep.active = False
    rep.save()
    scope = scope_get(personas.manager_a, "")
    names = [row.name for row in dashboard_people(scope=scope, period=QTD).rows]
    assert "Anna Rep" in names
    rep2 = personas.person("rep_a2")
    rep2.active = False
    rep2.save()
    mtd = resolve_period(key="custom", today=TODAY, start=dt.date(2026, 3, 10), end=TODAY)
    assert "Arno Rep" not in [row.name for row in dashboard_people(scope=scope, period=mtd).rows]


def test_funnel_counts_each_stage_reached_and_conversion(personas: Any, book: Any) -> None:
    scope = scope_get(personas.manager_a, "")
    funnel = dashboard_tiles(scope=scope, period=QTD).funnel
    reached = {step.stage: step.reached for step in funnel.steps}
    # won a1 + won a2 (all stages), lost a3 at presentation, open a1 prospecting, open a2 presentation
    assert reached == {
        "prospecting": 5,
        "needs_assessment": 4,
        "presentation": 4,
        "objection_handling": 2,
        "closing": 2,
        "won": 2,
    }
    conversion = {step.stage: step.conversion for step in funnel.steps}
    assert conversion["prospecting"] == Decimal("80.0")
    assert conversion["presentation"] == Decimal("50.0")
    assert conversion["won"] is None
    assert {s.stage: s.lost_here for s in funnel.steps}["presentation"] == 1
    assert (funnel.won, funnel.lost, funnel.deals) == (2, 1, 5)


def test_stuck_deals_are_those_in_stage_longer_than_the_setting(
    personas: Any, book: Any, settings: Any
) -> None:
    scope = scope_get(personas.manager_a, "")
    stuck = dashboard_stuck_deals(scope=scope)
    assert [d.pk for d in stuck.deals] == [book.stuck_deal.pk]
    assert stuck.total == 1
    assert stuck.deals[0].days_in_stage == 60
    settings.DEAL_STUCK_DAYS = 3
    stuck = dashboard_stuck_deals(scope=scope, limit=1)
    assert stuck.total == 2 and len(stuck.deals) == 1


def test_monthly_series_is_calendar_months_up_to_the_end(personas: Any, book: Any) -> None:
    scope = scope_get(personas.manager_a, "")
    series = dashboard_monthly(scope=scope, end=TODAY, as_of=None)
    assert series.months[0] == dt.date(2025, 4, 1) and series.months[-1] == dt.date(2026, 3, 1)
    by_month = dict(zip(series.months, series.revenue, strict=True))
    assert by_month[dt.date(2026, 2, 1)] == Decimal("12000")
    assert by_month[dt.date(2025, 11, 1)] == Decimal("5000")
    ratio = dict(zip(series.months, series.ratio, strict=True))
    assert ratio[dt.date(2026, 2, 1)] == Decimal("600.0000")
    assert ratio[dt.date(2026, 3, 1)] is None


def test_personal_scope_is_only_that_person(personas: Any, book: Any) -> None:
    scope = personal_scope(person=personas.person("rep_a2"))
    tiles = dashboard_tiles(scope=scope, period=QTD)
    assert (tiles.revenue, tiles.cost, tiles.ratio) == (Decimal("5000"), 0, None)
    deals = my_open_deals(scope=scope)
    assert [d.pk for d in deals.deals] == [book.fresh_deal.pk]


def test_follow_ups_are_due_a_set_number_of_days_after_the_win(
    personas: Any, book: Any, settings: Any
) -> None:
    settings.FOLLOW_UP_DAYS_AFTER_WON = 30
    # rep_a1 won on Feb 10 → check in on Mar 12 (8 days ago: due); rep_a2 won Mar 1 → Mar 31 (later)
    mine = my_follow_ups(scope=personal_scope(person=personas.person("rep_a1")), today=TODAY)
    assert [(f.due, f.overdue) for f in mine] == [(dt.date(2026, 3, 12), True)]
    assert my_follow_ups(scope=personal_scope(person=personas.person("rep_a2")), today=TODAY) == []
    later = my_follow_ups(
        scope=personal_scope(person=personas.person("rep_a2")), today=dt.date(2026, 3, 25)
    )
    assert [(f.due, f.overdue) for f in later] == [(dt.date(2026, 3, 31), False)]


def test_people_table_can_show_the_top_earners_with_totals_over_everyone(
    personas: Any, book: Any
) -> None:
    scope = scope_get(personas.manager_a, "")
    table = dashboard_people(scope=scope, period=QTD, scope_cost=Decimal(3000), limit=2)
    assert [row.name for row in table.rows] == ["Anna Rep", "Arno Rep"]
    assert table.truncated and table.total_people == 4
    assert (table.revenue, table.people_cost, table.team_cost) == (
        Decimal("22000"),
        Decimal("2000"),
        Decimal("1000"),
    )

"""The efficiency engine's periods are salesops.calendar's, whatever the calendar: S(D)'s months,
quarters and years, the rolling periods and the horizon (the SQL only receives their bounds)."""

from __future__ import annotations

import contextlib
import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salesops import calendar
from salesops.models import Period
from salesops.services.efficiency.periods import (
    Span,
    base_spans,
    closed_months,
    derived_spans,
    rolled_spans,
    state_horizon,
)
from tests.calendars import fiscal_configs, fiscal_settings

days = st.dates(dt.date(2000, 1, 1), dt.date(2060, 12, 31))


@settings(max_examples=200, deadline=None)
@given(config=fiscal_configs(), day=days)
def test_the_snapshot_periods_of_a_date_are_the_calendars(config, day):
    with fiscal_settings(**config):
        month = calendar.month_containing(day)
        quarter = calendar.quarter_containing(day)
        year = calendar.year_containing(day)
        expected_months = [
            m
            for fy in (year.fy - 1, year.fy)
            for m in calendar.months_of(calendar.year(fy))
            if m.end < month.start
        ]
        assert closed_months(day) == [Span(Period.MONTH, m.start, m.end) for m in expected_months]
        assert state_horizon(day) == year.previous().start
        assert Span(Period.MTD, month.start, day) in base_spans(day)
        derived = {d.span.period: d for d in derived_spans(day) if d.span.period != Period.QUARTER}
        assert derived[Period.QTD].span == Span(Period.QTD, quarter.start, day)
        assert derived[Period.YTD].span == Span(Period.YTD, year.start, day)
        quarters = [d.span for d in derived_spans(day) if d.span.period == Period.QUARTER]
        expected_quarters = [
            q
            for fy in (year.fy - 1, year.fy)
            for q in calendar.quarters_of(calendar.year(fy))
            if q.end < quarter.start
        ]
        assert quarters == [Span(Period.QUARTER, q.start, q.end) for q in expected_quarters]


@settings(max_examples=200, deadline=None)
@given(config=fiscal_configs(), day=days)
def test_the_first_day_of_a_fiscal_month_closes_the_calendars_previous_month(config, day):
    with fiscal_settings(**config):
        month = calendar.month_containing(day)
        closed = [r.span for r in rolled_spans(day) if r.span.period == Period.MONTH]
        if day == month.start:
            before = month.previous()
            assert closed == [Span(Period.MONTH, before.start, before.end)]
        else:
            assert closed == []
        starts = {r.span.period: r.span.start for r in rolled_spans(day)}
        assert starts[Period.MTD] == month.start
        assert starts[Period.QTD] == calendar.quarter_containing(day).start
        assert starts[Period.YTD] == calendar.year_containing(day).start


@pytest.mark.django_db
@pytest.mark.parametrize(
    "config",
    [
        None,  # the suite's calendar (SALESOPS_TEST_CALENDAR)
        {"kind": "months", "start": 7},
        {"kind": "445", "start": 1, "week_end": "sat"},
        {"kind": "454", "start": 2, "week_end": "sat"},
        {"kind": "544", "start": 10, "week_end": "sun"},
    ],
)
def test_a_nights_snapshots_are_the_calendars_periods_and_sums(personas, config):
    """End to end: the company rows a run writes are exactly the calendar's months, quarters and
    to-date periods of its business date, and each holds the deals and costs dated in it."""
    from salesops.models import EfficiencySnapshot
    from salesops.services.efficiency import efficiency_snapshots_compute
    from tests.salesops.test_efficiency_support import cost, won

    as_of = dt.date(2026, 5, 20)
    rep = personas.person("rep_a1")
    with fiscal_settings(**config) if config else contextlib.nullcontext():
        first = calendar.year_containing(as_of).previous().start
        deals = {first + dt.timedelta(days=d): Decimal(d + 1) for d in range(0, 900, 9)}
        deals = {day: value for day, value in deals.items() if day <= as_of}
        for day, value in deals.items():
            won(rep, value, day)
            cost(value / 2, day, person=rep)

        efficiency_snapshots_compute(as_of=as_of, full=True)

        rows = {
            (row.period, row.period_start, row.period_end): row
            for row in EfficiencySnapshot.objects.filter(scope_type="company")
        }
        month = calendar.month_containing(as_of)
        quarter = calendar.quarter_containing(as_of)
        year = calendar.year_containing(as_of)
        expected = {
            (Period.MONTH, m.start, m.end)
            for fy in (year.fy - 1, year.fy)
            for m in calendar.months_of(calendar.year(fy))
            if m.end < month.start
        } | {
            (Period.QUARTER, q.start, q.end)
            for fy in (year.fy - 1, year.fy)
            for q in calendar.quarters_of(calendar.year(fy))
            if q.end < quarter.start
        }
        to_date = {
            (Period.MTD, month.start, as_of),
            (Period.QTD, quarter.start, as_of),
            (Period.YTD, year.start, as_of),
        }
        closed = {k for k in rows if k[0] in (Period.MONTH, Period.QUARTER)}
        assert closed == expected
        assert to_date <= set(rows)
        for key in expected | to_date:
            _, start, end = key
            revenue = sum((v for day, v in deals.items() if start <= day <= end), Decimal(0))
            assert (rows[key].revenue, rows[key].cost) == (revenue, revenue / 2), key

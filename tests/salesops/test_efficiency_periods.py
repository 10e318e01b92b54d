"""The efficiency engine's periods are salesops.calendar's, whatever the calendar: S(D)'s months,
quarters and years, the rolling periods and the horizon (the SQL only receives their bounds)."""

from __future__ import annotations

import datetime as dt

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

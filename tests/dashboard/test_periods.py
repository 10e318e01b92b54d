from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import override_settings
from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard.periods import company_today, resolve_period
from dashboard.selectors.tiles import last_closed_quarters
from salesops import calendar
from tests.calendars import fiscal_configs, fiscal_settings

D = dt.date


@pytest.mark.parametrize(
    ("key", "start", "end", "prev_start", "prev_end"),
    [
        ("mtd", D(2026, 3, 1), D(2026, 3, 31), D(2026, 2, 1), D(2026, 2, 28)),
        ("qtd", D(2026, 1, 1), D(2026, 3, 31), D(2025, 10, 1), D(2025, 12, 31)),
        ("ytd", D(2026, 1, 1), D(2026, 3, 31), D(2025, 1, 1), D(2025, 3, 31)),
        ("t90", D(2026, 1, 1), D(2026, 3, 31), D(2025, 10, 3), D(2025, 12, 31)),
    ],
)
@pytest.mark.usefixtures("january_berlin")
def test_periods_end_today_and_compare_with_the_same_span_before(
    key: str, start: dt.date, end: dt.date, prev_start: dt.date, prev_end: dt.date
) -> None:
    period = resolve_period(key=key, today=D(2026, 3, 31))
    assert (period.start, period.end, period.prev_start, period.prev_end) == (
        start,
        end,
        prev_start,
        prev_end,
    )


@pytest.mark.parametrize(
    ("key", "full_end"),
    [
        ("mtd", D(2026, 2, 28)),
        ("qtd", D(2026, 3, 31)),
        ("ytd", D(2026, 12, 31)),
        ("t90", D(2026, 2, 10)),
    ],
)
@pytest.mark.usefixtures("january_berlin")
def test_to_date_periods_know_the_end_of_the_whole_period(key: str, full_end: dt.date) -> None:
    assert resolve_period(key=key, today=D(2026, 2, 10)).full_end == full_end


@pytest.mark.usefixtures("january_berlin")
def test_month_to_date_compares_with_the_same_days_of_the_previous_month() -> None:
    period = resolve_period(key="mtd", today=D(2026, 3, 20))
    assert (period.prev_start, period.prev_end) == (D(2026, 2, 1), D(2026, 2, 20))


@override_settings(FISCAL_CALENDAR="months", FISCAL_YEAR_START_MONTH=4)
def test_quarter_and_year_follow_the_fiscal_calendar() -> None:
    qtd = resolve_period(key="qtd", today=D(2026, 3, 20))
    ytd = resolve_period(key="ytd", today=D(2026, 3, 20))
    assert qtd.start == D(2026, 1, 1)
    assert ytd.start == D(2025, 4, 1)
    assert resolve_period(key="qtd", today=D(2026, 5, 2)).start == D(2026, 4, 1)


def test_custom_range_compares_with_the_equally_long_range_before() -> None:
    period = resolve_period(
        key="custom", today=D(2026, 3, 20), start=D(2026, 2, 1), end=D(2026, 2, 10)
    )
    assert (period.prev_start, period.prev_end) == (D(2026, 1, 22), D(2026, 1, 31))
    assert period.days == 10


@pytest.mark.parametrize(
    ("start", "end"),
    [(None, D(2026, 1, 1)), (D(2026, 2, 1), D(2026, 1, 1)), (D(2020, 1, 1), D(2026, 1, 1))],
)
def test_bad_custom_ranges_are_refused(start: dt.date | None, end: dt.date) -> None:
    with pytest.raises(ValidationError):
        resolve_period(key="custom", today=D(2026, 3, 20), start=start, end=end)


def test_unknown_period_is_refused() -> None:
    with pytest.raises(ValidationError):
        resolve_period(key="fortnight", today=D(2026, 3, 20))


@override_settings(COMPANY_TIME_ZONE="Pacific/Auckland", FISCAL_CALENDAR="months")
def test_today_is_the_company_calendar_day_not_utc() -> None:
    # 2026-03-31 20:00 UTC is already April 1st in Auckland: a new month and quarter there.
    with time_machine.travel(dt.datetime(2026, 3, 31, 20, 0, tzinfo=dt.UTC), tick=False):
        assert company_today() == D(2026, 4, 1)
        assert resolve_period(key="mtd", today=company_today()).start == D(2026, 4, 1)


@settings(max_examples=200, deadline=None)
@given(config=fiscal_configs(), day=st.dates(D(2000, 1, 1), D(2060, 12, 31)))
def test_the_pickers_periods_are_the_calendars_whatever_the_calendar(config, day) -> None:
    """Month, quarter and year to date start where salesops.calendar's periods start, run to
    their end (full_end) and compare with calendar.same_span_before; the magic number's quarters
    are the calendar's last two closed quarters."""
    with fiscal_settings(**config):
        for key, kind in (("mtd", "month"), ("qtd", "quarter"), ("ytd", "year")):
            period = resolve_period(key=key, today=day)
            fiscal = calendar.period_containing(day, kind)
            assert (period.start, period.end, period.full_end) == (fiscal.start, day, fiscal.end)
            assert (period.prev_start, period.prev_end) == calendar.same_span_before(fiscal, day)
        last = calendar.quarter_containing(day).previous()
        assert last_closed_quarters(day) == (last.previous().start, last.start, last.end)

"""salesops.calendar: company time and the fiscal calendar (docs/calendar.md).

Properties hold for every calendar kind, start month and week-end weekday; the worked examples pin
the well-known calendars (a July start, the NRF 4-5-4 calendar, a 4-4-5 calendar of a January
start). Clocks are frozen just before and after company midnight and on DST nights.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from dateutil.relativedelta import relativedelta
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from salesops import calendar
from tests.calendars import fiscal_configs, fiscal_settings

D = dt.date
UTC = dt.UTC
NAME = re.compile(r"^FY\d{4}(-Q[1-4]|-M(0[1-9]|1[0-2]))?$")


fiscal = fiscal_settings
configs = fiscal_configs()
days = st.dates(D(1990, 1, 1), D(2090, 12, 31))
fiscal_years = st.integers(1991, 2089)


# --- properties -------------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(config=configs, day=days)
def test_every_date_lies_in_exactly_one_month_quarter_and_year(config, day):
    with fiscal(**config):
        for kind in calendar.KINDS:
            period = calendar.period_containing(day, kind)
            assert period.kind == kind
            assert period.start <= day <= period.end
            # Its neighbours touch it and do not hold the day: no gap, no overlap.
            before, after = period.previous(), period.next()
            assert before.end + dt.timedelta(days=1) == period.start
            assert period.end + dt.timedelta(days=1) == after.start
            assert not before.contains(day) and not after.contains(day)
        month = calendar.month_containing(day)
        quarter = calendar.quarter_containing(day)
        year = calendar.year_containing(day)
        assert month in calendar.months_of(quarter)
        assert quarter in calendar.quarters_of(year)
        assert calendar.quarter_of(month) == quarter
        assert month.fy == quarter.fy == year.fy


@settings(max_examples=200, deadline=None)
@given(config=configs, fy=fiscal_years)
def test_months_tile_quarters_and_quarters_tile_years(config, fy):
    with fiscal(**config):
        year = calendar.year(fy)
        quarters = calendar.quarters_of(year)
        months = calendar.months_of(year)
        assert len(quarters) == 4 and len(months) == 12
        tilings: list[tuple[calendar.FiscalPeriod, list[calendar.FiscalPeriod]]] = [
            (year, list(quarters)),
            (year, list(months)),
            *[(q, list(calendar.months_of(q))) for q in quarters],
        ]
        for whole, parts in tilings:
            assert parts[0].start == whole.start and parts[-1].end == whole.end
            for a, b in itertools.pairwise(parts):
                assert a.end + dt.timedelta(days=1) == b.start
        assert year.next().start == year.end + dt.timedelta(days=1)
        assert [m.index for m in months] == list(range(1, 13))
        assert calendar.periods(fy, calendar.MONTH) == months
        assert calendar.periods(fy, calendar.QUARTER) == quarters


@settings(max_examples=200, deadline=None)
@given(config=configs, day=days)
def test_names_round_trip_through_parse(config, day):
    with fiscal(**config):
        for kind in calendar.KINDS:
            period = calendar.period_containing(day, kind)
            assert NAME.match(period.name)
            assert calendar.parse(period.name) == period
            assert calendar.parse(period.name.lower()) == period
            assert period.key == period.name == str(period)


@settings(max_examples=200, deadline=None)
@given(config=configs, fy=fiscal_years)
def test_a_fiscal_year_is_named_by_the_year_its_nominal_end_falls_in(config, fy):
    """The nominal end is the last day of the month before the start month; a retail year ends
    within three days of it on the week-end weekday."""
    with fiscal(**config):
        year = calendar.year(fy)
        start = config["start"]
        nominal_end = (D(fy, start, 1) if start > 1 else D(fy + 1, 1, 1)) - dt.timedelta(days=1)
        assert nominal_end.year == fy
        if config["kind"] == "months":
            assert year.end == nominal_end
            assert year.start == D(fy - 1 if start > 1 else fy, start, 1)
        else:
            assert abs((year.end - nominal_end).days) <= 3
            assert year.end.weekday() == config["week_end"]


@settings(max_examples=200, deadline=None)
@given(config=configs.filter(lambda c: c["kind"] != "months"), fy=fiscal_years)
def test_retail_years_are_52_or_53_whole_weeks_in_the_pattern(config, fy):
    with fiscal(**config):
        year = calendar.year(fy)
        weeks = year.days // 7
        assert year.days % 7 == 0 and weeks in (52, 53)
        pattern = [int(w) for w in config["kind"]] * 4
        pattern[-1] += weeks - 52  # the 53rd week goes to the last month
        months = calendar.months_of(year)
        assert [m.days // 7 for m in months] == pattern
        assert all(m.days % 7 == 0 and m.end.weekday() == config["week_end"] for m in months)
        assert all(q.days // 7 in (13, 14) for q in calendar.quarters_of(year))


@settings(max_examples=200, deadline=None)
@given(config=configs, first=days, offset=st.integers(-800, 800))
def test_months_between_counts_fiscal_months(config, first, offset):
    day = first + dt.timedelta(days=offset)
    with fiscal(**config):
        n = calendar.months_between(first, day)
        month = calendar.month_containing(first)
        for _ in range(abs(n)):
            month = month.next() if n > 0 else month.previous()
        assert month.contains(day)


@settings(max_examples=200, deadline=None)
@given(config=configs, day=days)
def test_the_same_span_before_lies_in_the_previous_period(config, day):
    """Months calendars: the same days of the month one month/quarter/year back (clamped to the
    previous period's end); retail calendars: the same number of days, so weekdays line up."""
    with fiscal(**config):
        for kind in calendar.KINDS:
            period = calendar.period_containing(day, kind)
            start, end = calendar.same_span_before(period, day)
            before = period.previous()
            assert start == before.start
            assert before.start <= end <= before.end
            if config["kind"] == "months":
                months = {"month": 1, "quarter": 3, "year": 12}[kind]
                assert end == min(before.end, day - relativedelta(months=months))
            else:
                assert end - start == min(day - period.start, before.end - before.start)


# --- worked examples --------------------------------------------------------------------------


def test_a_july_start_names_the_year_by_the_year_it_ends_in():
    with fiscal(start=7):
        fy27 = calendar.year(2027)
        assert (fy27.start, fy27.end) == (D(2026, 7, 1), D(2027, 6, 30))
        assert calendar.year_containing(D(2026, 7, 1)).name == "FY2027"
        assert calendar.year_containing(D(2026, 6, 30)).name == "FY2026"
        q2 = calendar.parse("FY2027-Q2")
        assert (q2.start, q2.end) == (D(2026, 10, 1), D(2026, 12, 31))
        m01 = calendar.parse("FY2027-M01")
        assert (m01.start, m01.end, m01.label) == (
            D(2026, 7, 1),
            D(2026, 7, 31),
            "Jul 2026 (FY2027-M01)",
        )
        assert calendar.month(2027, 12).next() == calendar.month(2028, 1)
        assert calendar.quarter(2027, 1).previous() == calendar.quarter(2026, 4)


def test_a_january_start_fiscal_year_is_the_calendar_year():
    with fiscal():
        assert (calendar.year(2026).start, calendar.year(2026).end) == (
            D(2026, 1, 1),
            D(2026, 12, 31),
        )
        assert calendar.month_containing(D(2026, 2, 28)).name == "FY2026-M02"


@pytest.mark.parametrize(
    ("fy", "start", "end", "weeks"),
    [
        # The NRF 4-5-4 calendar (its "fiscal 2017" = our FY2018: named by the year it ends in).
        (2017, D(2016, 1, 31), D(2017, 1, 28), 52),
        (2018, D(2017, 1, 29), D(2018, 2, 3), 53),
        (2024, D(2023, 1, 29), D(2024, 2, 3), 53),
        (2025, D(2024, 2, 4), D(2025, 2, 1), 52),
        (2026, D(2025, 2, 2), D(2026, 1, 31), 52),
    ],
)
def test_the_nrf_454_calendar(fy, start, end, weeks):
    with fiscal("454", start=2, week_end="saturday"):
        year = calendar.year(fy)
        assert (year.start, year.end, year.days // 7) == (start, end, weeks)
        months = calendar.months_of(year)
        assert [m.days // 7 for m in months][:3] == [4, 5, 4]
        assert months[-1].days // 7 == (5 if weeks == 53 else 4)


def test_a_445_year_from_january_ends_on_the_saturday_nearest_new_years_eve():
    with fiscal("445", start=1, week_end="sat"):
        # 31 Dec 2025 is a Wednesday: the nearest Saturday is 3 Jan 2026, still FY2025.
        assert calendar.year(2025).end == D(2026, 1, 3)
        assert calendar.year_containing(D(2026, 1, 3)).name == "FY2025"
        fy26 = calendar.year(2026)
        assert (fy26.start, fy26.end) == (D(2026, 1, 4), D(2027, 1, 2))
        q1 = calendar.months_of(calendar.quarter(2026, 1))
        assert [(m.start, m.end) for m in q1] == [
            (D(2026, 1, 4), D(2026, 1, 31)),
            (D(2026, 2, 1), D(2026, 2, 28)),
            (D(2026, 3, 1), D(2026, 4, 4)),
        ]
        assert q1[2].label == "Mar 2026 (FY2026-M03)"  # named for the month it stands for
        # 31 Dec 2026 is a Thursday: FY2026 ends Sat 2 Jan 2027, after 52 weeks; FY2025 ran from
        # Sat 28 Dec 2024 to 3 Jan 2026: 53 weeks, the sixth week in its last month.
        assert fy26.days // 7 == 52
        fy25 = calendar.year(2025)
        assert (fy25.start, fy25.days // 7) == (D(2024, 12, 29), 53)
        assert calendar.month(2025, 12).days // 7 == 6


@pytest.mark.parametrize(
    ("kind", "today", "span"),
    [
        ("month", D(2026, 3, 20), (D(2026, 2, 1), D(2026, 2, 20))),
        ("month", D(2026, 3, 31), (D(2026, 2, 1), D(2026, 2, 28))),
        ("quarter", D(2026, 5, 31), (D(2026, 1, 1), D(2026, 2, 28))),
        ("year", D(2028, 2, 29), (D(2027, 1, 1), D(2027, 2, 28))),
    ],
)
def test_the_same_span_before_moves_by_calendar_months(kind, today, span):
    with fiscal():
        assert calendar.same_span_before(calendar.period_containing(today, kind), today) == span


def test_the_same_span_before_in_a_retail_calendar_keeps_the_weekday():
    with fiscal("445", start=1):
        start, end = calendar.same_span_before(
            calendar.month_containing(D(2026, 3, 10)), D(2026, 3, 10)
        )
        assert (start, end) == (D(2026, 2, 1), D(2026, 2, 10))
        assert end.weekday() == D(2026, 3, 10).weekday()


@pytest.mark.parametrize(
    "bad",
    [
        {"FISCAL_YEAR_START_MONTH": 13},
        {"FISCAL_YEAR_START_MONTH": 0},
        {"FISCAL_CALENDAR": "4-4-5"},
        {"FISCAL_CALENDAR": "454", "FISCAL_WEEK_END_WEEKDAY": "someday"},
        {"FISCAL_CALENDAR": "454", "FISCAL_WEEK_END_WEEKDAY": 7},
        {"COMPANY_TIME_ZONE": "Mars/Olympus_Mons"},
    ],
)
def test_a_bad_setting_is_a_configuration_error(bad):
    with override_settings(**bad), pytest.raises(ImproperlyConfigured):
        calendar.year_containing(D(2026, 1, 1))
        calendar.company_today()


@pytest.mark.parametrize("name", ["FY26", "FY2026-Q5", "FY2026-M13", "FY2026-M1", "2026-Q1", ""])
def test_names_that_are_not_periods_are_refused(name):
    with pytest.raises(ValueError):
        calendar.parse(name)


def test_weekday_settings_accept_names_and_numbers():
    for value in ("sun", "Sunday", 6, "6"):
        with fiscal("544", start=4, week_end=value):
            assert calendar.config().week_end == 6
            assert calendar.year(2026).end.weekday() == 6
    with fiscal("544", start=4, week_end="fri"):
        assert "weeks ending Friday" in calendar.describe()


# --- company time -----------------------------------------------------------------------------


def _at(instant: dt.datetime):
    return time_machine.travel(instant, tick=False)


@pytest.mark.parametrize(
    ("zone", "instant", "today"),
    [
        # Berlin, summer time (UTC+2): midnight of 1 April is 31 March 22:00 UTC.
        ("Europe/Berlin", dt.datetime(2026, 3, 31, 21, 59, 59, tzinfo=UTC), D(2026, 3, 31)),
        ("Europe/Berlin", dt.datetime(2026, 3, 31, 22, 0, tzinfo=UTC), D(2026, 4, 1)),
        # The spring-forward night (29 March 2026, 02:00 CET → 03:00 CEST) and its midnights.
        ("Europe/Berlin", dt.datetime(2026, 3, 28, 22, 59, 59, tzinfo=UTC), D(2026, 3, 28)),
        ("Europe/Berlin", dt.datetime(2026, 3, 28, 23, 0, tzinfo=UTC), D(2026, 3, 29)),
        ("Europe/Berlin", dt.datetime(2026, 3, 29, 21, 59, 59, tzinfo=UTC), D(2026, 3, 29)),
        ("Europe/Berlin", dt.datetime(2026, 3, 29, 22, 0, tzinfo=UTC), D(2026, 3, 30)),
        # The fall-back night (25 October 2026): midnight of the 26th is 23:00 UTC.
        ("Europe/Berlin", dt.datetime(2026, 10, 25, 22, 59, 59, tzinfo=UTC), D(2026, 10, 25)),
        ("Europe/Berlin", dt.datetime(2026, 10, 25, 23, 0, tzinfo=UTC), D(2026, 10, 26)),
        # Los Angeles is behind UTC: the UTC date turns first.
        ("America/Los_Angeles", dt.datetime(2026, 7, 1, 6, 59, 59, tzinfo=UTC), D(2026, 6, 30)),
        ("America/Los_Angeles", dt.datetime(2026, 7, 1, 7, 0, tzinfo=UTC), D(2026, 7, 1)),
        ("America/Los_Angeles", dt.datetime(2026, 3, 8, 7, 59, 59, tzinfo=UTC), D(2026, 3, 7)),
        ("America/Los_Angeles", dt.datetime(2026, 3, 8, 8, 0, tzinfo=UTC), D(2026, 3, 8)),
        ("America/Los_Angeles", dt.datetime(2026, 3, 9, 6, 59, 59, tzinfo=UTC), D(2026, 3, 8)),
        ("America/Los_Angeles", dt.datetime(2026, 3, 9, 7, 0, tzinfo=UTC), D(2026, 3, 9)),
    ],
)
def test_today_is_the_company_date_around_midnight_and_on_dst_nights(zone, instant, today):
    with override_settings(COMPANY_TIME_ZONE=zone, TIME_ZONE="UTC"), _at(instant):
        # Neither Django's TIME_ZONE nor a viewer's activated zone moves the company's date.
        with timezone.override(ZoneInfo("Pacific/Kiritimati")):
            assert calendar.company_today() == today
        assert calendar.company_today() == today
        assert calendar.company_now().date() == today
        assert calendar.company_now().tzinfo == ZoneInfo(zone)
        assert calendar.nightly_business_date() == today - dt.timedelta(days=1)
        assert (
            calendar.company_midnight(today)
            <= instant
            < calendar.company_midnight(today + dt.timedelta(days=1))
        )


def test_the_nightly_run_at_0130_computes_yesterday_on_both_dst_nights():
    with override_settings(COMPANY_TIME_ZONE="Europe/Berlin"):
        berlin = ZoneInfo("Europe/Berlin")
        for day in (D(2026, 3, 29), D(2026, 10, 25)):
            instant = dt.datetime.combine(day, dt.time(1, 30), tzinfo=berlin)
            assert calendar.nightly_business_date(instant) == day - dt.timedelta(days=1)


def test_company_days_are_23_or_25_hours_long_on_dst_days():
    with override_settings(COMPANY_TIME_ZONE="Europe/Berlin"):
        spring, autumn, plain = D(2026, 3, 29), D(2026, 10, 25), D(2026, 6, 1)
        for day, hours in ((spring, 23), (autumn, 25), (plain, 24)):
            start, end = calendar.company_day_bounds(day, day)
            assert end - start == dt.timedelta(hours=hours)


@settings(max_examples=200, deadline=None)
@given(
    instant=st.datetimes(dt.datetime(2000, 1, 1), dt.datetime(2060, 1, 1), timezones=st.just(UTC)),
    zone=st.sampled_from(["Europe/Berlin", "America/Los_Angeles", "Pacific/Auckland", "UTC"]),
)
def test_today_is_the_wall_clock_date_in_the_company_zone(instant, zone):
    with override_settings(COMPANY_TIME_ZONE=zone), _at(instant):
        assert calendar.company_today() == instant.astimezone(ZoneInfo(zone)).date()
        assert calendar.company_date(instant) == calendar.company_today()


def test_a_naive_instant_has_no_company_date():
    with pytest.raises(ValueError):
        calendar.company_date(dt.datetime(2026, 1, 1, 12))

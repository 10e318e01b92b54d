"""The fiscal calendar: fiscal years, quarters and months, their names and the period of a date.

Settings (read here and nowhere else):
- FISCAL_YEAR_START_MONTH (1..12): the month the fiscal year starts in.
- FISCAL_CALENDAR: "months" (calendar months from the start month, the default), or a retail
  calendar of whole weeks: "445", "454" or "544" (the weeks of the three months of a quarter).
- FISCAL_WEEK_END_WEEKDAY (retail only): the weekday weeks end on, "mon".."sun" (default "sat").

One naming rule: a fiscal year is named by the calendar year in which it ends. Its nominal end is
the last day of the month before the start month; FY N is the year whose nominal end falls in
calendar year N (a July start: FY2027 runs 1 Jul 2026 – 30 Jun 2027).

Retail years (the NRF 4-5-4 rule, generalised): a year ends on the week-end weekday NEAREST its
nominal end (at most three days before or after it), so it has 52 weeks, or 53 when the drift has
added up to a week. Example: February start, Saturday weeks (the NRF calendar) → FY2025 ends on
Sat 1 Feb 2025, the Saturday nearest 31 Jan 2025. A January start may end on 1–3 January of the
following calendar year and still be named by the year of its nominal end. In a 53-week year the
extra week goes to the last month (4-4-5 → 4-4-6, 4-5-4 → 4-5-5, 5-4-4 → 5-4-5).

Names: "FY2027" (year), "FY2027-Q1" (quarter 1..4), "FY2027-M01" (month 01..12 of the fiscal
year, not January). Periods are closed date ranges [start, end].
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from functools import lru_cache
from typing import ClassVar

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


class Kind(StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


MONTH, QUARTER, YEAR = Kind.MONTH, Kind.QUARTER, Kind.YEAR
KINDS = (MONTH, QUARTER, YEAR)

CALENDARS = ("months", "445", "454", "544")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
FULL_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_NAME = re.compile(r"^FY(\d{4})(?:-Q([1-4])|-M(0[1-9]|1[0-2]))?$")
_DAY = timedelta(days=1)


@dataclass(frozen=True)
class Config:
    calendar: str
    start_month: int
    week_end: int  # date.weekday() of the last day of a week (retail calendars only)

    @property
    def retail(self) -> bool:
        return self.calendar != "months"


def _weekday(raw: object) -> int:
    text = str(raw).strip().lower()
    if text.isdigit() and int(text) <= 6:
        return int(text)
    for number, name in enumerate(WEEKDAYS):
        if text in (name, FULL_WEEKDAYS[number]):
            return number
    raise ImproperlyConfigured(f"FISCAL_WEEK_END_WEEKDAY {raw!r}: use mon..sun or 0..6 (Monday 0)")


def config() -> Config:
    """The fiscal calendar the settings describe (validated)."""
    start = int(getattr(settings, "FISCAL_YEAR_START_MONTH", 1))
    if not 1 <= start <= 12:
        raise ImproperlyConfigured("FISCAL_YEAR_START_MONTH must be 1..12")
    kind = str(getattr(settings, "FISCAL_CALENDAR", "months")).strip().lower()
    if kind not in CALENDARS:
        raise ImproperlyConfigured(f"FISCAL_CALENDAR {kind!r}: use one of {', '.join(CALENDARS)}")
    week_end = _weekday(getattr(settings, "FISCAL_WEEK_END_WEEKDAY", "sat"))
    return Config(kind, start, week_end)


def describe() -> str:
    """One line for pages and docs: how the fiscal calendar is set up."""
    cfg = config()
    first = date(2000, cfg.start_month, 1).strftime("%B")
    if not cfg.retail:
        return f"Fiscal years of calendar months from {first}, named by the year they end in."
    day = date(2000, 1, 3 + cfg.week_end).strftime("%A")  # 3 Jan 2000 was a Monday
    pattern = "-".join(cfg.calendar)
    return (
        f"{pattern} retail fiscal years of weeks ending {day}, starting near 1 {first} "
        "(the year ends on the nearest such day), named by the year they end in."
    )


# --- year bounds ------------------------------------------------------------------------------


def _nominal_start(cfg: Config, fy: int) -> date:
    """The first day of the start month of fiscal year `fy` (its start in a months calendar)."""
    return date(fy if cfg.start_month == 1 else fy - 1, cfg.start_month, 1)


def _retail_end(cfg: Config, fy: int) -> date:
    nominal = _nominal_start(cfg, fy + 1) - _DAY
    ahead = (cfg.week_end - nominal.weekday()) % 7
    return nominal + timedelta(days=ahead if ahead <= 3 else ahead - 7)


@lru_cache(maxsize=512)
def _months(cfg: Config, fy: int) -> tuple[tuple[date, date], ...]:
    """The twelve (start, end) month bounds of fiscal year `fy`."""
    if not cfg.retail:
        first = _nominal_start(cfg, fy)
        starts = [first + relativedelta(months=i) for i in range(13)]
        return tuple((starts[i], starts[i + 1] - _DAY) for i in range(12))
    start, end = _retail_end(cfg, fy - 1) + _DAY, _retail_end(cfg, fy)
    weeks = [int(w) for w in cfg.calendar] * 4
    weeks[-1] += ((end - start).days + 1) // 7 - 52  # the 53rd week, if any, ends the year
    bounds = []
    for count in weeks:
        last = start + timedelta(weeks=count) - _DAY
        bounds.append((start, last))
        start = last + _DAY
    return tuple(bounds)


def _fy_of(cfg: Config, day: date) -> int:
    fy = day.year + 1 if cfg.start_month != 1 and day.month >= cfg.start_month else day.year
    months = _months(cfg, fy)
    if day > months[-1][1]:
        return fy + 1
    if day < months[0][0]:
        return fy - 1
    return fy


# --- periods ----------------------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class FiscalPeriod:
    """A fiscal year, quarter or month: [start, end], fiscal year number `fy` (named by the
    calendar year it ends in) and 1-based `index` within it (1 for a year)."""

    start: date
    end: date
    fy: int
    index: int
    kind: ClassVar[Kind]

    @property
    def name(self) -> str:
        return f"FY{self.fy}"

    @property
    def key(self) -> str:
        """The name, as stored (Statement.period_key) and passed in URLs (?period=FY2026-M03)."""
        return self.name

    @property
    def label(self) -> str:
        return self.name

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    def months(self) -> list[FiscalMonth]:
        return months_of(self)

    def next(self) -> FiscalPeriod:
        return period_containing(self.end + _DAY, self.kind)

    def previous(self) -> FiscalPeriod:
        return period_containing(self.start - _DAY, self.kind)

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True, order=True)
class FiscalYear(FiscalPeriod):
    kind: ClassVar[Kind] = YEAR

    def quarters(self) -> list[FiscalQuarter]:
        return quarters_of(self)

    def next(self) -> FiscalYear:
        return year(self.fy + 1)

    def previous(self) -> FiscalYear:
        return year(self.fy - 1)


@dataclass(frozen=True, order=True)
class FiscalQuarter(FiscalPeriod):
    kind: ClassVar[Kind] = QUARTER

    @property
    def name(self) -> str:
        return f"FY{self.fy}-Q{self.index}"

    def next(self) -> FiscalQuarter:
        return quarter(self.fy + 1, 1) if self.index == 4 else quarter(self.fy, self.index + 1)

    def previous(self) -> FiscalQuarter:
        return quarter(self.fy - 1, 4) if self.index == 1 else quarter(self.fy, self.index - 1)


@dataclass(frozen=True, order=True)
class FiscalMonth(FiscalPeriod):
    kind: ClassVar[Kind] = MONTH

    @property
    def name(self) -> str:
        return f"FY{self.fy}-M{self.index:02d}"

    @property
    def nominal(self) -> date:
        """The first day of the calendar month this fiscal month stands for (a retail month
        starts up to a few days off it)."""
        return _nominal_start(config(), self.fy) + relativedelta(months=self.index - 1)

    @property
    def label(self) -> str:
        return f"{self.nominal:%b %Y} ({self.name})"

    @property
    def ordinal(self) -> int:
        """A running month number: consecutive fiscal months differ by 1."""
        return self.fy * 12 + self.index - 1

    def next(self) -> FiscalMonth:
        return month(self.fy + 1, 1) if self.index == 12 else month(self.fy, self.index + 1)

    def previous(self) -> FiscalMonth:
        return month(self.fy - 1, 12) if self.index == 1 else month(self.fy, self.index - 1)


def year(fy: int) -> FiscalYear:
    bounds = _months(config(), fy)
    return FiscalYear(bounds[0][0], bounds[-1][1], fy, 1)


def quarter(fy: int, index: int) -> FiscalQuarter:
    if not 1 <= index <= 4:
        raise ValueError("a quarter's index is 1..4")
    bounds = _months(config(), fy)[(index - 1) * 3 : index * 3]
    return FiscalQuarter(bounds[0][0], bounds[-1][1], fy, index)


def month(fy: int, index: int) -> FiscalMonth:
    if not 1 <= index <= 12:
        raise ValueError("a month's index is 1..12")
    start, end = _months(config(), fy)[index - 1]
    return FiscalMonth(start, end, fy, index)


def year_containing(day: date) -> FiscalYear:
    return year(_fy_of(config(), day))


def month_containing(day: date) -> FiscalMonth:
    cfg = config()
    fy = _fy_of(cfg, day)
    for index, (start, end) in enumerate(_months(cfg, fy), start=1):
        if start <= day <= end:
            return FiscalMonth(start, end, fy, index)
    raise AssertionError("the months of a fiscal year tile it")  # pragma: no cover


def quarter_containing(day: date) -> FiscalQuarter:
    return quarter(*_quarter_index(month_containing(day)))


def _quarter_index(m: FiscalMonth) -> tuple[int, int]:
    return m.fy, (m.index - 1) // 3 + 1


def period_containing(day: date, kind: str = MONTH) -> FiscalPeriod:
    """The fiscal month, quarter or year (`kind`) that `day` lies in."""
    if kind == MONTH:
        return month_containing(day)
    if kind == QUARTER:
        return quarter_containing(day)
    if kind == YEAR:
        return year_containing(day)
    raise ValueError(f"unknown period kind {kind!r}")


def months_of(period: FiscalPeriod) -> list[FiscalMonth]:
    """The fiscal months that tile `period`, in order."""
    if isinstance(period, FiscalMonth):
        return [period]
    first = (period.index - 1) * 3 + 1 if isinstance(period, FiscalQuarter) else 1
    count = 3 if isinstance(period, FiscalQuarter) else 12
    return [month(period.fy, i) for i in range(first, first + count)]


def quarters_of(period: FiscalYear) -> list[FiscalQuarter]:
    return [quarter(period.fy, i) for i in range(1, 5)]


def quarter_of(m: FiscalMonth) -> FiscalQuarter:
    return quarter(*_quarter_index(m))


def periods(fy: int, kind: str = MONTH) -> list[FiscalPeriod]:
    """Every period of `kind` in fiscal year `fy`, in order."""
    if kind == YEAR:
        return [year(fy)]
    if kind == QUARTER:
        return [quarter(fy, i) for i in range(1, 5)]
    return [month(fy, i) for i in range(1, 13)]


def parse(name: str) -> FiscalPeriod:
    """'FY2026' | 'FY2026-Q2' | 'FY2026-M03' (any case) → the period; ValueError otherwise."""
    match = _NAME.match(name.strip().upper())
    if not match:
        raise ValueError(f"'{name}' is not a period name like FY2026, FY2026-Q2 or FY2026-M03")
    fy, q, m = match.groups()
    if q:
        return quarter(int(fy), int(q))
    if m:
        return month(int(fy), int(m))
    return year(int(fy))


def months_between(first: date, day: date) -> int:
    """Whole fiscal months from the month containing `first` to the one containing `day`
    (same month → 0; negative when `day` is earlier)."""
    return month_containing(day).ordinal - month_containing(first).ordinal


def same_span_before(period: FiscalPeriod, day: date) -> tuple[date, date]:
    """The to-date span [start, day] of `period`, one period earlier: what "March 1–20" compares
    with ("February 1–20"). Months calendars move by calendar months (a shorter month clamps its
    end); retail calendars move by whole weeks, so weekdays line up."""
    before = period.previous()
    if config().retail:
        return before.start, min(before.end, before.start + (day - period.start))
    shift = relativedelta(months={MONTH: 1, QUARTER: 3, YEAR: 12}[period.kind])
    return period.start - shift, min(before.end, day - shift)

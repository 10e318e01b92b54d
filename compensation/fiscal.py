"""The fiscal calendar: fiscal years, quarters and months from settings.FISCAL_YEAR_START_MONTH.

A fiscal year is named by the calendar year in which it ENDS (with a July start, FY2027 runs
1 July 2026 – 30 June 2027); with the default January start FY and calendar year coincide.
Periods are closed date ranges [start, end]. Keys: "FY2026", "FY2026-Q1", "FY2026-M01"
(M01 is the first month of the fiscal year, not January).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

from django.conf import settings

MONTH = "month"
QUARTER = "quarter"
YEAR = "year"
PERIOD_KINDS = (MONTH, QUARTER, YEAR)
_KEY = re.compile(r"^FY(\d{4})(?:-(Q)([1-4])|-(M)(0[1-9]|1[0-2]))?$")


def start_month() -> int:
    month = int(getattr(settings, "FISCAL_YEAR_START_MONTH", 1))
    if not 1 <= month <= 12:
        raise ValueError("FISCAL_YEAR_START_MONTH must be 1..12")
    return month


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + (day.month - 1) + months
    return date(index // 12, index % 12 + 1, 1)


def _month_end(day: date) -> date:
    return date(day.year, day.month, calendar.monthrange(day.year, day.month)[1])


@dataclass(frozen=True, order=True)
class Period:
    start: date
    end: date
    kind: str
    fiscal_year: int
    index: int  # 1-based month (1..12) or quarter (1..4) within the fiscal year; 1 for a year

    @property
    def key(self) -> str:
        if self.kind == YEAR:
            return f"FY{self.fiscal_year}"
        if self.kind == QUARTER:
            return f"FY{self.fiscal_year}-Q{self.index}"
        return f"FY{self.fiscal_year}-M{self.index:02d}"

    @property
    def label(self) -> str:
        if self.kind == MONTH:
            return f"{self.start:%b %Y} ({self.key})"
        return self.key

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    def months(self) -> list[Period]:
        first = (self.index - 1) * 3 + 1 if self.kind == QUARTER else 1
        count = {MONTH: 0, QUARTER: 3, YEAR: 12}[self.kind]
        if self.kind == MONTH:
            return [self]
        return [month(self.fiscal_year, first + i) for i in range(count)]

    def next(self) -> Period:
        return period_containing(_next_day(self.end), self.kind)

    def previous(self) -> Period:
        return period_containing(_prev_day(self.start), self.kind)


def _next_day(day: date) -> date:
    return date.fromordinal(day.toordinal() + 1)


def _prev_day(day: date) -> date:
    return date.fromordinal(day.toordinal() - 1)


def fiscal_year_start(fiscal_year: int) -> date:
    sm = start_month()
    return date(fiscal_year if sm == 1 else fiscal_year - 1, sm, 1)


def fiscal_year_of(day: date) -> int:
    sm = start_month()
    if sm == 1:
        return day.year
    return day.year + 1 if day.month >= sm else day.year


def year(fiscal_year: int) -> Period:
    start = fiscal_year_start(fiscal_year)
    return Period(start, _prev_day(_add_months(start, 12)), YEAR, fiscal_year, 1)


def quarter(fiscal_year: int, index: int) -> Period:
    if not 1 <= index <= 4:
        raise ValueError("quarter index is 1..4")
    start = _add_months(fiscal_year_start(fiscal_year), (index - 1) * 3)
    return Period(start, _prev_day(_add_months(start, 3)), QUARTER, fiscal_year, index)


def month(fiscal_year: int, index: int) -> Period:
    if not 1 <= index <= 12:
        raise ValueError("month index is 1..12")
    start = _add_months(fiscal_year_start(fiscal_year), index - 1)
    return Period(start, _month_end(start), MONTH, fiscal_year, index)


def period_containing(day: date, kind: str = MONTH) -> Period:
    fy = fiscal_year_of(day)
    offset = (day.year * 12 + day.month - 1) - (
        fiscal_year_start(fy).year * 12 + fiscal_year_start(fy).month - 1
    )
    if kind == YEAR:
        return year(fy)
    if kind == QUARTER:
        return quarter(fy, offset // 3 + 1)
    if kind == MONTH:
        return month(fy, offset + 1)
    raise ValueError(f"unknown period kind {kind!r}")


def periods(fiscal_year: int, kind: str = MONTH) -> list[Period]:
    if kind == YEAR:
        return [year(fiscal_year)]
    if kind == QUARTER:
        return [quarter(fiscal_year, i) for i in range(1, 5)]
    return [month(fiscal_year, i) for i in range(1, 13)]


def parse_period(key: str) -> Period:
    """'FY2026' | 'FY2026-Q2' | 'FY2026-M03' → Period; ValueError otherwise."""
    match = _KEY.match(key.strip().upper())
    if not match:
        raise ValueError(f"'{key}' is not a period key like FY2026, FY2026-Q2 or FY2026-M03")
    fy = int(match.group(1))
    if match.group(2):
        return quarter(fy, int(match.group(3)))
    if match.group(4):
        return month(fy, int(match.group(5)))
    return year(fy)


def months_since(start: date, day: date) -> int:
    """Whole calendar months from `start`'s month to `day`'s month (same month → 0)."""
    return (day.year - start.year) * 12 + day.month - start.month

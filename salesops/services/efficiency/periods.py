"""The periods of one nightly snapshot set, and business dates. Pure functions.

For a business date D the set S(D) is: the day D; month-, quarter- and year-to-date (fiscal);
the trailing 90 days; and every closed month and fiscal quarter from the start of the previous
fiscal year up to D. Quarter-to-date, year-to-date and closed quarters are sums of closed months
plus month-to-date (revenue, cost and won deals are additive over disjoint ranges), so they are
"derived" from month snapshots instead of re-reading the days. Months, quarters and years come
from salesops.calendar (a 4-4-5 calendar's months are whole weeks); the SQL receives their bounds
as parameters and never computes a period itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from salesops import calendar
from salesops.calendar import company_date as business_date
from salesops.calendar import nightly_business_date
from salesops.models import Period

TRAILING_DAYS = 90
__all__ = [
    "TRAILING_DAYS",
    "Derived",
    "Rolled",
    "Span",
    "all_spans",
    "base_spans",
    "business_date",
    "closed_months",
    "day_state_horizon",
    "derived_spans",
    "nightly_business_date",
    "rolled_spans",
    "state_horizon",
    "state_months",
]


@dataclass(frozen=True, order=True)
class Span:
    period: str
    start: date
    end: date


@dataclass(frozen=True)
class Derived:
    """A period computed as the sum of `parts` (each a Span already written as a snapshot)."""

    span: Span
    parts: tuple[Span, ...]


def month_start(day: date) -> date:
    """The first day of the fiscal month containing `day`."""
    return calendar.month_containing(day).start


def closed_months(as_of: date) -> list[Span]:
    """Every fiscal month from the start of the previous fiscal year up to `as_of`'s month."""
    cursor = calendar.year_containing(as_of).previous().months()[0]
    current = calendar.month_containing(as_of)
    spans = []
    while cursor != current:
        spans.append(Span(Period.MONTH, cursor.start, cursor.end))
        cursor = cursor.next()
    return spans


def state_horizon(as_of: date) -> date:
    """The first day a run for `as_of` reads from the per-day tables: the start of its first
    closed month (the start of the previous fiscal year). Every other period of S(as_of), and
    the day a rolled trailing-90 period drops, starts later. Later business dates never read
    earlier days, so the per-day state needs no day before the horizon of the date it was
    built for."""
    return closed_months(as_of)[0].start


def day_state_horizon(as_of: date) -> date:
    """The first day a run for `as_of` reads day by day: the start of the fiscal month of the
    day a rolled trailing-90 period drops (as_of - 90 days). Its day, month-to-date and trailing
    90 days start later; every earlier day is read only as part of a closed month, so the state
    keeps those days per person and month (EfficiencyPersonMonth) instead of per day."""
    return month_start(as_of - timedelta(days=TRAILING_DAYS))


def state_months(horizon: date, day_horizon: date) -> list[Span]:
    """The fiscal months the state keeps per person and month: from `horizon` (a month's first
    day) up to `day_horizon` (another's), excluded."""
    spans = []
    month = calendar.month_containing(horizon)
    while month.start < day_horizon:
        spans.append(Span(Period.MONTH, month.start, month.end))
        month = month.next()
    return spans


def base_spans(as_of: date) -> list[Span]:
    """Rolling periods computed from the days: day, month-to-date, trailing 90 days."""
    return [
        Span(Period.DAY, as_of, as_of),
        Span(Period.MTD, month_start(as_of), as_of),
        Span(Period.T90, as_of - timedelta(days=TRAILING_DAYS - 1), as_of),
    ]


def derived_spans(as_of: date) -> list[Derived]:
    """Closed quarters, quarter-to-date and year-to-date as sums of months plus month-to-date."""
    months = closed_months(as_of)
    mtd = Span(Period.MTD, month_start(as_of), as_of)
    qstart = calendar.quarter_containing(as_of).start
    fystart = calendar.year_containing(as_of).start
    result = [
        Derived(Span(Period.QTD, qstart, as_of), (*[m for m in months if m.start >= qstart], mtd)),
        Derived(
            Span(Period.YTD, fystart, as_of), (*[m for m in months if m.start >= fystart], mtd)
        ),
    ]
    # The closed months start on a fiscal year's first month, so every three make a quarter.
    for i in range(0, len(months) - len(months) % 3, 3):
        parts = tuple(months[i : i + 3])
        if parts[-1].end < qstart:
            result.append(Derived(Span(Period.QUARTER, parts[0].start, parts[-1].end), parts))
    return result


@dataclass(frozen=True)
class Rolled:
    """A rolling period of S(as_of) as the previous night's snapshot of `prev` (None: nothing)
    plus the day `add` minus the day `sub` (None: none): revenue, cost, won deals and the count
    of per-day rows summed are additive over disjoint days, so this is exact."""

    span: Span
    prev: Span | None
    add: date | None
    sub: date | None = None


def rolled_spans(as_of: date) -> list[Rolled]:
    """The periods of S(as_of) that follow from S(as_of - 1 day) and a day or two: the day itself,
    month-, quarter- and year-to-date (yesterday's plus today, or today alone on the first day), the
    trailing 90 days (yesterday's plus today minus the day that left the window) and, on the
    first of a month, the month just closed (yesterday's month-to-date)."""
    yesterday = as_of - timedelta(days=1)
    result = [Rolled(Span(Period.DAY, as_of, as_of), None, as_of)]
    for period, start in (
        (Period.MTD, month_start(as_of)),
        (Period.QTD, calendar.quarter_containing(as_of).start),
        (Period.YTD, calendar.year_containing(as_of).start),
    ):
        prev = None if start == as_of else Span(period, start, yesterday)
        result.append(Rolled(Span(period, start, as_of), prev, as_of))
    dropped = as_of - timedelta(days=TRAILING_DAYS)
    result.append(
        Rolled(
            Span(Period.T90, dropped + timedelta(days=1), as_of),
            Span(Period.T90, dropped, yesterday),
            as_of,
            dropped,
        )
    )
    if month_start(as_of) == as_of:
        closed = Span(Period.MONTH, month_start(yesterday), yesterday)
        result.append(Rolled(closed, Span(Period.MTD, closed.start, yesterday), None))
    return result


def all_spans(as_of: date) -> list[Span]:
    """Every period of S(as_of)."""
    return [*base_spans(as_of), *closed_months(as_of), *(d.span for d in derived_spans(as_of))]

"""The one module that owns time (docs/calendar.md).

- Company time (clock.py): `company_zone()`, `company_now()`, `company_today()`,
  `company_date(instant)`, `nightly_business_date()`; the only reader of COMPANY_TIME_ZONE.
- The fiscal calendar (fiscal.py): `year(2027)`, `quarter(2027, 1)`, `month(2027, 1)`,
  `period_containing(day, kind)`, `parse("FY2027-Q1")`, `.previous()` / `.next()`, `months_of`,
  `quarters_of`; the only reader of FISCAL_YEAR_START_MONTH, FISCAL_CALENDAR and
  FISCAL_WEEK_END_WEEKDAY. A fiscal year is named by the calendar year in which it ends.

Every "today" and every fiscal period in the apps comes from here:
`from salesops import calendar` then `calendar.company_today()`, `calendar.month_containing(d)`.
"""

from salesops.calendar.clock import (
    company_date,
    company_day_bounds,
    company_midnight,
    company_now,
    company_today,
    company_zone,
    nightly_business_date,
)
from salesops.calendar.fiscal import (
    CALENDARS,
    KINDS,
    MONTH,
    QUARTER,
    YEAR,
    FiscalMonth,
    FiscalPeriod,
    FiscalQuarter,
    FiscalYear,
    Kind,
    config,
    describe,
    month,
    month_containing,
    months_between,
    months_of,
    parse,
    period_containing,
    periods,
    quarter,
    quarter_containing,
    quarter_of,
    quarters_of,
    same_span_before,
    year,
    year_containing,
)

__all__ = [
    "CALENDARS",
    "KINDS",
    "MONTH",
    "QUARTER",
    "YEAR",
    "FiscalMonth",
    "FiscalPeriod",
    "FiscalQuarter",
    "FiscalYear",
    "Kind",
    "company_date",
    "company_day_bounds",
    "company_midnight",
    "company_now",
    "company_today",
    "company_zone",
    "config",
    "describe",
    "month",
    "month_containing",
    "months_between",
    "months_of",
    "nightly_business_date",
    "parse",
    "period_containing",
    "periods",
    "quarter",
    "quarter_containing",
    "quarter_of",
    "quarters_of",
    "same_span_before",
    "year",
    "year_containing",
]

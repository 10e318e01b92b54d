"""The company calendars the date-sensitive tests run under (docs/calendar.md, "Testing").

`SALESOPS_TEST_CALENDAR=<name>` makes tests/settings.py use one of these for the whole run, e.g.

    SALESOPS_TEST_CALENDAR=jul-la pytest tests/compensation tests/territories

Unset (or "jan-berlin"), the suite runs the defaults: calendar months from January, Berlin time.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.test import override_settings
from hypothesis import strategies as st

CALENDARS: dict[str, dict[str, object]] = {
    # The defaults: calendar months from January, Europe/Berlin.
    "jan-berlin": {
        "FISCAL_YEAR_START_MONTH": 1,
        "FISCAL_CALENDAR": "months",
        "COMPANY_TIME_ZONE": "Europe/Berlin",
    },
    # A July start (FY2027 = July 2026 – June 2027) nine hours behind UTC.
    "jul-la": {
        "FISCAL_YEAR_START_MONTH": 7,
        "FISCAL_CALENDAR": "months",
        "COMPANY_TIME_ZONE": "America/Los_Angeles",
    },
    # 4-4-5 weeks ending Saturday, the year ending on the Saturday nearest 31 December.
    "445": {
        "FISCAL_YEAR_START_MONTH": 1,
        "FISCAL_CALENDAR": "445",
        "FISCAL_WEEK_END_WEEKDAY": "sat",
        "COMPANY_TIME_ZONE": "Europe/Berlin",
    },
    # The NRF retail calendar: 4-5-4 weeks ending Saturday, the year ending near 31 January.
    "454-nrf": {
        "FISCAL_YEAR_START_MONTH": 2,
        "FISCAL_CALENDAR": "454",
        "FISCAL_WEEK_END_WEEKDAY": "sat",
        "COMPANY_TIME_ZONE": "America/New_York",
    },
}
DEFAULT = "jan-berlin"


def selected_calendar() -> str:
    return os.environ.get("SALESOPS_TEST_CALENDAR", "").strip() or DEFAULT


def selected_calendar_settings() -> dict[str, object]:
    """The settings of the calendar SALESOPS_TEST_CALENDAR names (CELERY_TIMEZONE follows)."""
    name = selected_calendar()
    if name not in CALENDARS:
        raise SystemExit(
            f"SALESOPS_TEST_CALENDAR={name!r}: use one of {', '.join(sorted(CALENDARS))}"
        )
    values = {"FISCAL_WEEK_END_WEEKDAY": "sat", **CALENDARS[name]}
    return {**values, "CELERY_TIMEZONE": values["COMPANY_TIME_ZONE"]}


@contextmanager
def fiscal_settings(
    kind: str = "months", start: int = 1, week_end: object = "sat"
) -> Iterator[None]:
    """Run a block under another fiscal calendar (override_settings)."""
    with override_settings(
        FISCAL_CALENDAR=kind, FISCAL_YEAR_START_MONTH=start, FISCAL_WEEK_END_WEEKDAY=week_end
    ):
        yield


def fiscal_configs() -> st.SearchStrategy[dict[str, Any]]:
    """Every calendar kind × start month × week-end weekday, as fiscal_settings keywords."""
    return st.tuples(
        st.sampled_from(("months", "445", "454", "544")), st.integers(1, 12), st.integers(0, 6)
    ).map(lambda c: {"kind": c[0], "start": c[1], "week_end": c[2]})

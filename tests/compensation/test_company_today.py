"""Compensation's "today" is the company's date, not the UTC one (issue 17): just after midnight
on the 1st in the company zone the current month is already the new month."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from compensation.models import Adjustment
from compensation.services.statements import adjustment_add
from compensation.tasks import statements_regenerate_open_task
from salesops import calendar

pytestmark = pytest.mark.django_db

# 1 April 2026, 00:30 in Berlin (CEST, UTC+2) is still 31 March, 22:30 in UTC.
AFTER_BERLIN_MIDNIGHT = dt.datetime(2026, 3, 31, 22, 30, tzinfo=dt.UTC)


@time_machine.travel(AFTER_BERLIN_MIDNIGHT, tick=False)
def test_statements_page_current_month_is_the_new_month_at_0030_berlin(
    january_berlin, personas, client_for
):
    response = client_for(personas.sales_ops).get("/compensation/statements/")

    assert response.context["current_month"].key == "FY2026-M04"


@time_machine.travel(AFTER_BERLIN_MIDNIGHT, tick=False)
def test_a_default_dated_adjustment_lands_on_the_new_month_at_0030_berlin(january_berlin, personas):
    adjustment = adjustment_add(
        user=personas.sales_ops,
        person=personas.person("rep_a1"),
        amount=Decimal(50),
        reason="Fix",
    )

    assert adjustment.period_start == dt.date(2026, 4, 1)
    assert Adjustment.objects.get().period_start == calendar.month(2026, 4).start


@time_machine.travel(AFTER_BERLIN_MIDNIGHT, tick=False)
def test_the_nightly_regeneration_dates_its_run_by_the_company_day(january_berlin, db):
    from salesops.models import JobRun

    statements_regenerate_open_task()

    assert JobRun.objects.get().business_date == dt.date(2026, 4, 1)

"""The territory balance shows this fiscal year's quotas, named like everywhere else (issue 17)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from compensation.services.quotas import Assignee, quota_set
from salesops import calendar
from territories.selectors import territory_metrics
from tests.territories.factories import make_model, make_territory

pytestmark = pytest.mark.django_db


def test_a_july_start_balance_in_august_shows_this_fiscal_years_quotas(settings, personas):
    settings.FISCAL_CALENDAR = "months"
    settings.FISCAL_YEAR_START_MONTH = 7
    settings.COMPANY_TIME_ZONE = "America/Los_Angeles"
    model = make_model()
    north = make_territory(model, "North")
    for fy, amount in ((2025, 99), (2026, 1200)):
        quota_set(
            user=None,
            assignee=Assignee(territory_id=north.pk),
            metric="revenue",
            period=calendar.year(fy),
            amount=Decimal(amount),
        )

    # 1 August 2025 lies in FY2026 (July 2025 – June 2026).
    balance = territory_metrics(user=personas.sales_ops, model=model, today=dt.date(2025, 8, 1))

    (row,) = balance.rows
    assert balance.fiscal_year == 2026
    assert row.quota == Decimal(1200)

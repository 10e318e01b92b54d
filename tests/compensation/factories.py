"""Helpers to build compensation fixtures in tests."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from compensation.models import PlanAssignment, PlanVersion
from compensation.services import plans as plan_services
from compensation.services import quotas as quota_services
from salesops import calendar
from salesops.models import DealSplit, Person
from territories.models import Territory, TerritoryModel
from tests.factories import WonDealFactory

MARGINAL_ATTAINMENT: dict[str, Any] = {
    "method": "marginal",
    "tier_basis": "attainment",
    "tiers": [
        {"from": "0", "to": "100", "rate": "5"},
        {"from": "100", "to": "125", "rate": "6", "label": "accelerator"},
        {"from": "125", "to": None, "rate": "7", "label": "accelerator"},
    ],
    "clawback_days": 90,
}
FLAT_5: dict[str, Any] = {"base_rate": "5", "clawback_days": 90}


def approved_plan(name: str, definition: dict[str, Any], start: dt.date) -> PlanVersion:
    version = plan_services.plan_create(
        user=None, name=name, definition=definition, effective_from=start
    )
    return plan_services.plan_version_approve(user=None, version=version)


def assign(person: Person, version: PlanVersion, start: dt.date, **kwargs: Any) -> PlanAssignment:
    return plan_services.plan_assign(
        user=None, person=person, plan=version.plan, start=start, **kwargs
    )


def territory(name: str = "Territory") -> Territory:
    model = TerritoryModel.objects.create(name=f"{name} plan")
    return Territory.objects.create(model=model, name=name)


def month_quota(person: Person, month: calendar.FiscalPeriod, amount: str) -> None:
    quota_services.quota_set(
        user=None,
        assignee=quota_services.Assignee(person=person),
        metric="revenue",
        period=month,
        amount=Decimal(amount),
        apply_ramp=False,
    )


def won_deal(
    owner: Person,
    value: str,
    close: dt.date,
    splits: list[tuple[Person, str]] | None = None,
    **kwargs: Any,
) -> Any:
    deal = WonDealFactory(
        owner=owner,
        close_value=Decimal(value),
        close_date=close,
        engage_date=close - dt.timedelta(days=10),
        with_owner_split=splits is None,
        **kwargs,
    )
    for person, pct in splits or []:
        DealSplit.objects.create(deal=deal, person=person, percent=Decimal(pct))
    return deal

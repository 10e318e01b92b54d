"""Issue 18 (c): the pay property across plan versions. For any sequence of edits to deals and
splits across months, with the plan changing version mid-year, on a month's first day or in the
middle of a month (another rate table, another method, per-tier methods), Σ paid in the payout
ledger equals one computation on the final data by the version in force on each deal's close
date, and no deal is paid twice."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from typing import Any

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compensation import engine
from compensation.models import PayoutEntry, PlanVersion, Statement
from compensation.services import plans as plan_services
from compensation.services import quotas as quota_services
from compensation.services import statements as svc
from salesops.selectors.credit import credited_splits
from tests.compensation.factories import approved_plan, assign, won_deal
from tests.compensation.test_payout_ledger import (
    MONTHS,
    PROPERTY_PLAN,
    QUOTA,
    _apply,
    _paid_in_ledger,
    deal_st,
    edit_st,
)

pytestmark = pytest.mark.django_db

LATER_VERSIONS: list[dict[str, Any]] = [
    {**PROPERTY_PLAN, "tiers": [{"from": "0", "to": None, "rate": "3"}]},
    {**PROPERTY_PLAN, "method": "retroactive"},
    {
        **PROPERTY_PLAN,
        "tiers": [
            {"from": "0", "to": "50", "rate": "4", "method": "retroactive"},
            {"from": "50", "to": "100", "rate": "6", "method": "retroactive"},
            {"from": "100", "to": None, "rate": "9", "method": "marginal"},
        ],
        "cap": None,
    },
]


def _version_for(month: Any, versions: list[PlanVersion]) -> PlanVersion:
    return [v for v in versions if v.effective_from <= month.end][-1]


def _owed(people: list[Any], versions: list[PlanVersion]) -> dict[tuple[Any, ...], D]:
    """One computation on the final data: each month by the version in force at its end, a deal
    closed before a version that starts inside the month by the version in force that day."""
    first, second = versions
    owed: dict[tuple[Any, ...], D] = {}
    for person in people:
        for month in MONTHS:
            current = _version_for(month, versions)
            plan = engine.parse_plan(current.definition)
            split_month = current == second and second.effective_from > month.start
            deals = [
                engine.DealCredit(
                    ref=s.deal.external_id,
                    credit=s.credit,
                    close_date=s.deal.close_date,
                    deal_value=s.deal.close_value,
                    share=s.percent,
                    deal_id=s.deal_id,
                    plan_key="old"
                    if split_month
                    and s.deal.close_date is not None
                    and s.deal.close_date < second.effective_from
                    else "",
                )
                for s in credited_splits(start=month.start, end=month.end, person_ids=[person.pk])
                .select_related("deal")
                .order_by("deal_id")
            ]
            old = {"old": engine.parse_plan(first.definition)}
            result = engine.calculate(plan=plan, quota=D(QUOTA), deals=deals, deal_plans=old)
            for line in result.lines:
                key = (
                    person.pk,
                    line.deal_id,
                    line.kind,
                    month.start if line.deal_id is None else None,
                )
                owed[key] = owed.get(key, D(0)) + line.amount
    return {k: v for k, v in owed.items() if v != 0}


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    initial=st.lists(deal_st, min_size=1, max_size=4),
    edits=st.lists(st.lists(edit_st, max_size=3), min_size=4, max_size=4),
    later=st.sampled_from(range(len(LATER_VERSIONS))),
    change=st.integers(min_value=1, max_value=3),
    mid_month=st.sampled_from([0, 14]),
)
def test_paid_equals_one_computation_when_the_plan_version_changes_mid_year(
    personas, initial, edits, later, change, mid_month
):
    people = [personas.person("rep_a1"), personas.person("rep_a2")]
    with transaction.atomic():
        first = approved_plan("Property versions", PROPERTY_PLAN, MONTHS[0].start)
        second = plan_services.plan_version_create(
            user=None,
            plan=first.plan,
            definition=LATER_VERSIONS[later],
            effective_from=MONTHS[change].start + dt.timedelta(days=mid_month),
        )
        second = plan_services.plan_version_approve(user=None, version=second)
        for person in people:
            assign(person, first, MONTHS[0].start)
            for month in MONTHS:
                quota_services.quota_set(
                    user=None,
                    assignee=quota_services.Assignee(person=person),
                    metric="revenue",
                    period=month,
                    amount=D(QUOTA),
                    apply_ramp=False,
                )
        deals = []
        for value, day, owner in initial:
            deal = won_deal(people[owner], str(value), dt.date(2026, day[0] + 1, day[1]))
            type(deal).objects.filter(pk=deal.pk).update(engage_date=dt.date(2025, 12, 1))
            deals.append(deal)
        for month, month_edits in zip(MONTHS, edits, strict=True):
            for edit in month_edits:
                _apply(edit, deals, people)
            svc.statements_generate(period=month)
            for statement in Statement.objects.filter(period_start=month.start):
                expected = _version_for(month, [first, second])
                assert statement.plan_version_id == expected.pk
                svc.statement_approve(user=None, statement=statement)
        assert _paid_in_ledger(people) == _owed(people, [first, second])
        # No deal paid twice: each deal's net commission is one computation's line at most.
        for person in people:
            for deal in deals:
                rows = PayoutEntry.objects.filter(person=person, deal=deal, component="commission")
                assert rows.filter(correction=False).count() <= 1
        transaction.set_rollback(True)

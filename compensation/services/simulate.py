"""The what-if: run a plan definition over hypothetical deals. Pure; saves nothing.

A simulation is one measurement period: the deals (split or overlay credit) and the other
measures' figures (`measures`: new_logos, meetings_held, mbo) are the whole period's, `quota` is
the revenue quota of that period and `measure_quotas` the others'. The deal component pays its
deal lines; every other component pays what the period owes (its true-up with nothing paid
before), against a target of `target_incentive` (a month's) × the months of its period × its
weight. Lines explain per-tier methods, periods and weights as statements do."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from django.views.decorators.debug import sensitive_variables

from compensation import engine

HUNDRED = Decimal(100)
MONTHS = {engine.PERIOD_MONTH: 1, engine.PERIOD_QUARTER: 3, engine.PERIOD_YEAR: 12}


@sensitive_variables()
def simulate(
    *,
    definition: Mapping[str, Any],
    quota: Decimal | None,
    deals: Sequence[Mapping[str, Any]],
    target_incentive: Decimal | None = None,
    carry_in: Decimal = Decimal(0),
    draw_balance: Decimal = Decimal(0),
    measures: Mapping[str, Decimal] | None = None,
    measure_quotas: Mapping[str, Decimal] | None = None,
) -> engine.Result:
    """Deals are mappings with amount, date, optional product, split_percent, credit_type
    (split or overlay) and ref. The credit of a simulated deal is amount × split_percent / 100,
    the same rule as the credit function (overlay: the overlay percent)."""
    plan = engine.parse_plan(definition)
    credits = []
    for i, deal in enumerate(deals):
        share = Decimal(deal.get("split_percent", HUNDRED))
        amount = Decimal(deal["amount"])
        credits.append(
            engine.DealCredit(
                ref=str(deal.get("ref") or f"what-if {i + 1}"),
                credit=amount * share / HUNDRED,
                close_date=deal["date"],
                product=str(deal.get("product") or ""),
                deal_value=amount,
                share=share,
                overlay="overlay" if deal.get("credit_type") == engine.OVERLAY else "",
            )
        )
    return engine.calculate(
        plan=plan,
        quota=quota,
        deals=credits,
        target_incentive=target_incentive,
        carry_in=carry_in,
        draw_balance=draw_balance,
        periods=_periods(plan, credits, quota, target_incentive, measures, measure_quotas),
    )


def _periods(
    plan: engine.Plan,
    credits: list[engine.DealCredit],
    quota: Decimal | None,
    target_incentive: Decimal | None,
    measures: Mapping[str, Decimal] | None,
    measure_quotas: Mapping[str, Decimal] | None,
) -> list[engine.PeriodInput]:
    out = []
    first = min((d.close_date for d in credits), default=date.min)
    for c in plan.period_components:
        months = MONTHS[c.period]
        if c.measure == engine.REVENUE:
            counted = [
                d for d in credits if (engine.OVERLAY if d.overlay else engine.SPLIT) in c.credit
            ]
            figure = sum((d.credit for d in counted), Decimal(0))
            period_quota = quota
            refs = tuple(d.ref for d in counted)
        else:
            figure = Decimal((measures or {}).get(c.measure, 0))
            period_quota = (
                HUNDRED if c.measure == engine.MBO else (measure_quotas or {}).get(c.measure)
            )
            refs = ()
        target = (
            None
            if target_incentive is None or c.weight is None
            else target_incentive * months * c.weight / HUNDRED
        )
        out.append(
            engine.PeriodInput(
                component=c,
                key=f"simulated {c.period}",
                start=first,
                month_no=months,
                months=months,
                final=True,
                quota=period_quota,
                credited=figure,
                target=target,
                paid=Decimal(0),
                refs=refs,
            )
        )
    return out

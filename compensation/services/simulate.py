"""The what-if: run a plan definition over hypothetical deals. Pure; saves nothing."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.views.decorators.debug import sensitive_variables

from compensation import engine

HUNDRED = Decimal(100)


@sensitive_variables()
def simulate(
    *,
    definition: Mapping[str, Any],
    quota: Decimal | None,
    deals: Sequence[Mapping[str, Any]],
    target_incentive: Decimal | None = None,
    carry_in: Decimal = Decimal(0),
    draw_balance: Decimal = Decimal(0),
) -> engine.Result:
    """Deals are mappings with amount, date, optional product, split_percent and ref. The credit
    of a simulated deal is amount × split_percent / 100, the same rule as the credit function."""
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
            )
        )
    return engine.calculate(
        plan=plan,
        quota=quota,
        deals=credits,
        target_incentive=target_incentive,
        carry_in=carry_in,
        draw_balance=draw_balance,
    )

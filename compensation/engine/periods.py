"""Period components: what a component owes for its measurement period, paid as monthly
advances and an end-of-period true-up, each a difference against what the payout ledger
already paid for (component, period). Pure (no database).

- owed(period) is computed on the period-to-date figure against the **whole period's** quota
  (a quarter's quota is the sum of its months'), never month by month: a 300,000 quarter closed
  in one month is paid what the quarterly plan owes;
- a month that does not end the period pays `advance_percent` % of owed-to-date − paid;
- the month that ends the period (and any later re-settlement of a closed period whose figure
  changed) pays owed − paid: the true-up. So Σ paid over a period = owed(period), whatever the
  advances were.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from compensation.engine.plan import (
    ADVANCE,
    HUNDRED,
    PAY_TARGET,
    PERIOD_MONTH,
    REVENUE,
    TRUE_UP,
    Component,
    cents,
    fmt_amount,
    fmt_rate,
)
from compensation.engine.tiers import (
    Slice,
    currency_rows,
    pay_slices,
    slices_exact,
    slices_formula,
    tier_rows,
)
from salesops.exceptions import ApplicationError

# A monthly non-deal component (an MBO, meetings held, a second revenue component) pays one
# line a month: its period is that month.
COMPONENT = "component"
PERIOD_KINDS = (ADVANCE, TRUE_UP, COMPONENT)


@dataclass(frozen=True)
class PeriodInput:
    """One component's measurement period as seen by one monthly statement."""

    component: Component
    key: str  # e.g. "FY2027-Q1"
    start: date  # the measurement period's first day (the ledger's key)
    month_no: int  # this statement's month within the period, 1-based
    months: int  # months in the period
    final: bool  # this month ends the period, or the period ended before it (re-settlement)
    quota: Decimal | None  # the whole period's quota of the measure
    credited: Decimal  # period-to-date figure (credit, count, meetings, MBO score)
    target: Decimal | None  # the component's target incentive for the whole period
    paid: Decimal  # already paid for (component, period): advances and true-ups
    refs: tuple[str, ...] = ()  # the deals counted, for the explanation
    note: str = ""  # e.g. which plan measured it


@dataclass(frozen=True)
class Owed:
    exact: Decimal
    slices: tuple[Slice, ...]
    formula: str


def _unit(component: Component, value: Decimal) -> str:
    if component.measure == REVENUE:
        return fmt_amount(value)
    return f"{value.normalize():f} {component.measure.replace('_', ' ')}"


def owed(inp: PeriodInput) -> Owed:
    """What the period-to-date figure earns against the period's quota (exact, unrounded)."""
    c = inp.component
    if c.pay != PAY_TARGET:
        rows = currency_rows(c, inp.quota)
        slices = pay_slices(rows, Decimal(0), inp.credited, inp.credited)
        quota = "" if inp.quota is None else f" against the {inp.key} quota {fmt_amount(inp.quota)}"
        return Owed(
            slices_exact(slices),
            tuple(slices),
            f"{fmt_amount(inp.credited)} credited{quota}: {slices_formula(slices)}",
        )
    if inp.quota is None or inp.quota <= 0:
        raise ApplicationError(
            f"Component '{c.name}' pays on attainment: it needs a {c.measure} quota above 0."
        )
    if inp.target is None:
        raise ApplicationError(
            f"Component '{c.name}' pays a share of the target incentive: set a target incentive."
        )
    points = inp.credited / inp.quota * HUNDRED
    slices = pay_slices(tier_rows(c, Decimal(1)), Decimal(0), points, points)
    percent_of_target = slices_exact(slices)
    parts = " + ".join(
        f"{s.base.quantize(Decimal('0.01'))} pts × {fmt_rate(s.rate)} ({s.tier})" for s in slices
    )
    return Owed(
        inp.target * percent_of_target / HUNDRED,
        tuple(slices),
        f"{_unit(c, inp.credited)} of the {inp.key} quota {_unit(c, inp.quota)} = attainment "
        f"{cents(points)} %: {parts or '0'} = {cents(percent_of_target)} % of the target "
        f"{fmt_amount(inp.target)}",
    )


def period_line_values(inp: PeriodInput) -> tuple[str, str, str, Decimal, Owed] | None:
    """(kind, description, formula, amount, owed) of the line, or None when nothing is due."""
    c = inp.component
    due_owed = owed(inp)
    full = cents(due_owed.exact)
    label = c.name or "commission"
    if inp.final:
        due = full
        kind = COMPONENT if c.period == PERIOD_MONTH else TRUE_UP
        what = f"{inp.key} {label}" if kind == COMPONENT else f"{inp.key} true-up, {label}"
        paid = "paid" if kind == COMPONENT else "advances paid"
        formula = f"{due_owed.formula} = {fmt_amount(full)} − {paid} {fmt_amount(inp.paid)}"
    else:
        due = cents(full * c.advance_percent / HUNDRED)
        kind = ADVANCE
        what = f"{inp.key} advance, {label} (month {inp.month_no} of {inp.months})"
        formula = (
            f"{fmt_rate(c.advance_percent)} × ({due_owed.formula} = {fmt_amount(full)}) "
            f"− advances paid {fmt_amount(inp.paid)}"
        )
    amount = due - inp.paid
    if amount == 0:
        return None
    deals = f"; deals {', '.join(inp.refs[:20])}" if inp.refs else ""
    more = f" and {len(inp.refs) - 20} more" if len(inp.refs) > 20 else ""
    return (
        kind,
        f"{what}{inp.note}{deals}{more}",
        f"{formula} = {fmt_amount(amount)}",
        amount,
        due_owed,
    )

"""The calculation of the commission engine: statement lines with their explanations, and
totals. Pure (no database); see compensation.engine for the rules.

Why one module: the engine's input and output types and the steps of one pure function,
calculate(); the steps only make sense in the order calculate() runs them (credit, tiers, caps,
netting against paid, clawbacks, SPIFs), so they stay in one file read top to bottom.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.views.decorators.debug import sensitive_variables

from compensation.engine.periods import PERIOD_KINDS, PeriodInput, period_line_values
from compensation.engine.plan import (
    ADJUSTMENT,
    CAP,
    CAP_ABSOLUTE,
    CARRY_FORWARD,
    CLAWBACK,
    COMMISSION,
    DRAW,
    DRAW_RECOVERY,
    HUNDRED,
    MARGINAL,
    OVERLAY,
    RETROACTIVE,
    SPIF,
    SPLIT,
    ZERO,
    Plan,
    cents,
    fmt_amount,
    fmt_rate,
)
from compensation.engine.tiers import (
    Slice,
    TierRow,
    currency_rows,
    pay_slices,
    reached,
    slices_exact,
    slices_formula,
)
from salesops.exceptions import ApplicationError

# --- inputs and outputs -----------------------------------------------------------------------


@dataclass(frozen=True)
class DealCredit:
    """One person's credit on one won deal (from salesops.selectors.credit)."""

    ref: str
    credit: Decimal
    close_date: date
    product: str = ""
    deal_value: Decimal | None = None  # the whole deal's close value (SPIF minimums)
    share: Decimal = HUNDRED  # the person's split percent
    deal_id: int | None = None
    overlay: str = ""  # overlay credit (its role): extra credit for pay, never revenue
    plan_key: str = ""  # measured by `deal_plans[plan_key]` (the plan in force on its close date)


@dataclass(frozen=True)
class Clawback:
    ref: str
    amount: Decimal  # what was paid on the deal before (positive); the line is its negative
    reason: str
    deal_id: int | None = None


@dataclass(frozen=True)
class Adjustment:
    ref: str
    amount: Decimal
    reason: str


CORRECTION = "correction"


@dataclass(frozen=True)
class Paid:
    """What the payout ledger already paid for one (deal, component): netted against the owed."""

    amount: Decimal
    where: str  # e.g. "FY2026-M02", for the explanation


@dataclass(frozen=True)
class Correction:
    """Owed now − paid before for one (deal, component) of a locked earlier month (or a deal
    that no longer credits this person): a line of its own, outside the cap and the draw."""

    ref: str
    component: str
    owed: Decimal
    paid: Decimal
    reason: str
    deal_id: int | None = None
    measure_period: date | None = None


@dataclass(frozen=True)
class Line:
    kind: str
    ref: str
    description: str
    amount: Decimal
    formula: str
    base: Decimal | None = None
    rate: Decimal | None = None
    tier: str = ""
    slices: tuple[Slice, ...] = ()
    deal_id: int | None = None
    component: str = ""  # the ledger component (its kind, or what a correction corrects)
    measure_period: date | None = None  # the month a correction's owed amount comes from
    plan_component: str = ""  # the plan component's name ("" = a format-1 plan's only one)
    measure: str = "revenue"

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "ref": self.ref,
            "description": self.description,
            "amount": str(self.amount),
            "formula": self.formula,
            "base": None if self.base is None else str(self.base),
            "rate": None if self.rate is None else str(self.rate),
            "tier": self.tier,
            "slices": [
                {"tier": s.tier, "base": str(s.base), "rate": str(s.rate)} for s in self.slices
            ],
            "deal_id": self.deal_id,
            "plan_component": self.plan_component,
            "measure": self.measure,
            "measure_period": None
            if self.measure_period is None
            else self.measure_period.isoformat(),
        }


@dataclass(frozen=True)
class Result:
    lines: tuple[Line, ...]
    quota: Decimal | None
    credited: Decimal
    attainment: Decimal | None  # % of quota, 2 places
    reached_tier: str
    commission: Decimal  # commission lines after the cap
    earned: Decimal  # commission + SPIFs
    total: Decimal  # every line
    payable: Decimal  # max(total, 0)
    carry_forward: Decimal  # min(total, 0): goes to the next statement
    draw_balance: Decimal  # recoverable draw still to recover

    def as_dict(self) -> dict[str, Any]:
        return {
            "lines": [line.as_dict() for line in self.lines],
            "quota": None if self.quota is None else str(self.quota),
            "credited": str(self.credited),
            "attainment": None if self.attainment is None else str(self.attainment),
            "reached_tier": self.reached_tier,
            "commission": str(self.commission),
            "earned": str(self.earned),
            "total": str(self.total),
            "payable": str(self.payable),
            "carry_forward": str(self.carry_forward),
            "draw_balance": str(self.draw_balance),
        }


# --- the calculation --------------------------------------------------------------------------


def amount_tiers(
    plan: Plan, quota: Decimal | None
) -> list[tuple[str, Decimal, Decimal | None, Decimal]]:
    """The deal component's tiers as (name, start, end, rate) in currency for this quota."""
    component = plan.deal_component
    if component is None:
        return []
    return [(r.name, r.start, r.end, r.rate) for r in currency_rows(component, quota)]


def _deal_formula(
    deal: DealCredit, rows: list[TierRow], methods: frozenset[str], pos: Decimal, total: Decimal
) -> tuple[tuple[Slice, ...], Decimal, str, str, Decimal | None]:
    """(slices, exact, formula, tier, rate) of one deal by the component's tier methods."""
    if methods == {RETROACTIVE}:
        top = rows[reached(rows, total)]
        exact = deal.credit * top.rate / HUNDRED
        formula = (
            f"{fmt_amount(deal.credit)} × {fmt_rate(top.rate)} "
            f"(retroactive: the period reached {top.name} at {fmt_amount(total)})"
        )
        return (Slice(top.name, deal.credit, top.rate),), exact, formula, top.name, top.rate
    parts = pay_slices(rows, pos, deal.credit, total)
    tier = parts[-1].tier if len(parts) == 1 else " + ".join(s.tier for s in parts)
    rate = parts[0].rate if len(parts) == 1 else None
    formula = slices_formula(parts)
    if methods != {MARGINAL}:
        formula += f" (per-tier methods; the period's total {fmt_amount(total)})"
    return tuple(parts), slices_exact(parts), formula, tier, rate


def _group_lines(
    plan: Plan, quota: Decimal | None, deals: Sequence[DealCredit], note: str
) -> list[Line]:
    component = plan.deal_component
    if component is None or not deals:
        return []
    rows = currency_rows(component, quota)
    methods = component.methods
    total = sum((d.credit for d in deals), ZERO)
    lines: list[Line] = []
    pos = ZERO
    for deal in deals:
        rate: Decimal | None
        override = plan.product_rates.get(deal.product) if deal.product else None
        if override is not None:
            exact = deal.credit * override / HUNDRED
            slices: tuple[Slice, ...] = (
                Slice(f"product rate ({deal.product})", deal.credit, override),
            )
            formula = (
                f"{fmt_amount(deal.credit)} × {fmt_rate(override)} (product rate {deal.product})"
            )
            tier, rate = f"product rate ({deal.product})", override
        else:
            slices, exact, formula, tier, rate = _deal_formula(deal, rows, methods, pos, total)
        pos += deal.credit
        share = "" if deal.share == HUNDRED else f" (your {fmt_rate(deal.share)} split)"
        if deal.overlay:
            share = f" (overlay: {deal.overlay})"
        lines.append(
            Line(
                kind=COMMISSION,
                ref=deal.ref,
                description=f"Deal {deal.ref} closed {deal.close_date.isoformat()}{share}{note}",
                amount=cents(exact),
                formula=f"{formula} = {fmt_amount(cents(exact))}",
                base=deal.credit,
                rate=rate,
                tier=tier,
                slices=slices,
                deal_id=deal.deal_id,
            )
        )
    return lines


def _commission_lines(
    plan: Plan,
    quota: Decimal | None,
    deals: Sequence[DealCredit],
    deal_plans: Mapping[str, Plan],
) -> tuple[list[Line], str]:
    """The deal component's lines. Deals whose `plan_key` names another plan (a plan change
    mid-month) are measured by that plan, the one in force on their close date."""
    component = plan.deal_component
    if component is None:
        return [], ""
    rows = currency_rows(component, quota)
    own = [d for d in deals if not d.plan_key or d.plan_key not in deal_plans]
    total = sum((d.credit for d in own), ZERO)
    note = " — measured by the plan in force on its close date" if len(deals) != len(own) else ""
    lines = _group_lines(plan, quota, own, note)
    for key in sorted({d.plan_key for d in deals if d.plan_key in deal_plans}):
        group = [d for d in deals if d.plan_key == key]
        lines += _group_lines(
            deal_plans[key], quota, group, f" — measured by {key}, in force on its close date"
        )
    order = {d.ref: i for i, d in enumerate(deals)}
    lines.sort(key=lambda ln: order.get(ln.ref, 0))
    return lines, rows[reached(rows, total)].name


def cap_amount(plan: Plan, target_incentive: Decimal | None) -> Decimal | None:
    if plan.cap is None:
        return None
    if plan.cap.kind == CAP_ABSOLUTE:
        return cents(plan.cap.value)
    if target_incentive is None:
        raise ApplicationError(
            "This plan caps at a % of the target incentive: set a target incentive."
        )
    return cents(target_incentive * plan.cap.value / HUNDRED)


def _net(
    lines: list[Line], paid: Mapping[tuple[int, str], Paid], deals: Sequence[DealCredit]
) -> list[Line]:
    """Replace the lines of each (deal, component) already paid by one correcting line for the
    difference (none when nothing changed): a deal is never paid twice. A paid component this
    period no longer owes for one of its deals (e.g. a SPIF whose window it left) owes 0."""
    owed: dict[tuple[int, str], Decimal] = {}
    refs = {d.deal_id: d.ref for d in deals if d.deal_id is not None}
    lines = [
        *lines,
        *(
            Line(
                kind=kind,
                ref=refs[deal_id],
                description="",
                amount=ZERO,
                formula="",
                deal_id=deal_id,
            )
            for deal_id, kind in sorted(paid)
            if deal_id in refs and kind in (COMMISSION, SPIF)
        ),
    ]
    for line in lines:
        if line.deal_id is not None and (line.deal_id, line.kind) in paid:
            key = (line.deal_id, line.kind)
            owed[key] = owed.get(key, ZERO) + line.amount
    out: list[Line] = []
    for line in lines:
        key = (line.deal_id or 0, line.kind)
        if line.deal_id is None or key not in paid:
            out.append(line)
            continue
        if key not in owed:
            continue  # this (deal, component) already has its one correcting line
        now = owed.pop(key)
        before = paid[key]
        diff = now - before.amount
        if diff == 0:
            continue
        label = "commission" if line.kind == COMMISSION else "SPIF"
        out.append(
            Line(
                kind=CORRECTION,
                ref=line.ref,
                description=(
                    f"Correction of the {label} on deal {line.ref}: {fmt_amount(now)} owed now, "
                    f"{fmt_amount(before.amount)} paid before ({before.where})"
                ),
                amount=diff,
                formula=(
                    f"{fmt_amount(now)} owed now − {fmt_amount(before.amount)} paid "
                    f"= {fmt_amount(diff)}"
                ),
                base=line.base,
                rate=line.rate,
                tier=line.tier,
                slices=line.slices,
                deal_id=line.deal_id,
                component=line.kind,
            )
        )
    return out


def _period_line(inp: PeriodInput) -> Line | None:
    values = period_line_values(inp)
    if values is None:
        return None
    kind, description, formula, amount, owed = values
    return Line(
        kind=kind,
        ref=f"{inp.component.name or 'commission'} {inp.key}"[:80],
        description=description,
        amount=amount,
        formula=formula,
        base=inp.credited,
        rate=owed.slices[0].rate if len(owed.slices) == 1 else None,
        tier=" + ".join(s.tier for s in owed.slices),
        slices=owed.slices,
        component=kind,
        measure_period=inp.start,
        plan_component=inp.component.name,
        measure=inp.component.measure,
    )


def _correction_line(c: Correction) -> Line:
    diff = cents(c.owed) - cents(c.paid)
    return Line(
        kind=CORRECTION,
        ref=c.ref,
        description=f"Correction: {c.reason}",
        amount=diff,
        formula=f"{fmt_amount(cents(c.owed))} owed now − {fmt_amount(cents(c.paid))} paid "
        f"= {fmt_amount(diff)}",
        deal_id=c.deal_id,
        component=c.component,
        measure_period=c.measure_period,
    )


def _spif_lines(plan: Plan, ordered: Sequence[DealCredit]) -> list[Line]:
    """A SPIF pays the deal's split (× the person's share), once in total; never overlay."""
    lines = []
    for deal in ordered:
        if deal.overlay:
            continue
        for spif in plan.spifs:
            if not spif.start <= deal.close_date <= spif.end:
                continue
            if spif.product and spif.product != deal.product:
                continue
            value = deal.deal_value if deal.deal_value is not None else deal.credit
            if value < spif.min_deal_value:
                continue
            amount = cents(spif.amount * deal.share / HUNDRED)
            lines.append(
                Line(
                    kind=SPIF,
                    ref=deal.ref,
                    description=f"SPIF '{spif.name}' on deal {deal.ref}",
                    amount=amount,
                    formula=f"{fmt_amount(spif.amount)} × {fmt_rate(deal.share)} split",
                    base=spif.amount,
                    rate=deal.share,
                    deal_id=deal.deal_id,
                )
            )
    return lines


@sensitive_variables()
def calculate(
    *,
    plan: Plan,
    quota: Decimal | None,
    deals: Sequence[DealCredit],
    clawbacks: Sequence[Clawback] = (),
    adjustments: Sequence[Adjustment] = (),
    carry_in: Decimal = ZERO,
    draw_balance: Decimal = ZERO,
    target_incentive: Decimal | None = None,
    paid: Mapping[tuple[int, str], Paid] | None = None,
    corrections: Sequence[Correction] = (),
    deal_plans: Mapping[str, Plan] | None = None,
    periods: Sequence[PeriodInput] = (),
) -> Result:
    """One statement's lines and totals. `carry_in` (≤ 0) and `draw_balance` (≥ 0) come from the
    previous statement. `paid` (deal id, component) → what the payout ledger already paid for
    a deal this period credits: only the difference is paid, as a correction line; commission and
    earnings (cap, draw) are computed before that netting... see docs "Payout ledger".
    Pure: the same inputs always give the same lines."""
    ordered = sorted(deals, key=lambda d: (d.close_date, d.ref))
    component = plan.deal_component
    counts = component.credit if component else (SPLIT,)
    counted = [d for d in ordered if (OVERLAY if d.overlay else SPLIT) in counts]
    lines, reached_tier = _commission_lines(plan, quota, counted, deal_plans or {})
    commission = sum((line.amount for line in lines), ZERO)
    limit = cap_amount(plan, target_incentive)
    if limit is not None and commission > limit:
        lines.append(
            Line(
                kind=CAP,
                ref="cap",
                description="Cap on commission",
                amount=limit - commission,
                formula=f"cap {fmt_amount(limit)} − commission {fmt_amount(commission)}",
            )
        )
        commission = limit
    period_lines = [ln for ln in (_period_line(inp) for inp in periods) if ln is not None]
    spif_lines = _spif_lines(plan, ordered)
    lines += [*period_lines, *spif_lines]
    period_total = sum((ln.amount for ln in period_lines), ZERO)
    spif_total = sum((ln.amount for ln in spif_lines), ZERO)
    earned = commission + period_total + spif_total
    guarantee = plan.draw.amount if plan.draw else ZERO
    balance = draw_balance
    if plan.draw and earned < guarantee:
        top_up = cents(guarantee - earned)
        kind = "recoverable" if plan.draw.recoverable else "non-recoverable"
        lines.append(
            Line(
                kind=DRAW,
                ref="draw",
                description=f"{kind.capitalize()} draw top-up",
                amount=top_up,
                formula=f"draw {fmt_amount(guarantee)} − earned {fmt_amount(earned)}",
            )
        )
        if plan.draw.recoverable:
            balance += top_up
    elif balance > 0 and earned > guarantee:
        recovery = min(balance, earned - guarantee)
        balance -= recovery
        lines.append(
            Line(
                kind=DRAW_RECOVERY,
                ref="draw",
                description="Recovery of earlier draw top-ups",
                amount=-recovery,
                formula=(
                    f"min(outstanding draw {fmt_amount(recovery + balance)}, "
                    f"earned {fmt_amount(earned)} − draw {fmt_amount(guarantee)})"
                ),
            )
        )
    if paid:
        lines = _net(lines, paid, ordered)
        commission = sum((ln.amount for ln in lines if ln.kind in (COMMISSION, CAP)), ZERO)
        earned = commission + sum(
            (ln.amount for ln in lines if ln.kind in (SPIF, *PERIOD_KINDS)), ZERO
        )
    for claw in clawbacks:
        lines.append(
            Line(
                kind=CLAWBACK,
                ref=claw.ref,
                description=f"Clawback of deal {claw.ref}: {claw.reason}",
                amount=-cents(claw.amount),
                formula=f"− {fmt_amount(cents(claw.amount))} paid before",
                deal_id=claw.deal_id,
            )
        )
    for adj in adjustments:
        lines.append(
            Line(
                kind=ADJUSTMENT,
                ref=adj.ref,
                description=f"Adjustment: {adj.reason}",
                amount=cents(adj.amount),
                formula=fmt_amount(cents(adj.amount)),
            )
        )
    lines.extend(_correction_line(c) for c in corrections if cents(c.owed) != cents(c.paid))
    if carry_in < 0:
        lines.append(
            Line(
                kind=CARRY_FORWARD,
                ref="carry",
                description="Negative balance carried forward from the previous statement",
                amount=cents(carry_in),
                formula=fmt_amount(cents(carry_in)),
            )
        )
    total = sum((line.amount for line in lines), ZERO)
    credited = sum((d.credit for d in counted), ZERO)
    attainment = None if quota is None or quota <= 0 else cents(credited / quota * HUNDRED)
    return Result(
        lines=tuple(lines),
        quota=quota,
        credited=credited,
        attainment=attainment,
        reached_tier=reached_tier,
        commission=commission,
        earned=earned,
        total=total,
        payable=cents(max(total, ZERO)),
        carry_forward=cents(min(total, ZERO)),
        draw_balance=balance,
    )

"""Commission maths: pure functions over Decimal (no float anywhere, no database).

The contract is DOMAIN.md's worked examples. Rules, so a rep can check any line by hand:

- Rates are percentages ("5" = 5 %). Tier bounds are amounts of credited value (tier_basis
  "amount") or % of the period's quota (tier_basis "attainment"; bound × quota / 100).
- A tier covers credited value in (start, end]; the last tier is open-ended.
- Marginal: deals are taken in close-date order; each deal's credited value is cut into the tiers
  it crosses, each slice paid at its own tier's rate. Retroactive: every deal is paid at the rate
  of the tier the period's total credited value reaches.
- Rounding: every line is rounded half-up to cents once, from its exact value; totals are sums of
  rounded lines. (A marginal deal line that crosses tiers is one line with its slices listed.)
- Product rate overrides replace the tier rate for that deal (its value still counts toward the
  tiers of later deals).
- Cap (absolute, or % of the target incentive) limits commission lines; SPIFs, draws, clawbacks,
  adjustments and carry-forwards are outside the cap.
- SPIF: a fixed bonus per qualifying deal (close date in the window, optional product, optional
  minimum deal value), paid × the person's split share so one deal pays one SPIF in total.
- Draws: the period's earnings (commission after cap + SPIFs) are topped up to the draw amount.
  A recoverable draw's top-ups accrue to a balance recovered from earnings above the draw later.
- Clawbacks and adjustments are lines; a total below zero pays 0 and carries the negative amount
  forward to the next statement (earning 500 with a 1,000 clawback → 0 paid, −500 carried).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.views.decorators.debug import sensitive_variables

from salesops.exceptions import ApplicationError

CENT = Decimal("0.01")
ZERO = Decimal(0)
HUNDRED = Decimal(100)

MARGINAL = "marginal"
RETROACTIVE = "retroactive"
BASIS_AMOUNT = "amount"
BASIS_ATTAINMENT = "attainment"
CAP_ABSOLUTE = "absolute"
CAP_PERCENT_OF_TARGET = "percent_of_target"

# Line kinds, in the order they appear on a statement.
COMMISSION = "commission"
CAP = "cap"
SPIF = "spif"
DRAW = "draw"
DRAW_RECOVERY = "draw_recovery"
CLAWBACK = "clawback"
ADJUSTMENT = "adjustment"
CARRY_FORWARD = "carry_forward"
LINE_KINDS = (COMMISSION, CAP, SPIF, DRAW, DRAW_RECOVERY, CLAWBACK, ADJUSTMENT, CARRY_FORWARD)


def cents(value: Decimal) -> Decimal:
    """Half-up to cents: the one rounding rule of every statement line."""
    return value.quantize(CENT, ROUND_HALF_UP)


def fmt_amount(value: Decimal) -> str:
    return f"{value:,.2f}"


def fmt_rate(value: Decimal) -> str:
    text = f"{value.normalize():f}"
    return f"{text} %"


# --- the plan ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tier:
    start: Decimal
    end: Decimal | None
    rate: Decimal
    label: str = ""


@dataclass(frozen=True)
class Cap:
    kind: str
    value: Decimal


@dataclass(frozen=True)
class Spif:
    name: str
    amount: Decimal
    start: date
    end: date
    product: str = ""
    min_deal_value: Decimal = ZERO


@dataclass(frozen=True)
class Draw:
    amount: Decimal
    recoverable: bool


@dataclass(frozen=True)
class Plan:
    method: str = MARGINAL
    tier_basis: str = BASIS_AMOUNT
    base_rate: Decimal = ZERO
    tiers: tuple[Tier, ...] = ()
    cap: Cap | None = None
    product_rates: Mapping[str, Decimal] = field(default_factory=dict)
    spifs: tuple[Spif, ...] = ()
    clawback_days: int = 90
    draw: Draw | None = None


PLAN_JSON_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "A commission plan version. Decimals are strings; rates are percentages.",
    "properties": {
        "method": {"type": "string", "enum": [MARGINAL, RETROACTIVE], "default": MARGINAL},
        "tier_basis": {
            "type": "string",
            "enum": [BASIS_AMOUNT, BASIS_ATTAINMENT],
            "default": BASIS_AMOUNT,
            "description": "Tier bounds in currency, or in % of the period's quota.",
        },
        "base_rate": {"type": "string", "example": "5", "description": "Used when no tiers."},
        "tiers": {
            "type": "array",
            "description": "Contiguous from 0; `to` null on the last. (from, to] per tier.",
            "items": {
                "type": "object",
                "properties": {
                    "from": {"type": "string", "example": "0"},
                    "to": {"type": ["string", "null"], "example": "100"},
                    "rate": {"type": "string", "example": "5"},
                    "label": {"type": "string", "example": "accelerator"},
                },
                "required": ["from", "rate"],
            },
        },
        "cap": {
            "type": ["object", "null"],
            "properties": {
                "kind": {"type": "string", "enum": [CAP_ABSOLUTE, CAP_PERCENT_OF_TARGET]},
                "value": {"type": "string", "example": "50000"},
            },
        },
        "product_rates": {
            "type": "object",
            "additionalProperties": {"type": "string"},
            "description": "Product name → rate that replaces the tier rate for its deals.",
        },
        "spifs": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "name": {"type": "string"},
                    "amount": {"type": "string"},
                    "start": {"type": "string", "format": "date"},
                    "end": {"type": "string", "format": "date"},
                    "product": {"type": "string"},
                    "min_deal_value": {"type": "string"},
                },
                "required": ["name", "amount", "start", "end"],
            },
        },
        "clawback_days": {"type": "integer", "default": 90},
        "draw": {
            "type": ["object", "null"],
            "properties": {
                "amount": {"type": "string"},
                "recoverable": {"type": "boolean"},
            },
        },
    },
}


def _dec(value: Any, where: str, errors: dict[str, list[str]]) -> Decimal:
    if isinstance(value, float):
        errors.setdefault(where, []).append("Give decimals as strings or integers, not floats.")
        return ZERO
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        errors.setdefault(where, []).append(f"'{value}' is not a number.")
        return ZERO
    if not number.is_finite():
        errors.setdefault(where, []).append("Must be a finite number.")
        return ZERO
    return number


def _date(value: Any, where: str, errors: dict[str, list[str]]) -> date:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        errors.setdefault(where, []).append(f"'{value}' is not an ISO date (YYYY-MM-DD).")
        return date.min


def parse_plan(definition: Mapping[str, Any]) -> Plan:
    """Validate a plan definition (PLAN_JSON_SCHEMA); ValidationError with field messages."""
    if not isinstance(definition, Mapping):
        raise ValidationError({"definition": "A plan definition is a JSON object."})
    errors: dict[str, list[str]] = {}
    method = definition.get("method", MARGINAL)
    if method not in (MARGINAL, RETROACTIVE):
        errors.setdefault("method", []).append("Use 'marginal' or 'retroactive'.")
    basis = definition.get("tier_basis", BASIS_AMOUNT)
    if basis not in (BASIS_AMOUNT, BASIS_ATTAINMENT):
        errors.setdefault("tier_basis", []).append("Use 'amount' or 'attainment'.")
    base_rate = _dec(definition.get("base_rate", "0"), "base_rate", errors)
    tiers: list[Tier] = []
    raw_tiers = definition.get("tiers") or []
    if not isinstance(raw_tiers, list):
        errors.setdefault("tiers", []).append("Tiers are a list.")
        raw_tiers = []
    for i, raw in enumerate(raw_tiers):
        if not isinstance(raw, Mapping):
            errors.setdefault("tiers", []).append(f"Tier {i + 1} is not an object.")
            continue
        start = _dec(raw.get("from", "0"), "tiers", errors)
        end_raw = raw.get("to")
        end = None if end_raw in (None, "") else _dec(end_raw, "tiers", errors)
        rate = _dec(raw.get("rate", "0"), "tiers", errors)
        tiers.append(Tier(start, end, rate, str(raw.get("label", "") or "")))
    for i, tier in enumerate(tiers):
        expected = ZERO if i == 0 else tiers[i - 1].end
        if tier.start != expected:
            errors.setdefault("tiers", []).append(
                f"Tier {i + 1} must start at {expected} (tiers are contiguous from 0)."
            )
        if tier.end is not None and tier.end <= tier.start:
            errors.setdefault("tiers", []).append(f"Tier {i + 1} ends before it starts.")
        if tier.end is None and i != len(tiers) - 1:
            errors.setdefault("tiers", []).append("Only the last tier may be open-ended.")
        if tier.rate < 0:
            errors.setdefault("tiers", []).append(f"Tier {i + 1} has a negative rate.")
    if tiers and tiers[-1].end is not None:
        errors.setdefault("tiers", []).append("The last tier must be open-ended (to: null).")
    if base_rate < 0:
        errors.setdefault("base_rate", []).append("The base rate cannot be negative.")
    cap: Cap | None = None
    raw_cap = definition.get("cap")
    if raw_cap:
        kind = raw_cap.get("kind", CAP_ABSOLUTE) if isinstance(raw_cap, Mapping) else None
        if kind not in (CAP_ABSOLUTE, CAP_PERCENT_OF_TARGET):
            errors.setdefault("cap", []).append("Cap kind is 'absolute' or 'percent_of_target'.")
        else:
            value = _dec(raw_cap.get("value"), "cap", errors)  # type: ignore[union-attr]
            if value < 0:
                errors.setdefault("cap", []).append("A cap cannot be negative.")
            cap = Cap(kind, value)
    product_rates: dict[str, Decimal] = {}
    raw_products = definition.get("product_rates") or {}
    if not isinstance(raw_products, Mapping):
        errors.setdefault("product_rates", []).append("Product rates map names to rates.")
        raw_products = {}
    for name, rate_raw in raw_products.items():
        rate = _dec(rate_raw, "product_rates", errors)
        if rate < 0:
            errors.setdefault("product_rates", []).append(f"Negative rate for {name}.")
        product_rates[str(name)] = rate
    spifs: list[Spif] = []
    for raw in definition.get("spifs") or []:
        if not isinstance(raw, Mapping):
            errors.setdefault("spifs", []).append("Each SPIF is an object.")
            continue
        spif = Spif(
            name=str(raw.get("name", "SPIF")),
            amount=_dec(raw.get("amount"), "spifs", errors),
            start=_date(raw.get("start"), "spifs", errors),
            end=_date(raw.get("end"), "spifs", errors),
            product=str(raw.get("product", "") or ""),
            min_deal_value=_dec(raw.get("min_deal_value", "0"), "spifs", errors),
        )
        if spif.end < spif.start:
            errors.setdefault("spifs", []).append(f"SPIF '{spif.name}' ends before it starts.")
        spifs.append(spif)
    clawback_days = definition.get("clawback_days", 90)
    if not isinstance(clawback_days, int) or clawback_days < 0:
        errors.setdefault("clawback_days", []).append("A whole number of days, 0 or more.")
        clawback_days = 0
    draw: Draw | None = None
    raw_draw = definition.get("draw")
    if raw_draw:
        if not isinstance(raw_draw, Mapping):
            errors.setdefault("draw", []).append("A draw is an object.")
        else:
            amount = _dec(raw_draw.get("amount"), "draw", errors)
            if amount < 0:
                errors.setdefault("draw", []).append("A draw cannot be negative.")
            draw = Draw(amount, bool(raw_draw.get("recoverable", True)))
    if errors:
        raise ValidationError(errors)
    return Plan(
        method=method,
        tier_basis=basis,
        base_rate=base_rate,
        tiers=tuple(tiers),
        cap=cap,
        product_rates=product_rates,
        spifs=tuple(spifs),
        clawback_days=clawback_days,
        draw=draw,
    )


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


@dataclass(frozen=True)
class Slice:
    tier: str
    base: Decimal
    rate: Decimal


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


def _bound(value: Decimal) -> str:
    return f"{value:,f}".rstrip("0").rstrip(".") if "." in f"{value:f}" else f"{value:,f}"


def _tier_name(index: int, tier: Tier, basis: str) -> str:
    unit = " %" if basis == BASIS_ATTAINMENT else ""
    bounds = (
        f"above {_bound(tier.start)}{unit}"
        if tier.end is None
        else f"{_bound(tier.start)}–{_bound(tier.end)}{unit}"
    )
    label = f" {tier.label}" if tier.label else ""
    return f"tier {index + 1}{label} ({bounds})"


def amount_tiers(
    plan: Plan, quota: Decimal | None
) -> list[tuple[str, Decimal, Decimal | None, Decimal]]:
    """The plan's tiers as (name, start, end, rate) in currency for this quota."""
    if not plan.tiers:
        return [("base rate", ZERO, None, plan.base_rate)]
    if plan.tier_basis == BASIS_ATTAINMENT:
        if quota is None or quota <= 0:
            raise ApplicationError("This plan's tiers are on attainment: it needs a quota above 0.")
        scale = quota / HUNDRED
    else:
        scale = Decimal(1)
    return [
        (
            _tier_name(i, t, plan.tier_basis),
            t.start * scale,
            None if t.end is None else t.end * scale,
            t.rate,
        )
        for i, t in enumerate(plan.tiers)
    ]


def _reached(tiers: list[tuple[str, Decimal, Decimal | None, Decimal]], total: Decimal) -> int:
    for i, (_, start, end, _rate) in enumerate(tiers):
        if total <= start:
            return max(i - 1, 0)
        if end is None or total <= end:
            return i
    return len(tiers) - 1


def _slices(
    tiers: list[tuple[str, Decimal, Decimal | None, Decimal]], pos: Decimal, credit: Decimal
) -> list[Slice]:
    out: list[Slice] = []
    low, high = pos, pos + credit
    for name, start, end, rate in tiers:
        a = max(low, start)
        b = high if end is None else min(high, end)
        if b > a:
            out.append(Slice(name, b - a, rate))
    return out


def _commission_lines(
    plan: Plan, quota: Decimal | None, deals: Sequence[DealCredit]
) -> tuple[list[Line], str]:
    tiers = amount_tiers(plan, quota)
    total = sum((d.credit for d in deals), ZERO)
    reached = tiers[_reached(tiers, total)]
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
        elif plan.method == RETROACTIVE:
            name, _, _, reached_rate = reached
            rate = reached_rate
            exact = deal.credit * reached_rate / HUNDRED
            slices = (Slice(name, deal.credit, reached_rate),)
            formula = (
                f"{fmt_amount(deal.credit)} × {fmt_rate(reached_rate)} "
                f"(retroactive: the period reached {name} at {fmt_amount(total)})"
            )
            tier = name
        else:
            parts = _slices(tiers, pos, deal.credit)
            slices = tuple(parts)
            exact = sum((s.base * s.rate / HUNDRED for s in parts), ZERO)
            formula = (
                " + ".join(f"{fmt_amount(s.base)} × {fmt_rate(s.rate)} ({s.tier})" for s in parts)
                or "0.00"
            )
            tier = parts[-1].tier if len(parts) == 1 else " + ".join(s.tier for s in parts)
            rate = parts[0].rate if len(parts) == 1 else None
        pos += deal.credit
        share = "" if deal.share == HUNDRED else f" (your {fmt_rate(deal.share)} split)"
        lines.append(
            Line(
                kind=COMMISSION,
                ref=deal.ref,
                description=f"Deal {deal.ref} closed {deal.close_date.isoformat()}{share}",
                amount=cents(exact),
                formula=f"{formula} = {fmt_amount(cents(exact))}",
                base=deal.credit,
                rate=rate,
                tier=tier,
                slices=slices,
                deal_id=deal.deal_id,
            )
        )
    return lines, reached[0]


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
) -> Result:
    """One statement's lines and totals. `carry_in` (≤ 0) and `draw_balance` (≥ 0) come from the
    previous statement. Pure: the same inputs always give the same lines."""
    ordered = sorted(deals, key=lambda d: (d.close_date, d.ref))
    lines, reached = _commission_lines(plan, quota, ordered)
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
    spif_total = ZERO
    for deal in ordered:
        for spif in plan.spifs:
            if not spif.start <= deal.close_date <= spif.end:
                continue
            if spif.product and spif.product != deal.product:
                continue
            if (
                deal.deal_value if deal.deal_value is not None else deal.credit
            ) < spif.min_deal_value:
                continue
            amount = cents(spif.amount * deal.share / HUNDRED)
            spif_total += amount
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
    earned = commission + spif_total
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
    credited = sum((d.credit for d in ordered), ZERO)
    attainment = None if quota is None or quota <= 0 else cents(credited / quota * HUNDRED)
    return Result(
        lines=tuple(lines),
        quota=quota,
        credited=credited,
        attainment=attainment,
        reached_tier=reached,
        commission=commission,
        earned=earned,
        total=total,
        payable=cents(max(total, ZERO)),
        carry_forward=cents(min(total, ZERO)),
        draw_balance=balance,
    )

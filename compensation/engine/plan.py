"""The plan rules of the commission engine: constants, the plan dataclasses, their JSON schema
and `parse_plan`. Pure (no database); see compensation.engine for the rules."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError

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
                    "to": {"type": "string", "nullable": True, "example": "100"},
                    "rate": {"type": "string", "example": "5"},
                    "label": {"type": "string", "example": "accelerator"},
                },
                "required": ["from", "rate"],
            },
        },
        "cap": {
            "type": "object",
            "nullable": True,
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
            "type": "object",
            "nullable": True,
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

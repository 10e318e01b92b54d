"""The plan rules of the commission engine: constants, the plan dataclasses, their JSON schema
and `parse_plan`. Pure (no database); see compensation.engine for the rules."""

from __future__ import annotations

import difflib
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
    "description": (
        "A commission plan version. Decimals are strings; rates are percentages (0–100). "
        "Validated strictly: unknown keys, wrong types and non-contiguous tiers are refused, "
        "each error keyed by the JSON pointer of its place (e.g. /tiers/1/rate)."
    ),
    "additionalProperties": False,
    "properties": {
        "version": {"type": "integer", "enum": [1], "default": 1, "description": "Format."},
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
                "additionalProperties": False,
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
            "additionalProperties": False,
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
                "additionalProperties": False,
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
            "additionalProperties": False,
            "properties": {
                "amount": {"type": "string"},
                "recoverable": {"type": "boolean"},
            },
        },
    },
}


# --- strict parsing ----------------------------------------------------------------------------

PLAN_FORMAT_VERSION = 1
MAX_RATE = HUNDRED  # a rate is a percentage of the credited value: 0–100 %
MAX_AMOUNT = Decimal("999999999.99")  # as salesops.money.MAX_AMOUNT (the engine stays pure)
MAX_BOUND = Decimal("1000000000000")  # tier bounds: currency, or % of quota
MAX_CAP_PERCENT = Decimal(10000)
MAX_CLAWBACK_DAYS = 3660
TOP_KEYS = (
    "version",
    "method",
    "tier_basis",
    "base_rate",
    "tiers",
    "cap",
    "product_rates",
    "spifs",
    "clawback_days",
    "draw",
)
TIER_KEYS = ("from", "to", "rate", "label")
CAP_KEYS = ("kind", "value")
SPIF_KEYS = ("name", "amount", "start", "end", "product", "min_deal_value")
DRAW_KEYS = ("amount", "recoverable")


def pointer(*parts: str | int) -> str:
    """An RFC 6901 JSON pointer to a place in the plan, e.g. /tiers/1/rate."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


class _Errors(dict[str, list[str]]):
    def add(self, at: str, message: str) -> None:
        self.setdefault(at, []).append(message)


def _known_keys(
    raw: Mapping[str, Any], allowed: tuple[str, ...], at: tuple[Any, ...], errors: _Errors
) -> None:
    for key in raw:
        if key not in allowed:
            close = difflib.get_close_matches(str(key), allowed, n=1)
            hint = f" Did you mean '{close[0]}'?" if close else ""
            errors.add(pointer(*at, key), f"Unknown key.{hint} Allowed: {', '.join(allowed)}.")


def _dec(
    value: Any,
    at: tuple[Any, ...],
    errors: _Errors,
    *,
    low: Decimal = ZERO,
    high: Decimal | None = None,
) -> Decimal:
    where = pointer(*at)
    if isinstance(value, bool) or not isinstance(value, str | int):
        kind = "a float" if isinstance(value, float) else f"{type(value).__name__}"
        errors.add(where, f'Give a decimal as a string (e.g. "5") or an integer, not {kind}.')
        return ZERO
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        errors.add(where, f"'{value}' is not a number.")
        return ZERO
    if not number.is_finite():
        errors.add(where, "Must be a finite number.")
        return ZERO
    if number < low or (high is not None and number > high):
        upper = f" and at most {high.normalize():f}" if high is not None else ""
        errors.add(where, f"Must be at least {low.normalize():f}{upper}.")
    return number


def _text(value: Any, at: tuple[Any, ...], errors: _Errors) -> str:
    if not isinstance(value, str):
        errors.add(pointer(*at), f"Must be a string, not {type(value).__name__}.")
        return ""
    return value


def _date(value: Any, at: tuple[Any, ...], errors: _Errors) -> date:
    try:
        return date.fromisoformat(value if isinstance(value, str) else "")
    except ValueError:
        errors.add(pointer(*at), f"'{value}' is not an ISO date (YYYY-MM-DD).")
        return date.min


def _object(raw: Any, at: tuple[Any, ...], errors: _Errors, what: str) -> Mapping[str, Any] | None:
    if not isinstance(raw, Mapping):
        errors.add(pointer(*at), f"{what} is a JSON object.")
        return None
    return raw


def _list(raw: Any, at: tuple[Any, ...], errors: _Errors, what: str) -> list[Any]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        errors.add(pointer(*at), f"{what} are a list.")
        return []
    return raw


def _required(
    raw: Mapping[str, Any], keys: tuple[str, ...], at: tuple[Any, ...], errors: _Errors
) -> bool:
    missing = [k for k in keys if k not in raw]
    for key in missing:
        errors.add(pointer(*at, key), "Required.")
    return not missing


def _parse_tiers(raw_tiers: Any, errors: _Errors) -> list[Tier]:
    tiers: list[Tier] = []
    at: list[int] = []  # each parsed tier's index in the JSON, for the pointers
    for i, raw in enumerate(_list(raw_tiers, ("tiers",), errors, "Tiers")):
        obj = _object(raw, ("tiers", i), errors, f"Tier {i + 1}")
        if obj is None:
            continue
        _known_keys(obj, TIER_KEYS, ("tiers", i), errors)
        if not _required(obj, ("from", "rate"), ("tiers", i), errors):
            continue
        start = _dec(obj["from"], ("tiers", i, "from"), errors, high=MAX_BOUND)
        end_raw = obj.get("to")
        end = None if end_raw is None else _dec(end_raw, ("tiers", i, "to"), errors, high=MAX_BOUND)
        rate = _dec(obj["rate"], ("tiers", i, "rate"), errors, high=MAX_RATE)
        label = _text(obj.get("label", ""), ("tiers", i, "label"), errors)
        tiers.append(Tier(start, end, rate, label))
        at.append(i)
    for i, tier in enumerate(tiers):
        expected = ZERO if i == 0 else tiers[i - 1].end
        if expected is not None and tier.start != expected:
            if i == 0:
                problem = "The first tier starts at 0."
            elif tier.start < expected:
                problem = f"Tier {i + 1} overlaps tier {i}: it must start at {expected}."
            else:
                problem = f"Tier {i + 1} leaves a gap after tier {i}: it must start at {expected}."
            errors.add(pointer("tiers", at[i], "from"), problem + " Tiers are contiguous from 0.")
        if tier.end is not None and tier.end <= tier.start:
            errors.add(pointer("tiers", at[i], "to"), f"Tier {i + 1} ends before it starts.")
        if tier.end is None and i != len(tiers) - 1:
            errors.add(pointer("tiers", at[i], "to"), "Only the last tier may be open-ended.")
    if tiers and tiers[-1].end is not None:
        errors.add(pointer("tiers", at[-1], "to"), "The last tier must be open-ended (to: null).")
    return tiers


def _parse_cap(raw: Any, errors: _Errors) -> Cap | None:
    if raw is None:
        return None
    cap = _object(raw, ("cap",), errors, "A cap")
    if cap is None:
        return None
    _known_keys(cap, CAP_KEYS, ("cap",), errors)
    if not _required(cap, CAP_KEYS, ("cap",), errors):
        return None
    kind = cap["kind"]
    if kind not in (CAP_ABSOLUTE, CAP_PERCENT_OF_TARGET):
        errors.add(pointer("cap", "kind"), "Cap kind is 'absolute' or 'percent_of_target'.")
        return None
    high = MAX_AMOUNT if kind == CAP_ABSOLUTE else MAX_CAP_PERCENT
    return Cap(kind, _dec(cap["value"], ("cap", "value"), errors, high=high))


def _parse_spifs(raw_spifs: Any, errors: _Errors) -> list[Spif]:
    spifs: list[Spif] = []
    for i, raw in enumerate(_list(raw_spifs, ("spifs",), errors, "SPIFs")):
        spif_raw = _object(raw, ("spifs", i), errors, f"SPIF {i + 1}")
        if spif_raw is None:
            continue
        _known_keys(spif_raw, SPIF_KEYS, ("spifs", i), errors)
        if not _required(spif_raw, ("name", "amount", "start", "end"), ("spifs", i), errors):
            continue
        spif = Spif(
            name=_text(spif_raw["name"], ("spifs", i, "name"), errors),
            amount=_dec(spif_raw["amount"], ("spifs", i, "amount"), errors, high=MAX_AMOUNT),
            start=_date(spif_raw["start"], ("spifs", i, "start"), errors),
            end=_date(spif_raw["end"], ("spifs", i, "end"), errors),
            product=_text(spif_raw.get("product", ""), ("spifs", i, "product"), errors),
            min_deal_value=_dec(
                spif_raw.get("min_deal_value", "0"),
                ("spifs", i, "min_deal_value"),
                errors,
                high=MAX_AMOUNT,
            ),
        )
        if spif.end < spif.start:
            errors.add(pointer("spifs", i, "end"), f"SPIF '{spif.name}' ends before it starts.")
        spifs.append(spif)
    return spifs


def _parse_draw(raw: Any, errors: _Errors) -> Draw | None:
    if raw is None:
        return None
    draw = _object(raw, ("draw",), errors, "A draw")
    if draw is None:
        return None
    _known_keys(draw, DRAW_KEYS, ("draw",), errors)
    if not _required(draw, ("amount",), ("draw",), errors):
        return None
    recoverable = draw.get("recoverable", True)
    if not isinstance(recoverable, bool):
        errors.add(pointer("draw", "recoverable"), "Must be true or false.")
    return Draw(
        _dec(draw["amount"], ("draw", "amount"), errors, high=MAX_AMOUNT), recoverable is True
    )


def parse_plan(definition: Mapping[str, Any]) -> Plan:
    """Validate a plan definition strictly (PLAN_JSON_SCHEMA): unknown keys, wrong types,
    overlapping or non-contiguous tiers and out-of-range values are refused. ValidationError
    whose keys are JSON pointers to the offending place (e.g. /tiers/1/rate)."""
    if not isinstance(definition, Mapping):
        raise ValidationError({"definition": "A plan definition is a JSON object."})
    errors = _Errors()
    _known_keys(definition, TOP_KEYS, (), errors)
    version = definition.get("version", PLAN_FORMAT_VERSION)
    if isinstance(version, bool) or version != PLAN_FORMAT_VERSION:
        errors.add(
            pointer("version"), f"This system reads plan format version {PLAN_FORMAT_VERSION}."
        )
    method = definition.get("method", MARGINAL)
    if method not in (MARGINAL, RETROACTIVE):
        errors.add(pointer("method"), "Use 'marginal' or 'retroactive'.")
    basis = definition.get("tier_basis", BASIS_AMOUNT)
    if basis not in (BASIS_AMOUNT, BASIS_ATTAINMENT):
        errors.add(pointer("tier_basis"), "Use 'amount' or 'attainment'.")
    base_rate = _dec(definition.get("base_rate", "0"), ("base_rate",), errors, high=MAX_RATE)
    tiers = _parse_tiers(definition.get("tiers"), errors)
    cap = _parse_cap(definition.get("cap"), errors)
    product_rates: dict[str, Decimal] = {}
    raw_products = definition.get("product_rates")
    if raw_products is not None and _object(
        raw_products, ("product_rates",), errors, "Product rates"
    ):
        for name, rate_raw in raw_products.items():
            product_rates[str(name)] = _dec(
                rate_raw, ("product_rates", name), errors, high=MAX_RATE
            )
    spifs = _parse_spifs(definition.get("spifs"), errors)
    clawback_days = definition.get("clawback_days", 90)
    if (
        isinstance(clawback_days, bool)
        or not isinstance(clawback_days, int)
        or not 0 <= clawback_days <= MAX_CLAWBACK_DAYS
    ):
        errors.add(pointer("clawback_days"), f"A whole number of days, 0 to {MAX_CLAWBACK_DAYS}.")
        clawback_days = 0
    draw = _parse_draw(definition.get("draw"), errors)
    if errors:
        raise ValidationError(dict(errors))
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

"""Strict parsing of the plan JSON (compensation.engine.schema): every error at once, keyed by
the JSON pointer of its place. Pure (no database).

Why one module: one strict parser of one JSON schema: each _parse_* reads one section of it into
the same error collector, and parse_plan() ties them in the schema's order.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError

from compensation.engine.plan import (
    BASIS_AMOUNT,
    BASIS_ATTAINMENT,
    CAP_ABSOLUTE,
    CAP_PERCENT_OF_TARGET,
    CREDIT_TYPES,
    HUNDRED,
    MARGINAL,
    MEASURES,
    PAY_RATE,
    PAY_TARGET,
    PERIOD_MONTH,
    PERIODS,
    RETROACTIVE,
    REVENUE,
    SPLIT,
    ZERO,
    Cap,
    Component,
    Draw,
    Plan,
    Spif,
    Tier,
)

PLAN_FORMAT_VERSION = 2  # the newest; format 1 (no components) is still read
FORMATS = (1, 2)
MAX_TARGET_RATE = Decimal(1000)  # pay 'target': a tier multiplies the target up to 10×
MAX_COMPONENTS = 10
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
    "components",
)
TIER_KEYS = ("from", "to", "rate", "label", "method")
COMPONENT_KEYS = (
    "name",
    "measure",
    "credit",
    "period",
    "advance_percent",
    "weight",
    "pay",
    "method",
    "tier_basis",
    "base_rate",
    "tiers",
)
TIER_SHAPE_KEYS = ("method", "tier_basis", "base_rate", "tiers")
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


def _parse_tiers(
    raw_tiers: Any,
    errors: _Errors,
    *,
    at: tuple[Any, ...] = (),
    method: str = MARGINAL,
    max_rate: Decimal = MAX_RATE,
) -> list[Tier]:
    """Tiers under the pointer prefix `at` (the plan, or a component); `method` is the default
    of a tier without its own."""
    tiers: list[Tier] = []
    index: list[int] = []  # each parsed tier's index in the JSON, for the pointers
    for i, raw in enumerate(_list(raw_tiers, (*at, "tiers"), errors, "Tiers")):
        here = (*at, "tiers", i)
        obj = _object(raw, here, errors, f"Tier {i + 1}")
        if obj is None:
            continue
        _known_keys(obj, TIER_KEYS, here, errors)
        if not _required(obj, ("from", "rate"), here, errors):
            continue
        start = _dec(obj["from"], (*here, "from"), errors, high=MAX_BOUND)
        end_raw = obj.get("to")
        end = None if end_raw is None else _dec(end_raw, (*here, "to"), errors, high=MAX_BOUND)
        rate = _dec(obj["rate"], (*here, "rate"), errors, high=max_rate)
        label = _text(obj.get("label", ""), (*here, "label"), errors)
        tier_method = obj.get("method", method)
        if tier_method not in (MARGINAL, RETROACTIVE):
            errors.add(pointer(*here, "method"), "Use 'marginal' or 'retroactive'.")
            tier_method = MARGINAL
        tiers.append(Tier(start, end, rate, label, tier_method))
        index.append(i)
    _check_contiguous(tiers, index, at, errors)
    return tiers


def _check_contiguous(
    tiers: list[Tier], index: list[int], at: tuple[Any, ...], errors: _Errors
) -> None:
    for i, tier in enumerate(tiers):
        expected = ZERO if i == 0 else tiers[i - 1].end
        if expected is not None and tier.start != expected:
            if i == 0:
                problem = "The first tier starts at 0."
            elif tier.start < expected:
                problem = f"Tier {i + 1} overlaps tier {i}: it must start at {expected}."
            else:
                problem = f"Tier {i + 1} leaves a gap after tier {i}: it must start at {expected}."
            errors.add(
                pointer(*at, "tiers", index[i], "from"), problem + " Tiers are contiguous from 0."
            )
        if tier.end is not None and tier.end <= tier.start:
            errors.add(
                pointer(*at, "tiers", index[i], "to"), f"Tier {i + 1} ends before it starts."
            )
        if tier.end is None and i != len(tiers) - 1:
            errors.add(
                pointer(*at, "tiers", index[i], "to"), "Only the last tier may be open-ended."
            )
    if tiers and tiers[-1].end is not None:
        errors.add(
            pointer(*at, "tiers", index[-1], "to"), "The last tier must be open-ended (to: null)."
        )


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


def _choice(
    raw: Mapping[str, Any],
    key: str,
    default: str,
    allowed: tuple[str, ...],
    at: tuple[Any, ...],
    errors: _Errors,
) -> str:
    value = raw.get(key, default)
    if value not in allowed:
        errors.add(pointer(*at, key), "Use " + " or ".join(f"'{a}'" for a in allowed) + ".")
        return default
    return str(value)


def _parse_credit(raw: Any, measure: str, at: tuple[Any, ...], errors: _Errors) -> tuple[str, ...]:
    if raw is None:
        return (SPLIT,)
    items = _list(raw, (*at, "credit"), errors, "Credit types")
    credit = tuple(dict.fromkeys(str(c) for c in items))
    if not credit or any(c not in CREDIT_TYPES for c in credit) or len(credit) != len(items):
        errors.add(pointer(*at, "credit"), "A non-empty list of distinct 'split' and/or 'overlay'.")
        return (SPLIT,)
    if measure != REVENUE and credit != (SPLIT,):
        errors.add(pointer(*at, "credit"), "Overlay credit counts for revenue components only.")
    return credit


def _parse_component(raw: Any, i: int, errors: _Errors) -> Component | None:
    at: tuple[Any, ...] = ("components", i)
    obj = _object(raw, at, errors, f"Component {i + 1}")
    if obj is None:
        return None
    _known_keys(obj, COMPONENT_KEYS, at, errors)
    if not _required(obj, ("name",), at, errors):
        return None
    name = _text(obj["name"], (*at, "name"), errors).strip()
    if not name or len(name) > 60:
        errors.add(pointer(*at, "name"), "A name of 1 to 60 characters.")
    measure = _choice(obj, "measure", REVENUE, MEASURES, at, errors)
    pay = _choice(
        obj,
        "pay",
        PAY_RATE if measure == REVENUE else PAY_TARGET,
        (PAY_RATE, PAY_TARGET),
        at,
        errors,
    )
    if pay == PAY_RATE and measure != REVENUE:
        errors.add(pointer(*at, "pay"), "Only revenue pays a rate; other measures pay 'target'.")
    basis_default = BASIS_ATTAINMENT if pay == PAY_TARGET else BASIS_AMOUNT
    basis = _choice(obj, "tier_basis", basis_default, (BASIS_AMOUNT, BASIS_ATTAINMENT), at, errors)
    if pay == PAY_TARGET and basis != BASIS_ATTAINMENT:
        errors.add(pointer(*at, "tier_basis"), "A 'target' component's tiers are on attainment.")
    weight = None
    if obj.get("weight") is not None:
        weight = _dec(obj["weight"], (*at, "weight"), errors, high=HUNDRED)
    elif pay == PAY_TARGET:
        errors.add(pointer(*at, "weight"), "A 'target' component needs its weight (% of target).")
    method = _choice(obj, "method", MARGINAL, (MARGINAL, RETROACTIVE), at, errors)
    max_rate = MAX_TARGET_RATE if pay == PAY_TARGET else MAX_RATE
    return Component(
        name=name,
        measure=measure,
        credit=_parse_credit(obj.get("credit"), measure, at, errors),
        period=_choice(obj, "period", PERIOD_MONTH, PERIODS, at, errors),
        advance_percent=_dec(
            obj.get("advance_percent", "100"), (*at, "advance_percent"), errors, high=HUNDRED
        ),
        weight=weight,
        pay=pay,
        method=method,
        tier_basis=basis,
        base_rate=_dec(obj.get("base_rate", "0"), (*at, "base_rate"), errors, high=max_rate),
        tiers=tuple(
            _parse_tiers(obj.get("tiers"), errors, at=at, method=method, max_rate=max_rate)
        ),
    )


def _parse_components(raw: Any, errors: _Errors) -> list[Component]:
    items = _list(raw, ("components",), errors, "Components")
    if not items or len(items) > MAX_COMPONENTS:
        errors.add(pointer("components"), f"A format-2 plan has 1 to {MAX_COMPONENTS} components.")
    components = [c for i, r in enumerate(items) if (c := _parse_component(r, i, errors))]
    seen: set[str] = set()
    for i, c in enumerate(components):
        if c.name.lower() in seen:
            errors.add(pointer("components", i, "name"), f"Another component is named '{c.name}'.")
        seen.add(c.name.lower())
    weights = [c.weight for c in components if c.weight is not None]
    if weights and (len(weights) != len(components) or sum(weights, ZERO) != HUNDRED):
        errors.add(
            pointer("components"),
            "When components have weights, every one has one and they sum to 100 %.",
        )
    return components


def _parse_shape(definition: Mapping[str, Any], version: Any, errors: _Errors) -> list[Component]:
    """The components: format 2 lists them; format 1 is one monthly revenue component at the
    top level (named "", so the payout ledger keys its lines as before components existed)."""
    if version == 2:
        for key in TIER_SHAPE_KEYS:
            if key in definition:
                errors.add(pointer(key), "Format 2 sets this in each component.")
        return _parse_components(definition.get("components"), errors)
    if "components" in definition:
        errors.add(pointer("components"), 'Components need format 2 ("version": 2).')
        return []
    method = _choice(definition, "method", MARGINAL, (MARGINAL, RETROACTIVE), (), errors)
    basis = _choice(
        definition, "tier_basis", BASIS_AMOUNT, (BASIS_AMOUNT, BASIS_ATTAINMENT), (), errors
    )
    return [
        Component(
            method=method,
            tier_basis=basis,
            base_rate=_dec(definition.get("base_rate", "0"), ("base_rate",), errors, high=MAX_RATE),
            tiers=tuple(_parse_tiers(definition.get("tiers"), errors, method=method)),
        )
    ]


def parse_plan(definition: Mapping[str, Any]) -> Plan:
    """Validate a plan definition strictly (compensation.engine.schema): unknown keys, wrong
    types, overlapping or non-contiguous tiers and out-of-range values are refused.
    ValidationError whose keys are JSON pointers to the offending place (e.g. /tiers/1/rate)."""
    if not isinstance(definition, Mapping):
        raise ValidationError({"definition": "A plan definition is a JSON object."})
    errors = _Errors()
    _known_keys(definition, TOP_KEYS, (), errors)
    version = definition.get("version", 1)
    if isinstance(version, bool) or version not in FORMATS:
        errors.add(pointer("version"), "This system reads plan formats 1 and 2.")
    components = _parse_shape(definition, version, errors)
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
    deal = next((c for c in components if c.per_deal), None)
    return Plan(
        method=deal.method if deal else MARGINAL,
        tier_basis=deal.tier_basis if deal else BASIS_AMOUNT,
        base_rate=deal.base_rate if deal else ZERO,
        tiers=deal.tiers if deal else (),
        cap=cap,
        product_rates=product_rates,
        spifs=tuple(spifs),
        clawback_days=clawback_days,
        draw=draw,
        components=tuple(components),
        format_version=2 if version == 2 else 1,
    )

"""The plan JSON format (formats 1 and 2) as a JSON schema, for OpenAPI and the plan editor.
The contract is compensation.engine.parse.parse_plan; this describes it."""

from __future__ import annotations

from typing import Any

from compensation.engine.plan import (
    BASIS_AMOUNT,
    BASIS_ATTAINMENT,
    CAP_ABSOLUTE,
    CAP_PERCENT_OF_TARGET,
    CREDIT_TYPES,
    MARGINAL,
    MEASURES,
    PAY_RATE,
    PAY_TARGET,
    PERIOD_MONTH,
    PERIODS,
    RETROACTIVE,
    SPLIT,
)

TIER_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "from": {"type": "string", "example": "0"},
        "to": {"type": "string", "nullable": True, "example": "100"},
        "rate": {
            "type": "string",
            "example": "5",
            "description": "Pay 'rate': % of the credited value (0–100). Pay 'target': % of "
            "the component's target incentive per attainment point of the slice, ×100 "
            "(100 = linear; 200 = double), 0–1000.",
        },
        "label": {"type": "string", "example": "accelerator"},
        "method": {
            "type": "string",
            "enum": [MARGINAL, RETROACTIVE],
            "description": "This tier's method (default: the plan's or component's `method`). "
            "Marginal pays the tier's own slice at its rate; a run of consecutive retroactive "
            "tiers is a band paid, on everything inside it, at the rate of the highest of its "
            "tiers the period reached.",
        },
    },
    "required": ["from", "rate"],
}

TIERS_SCHEMA: dict[str, Any] = {
    "type": "array",
    "description": "Contiguous from 0; `to` null on the last. (from, to] per tier.",
    "items": TIER_SCHEMA,
}

COMPONENT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "description": "One thing the plan pays for, with its own measure, tiers and period.",
    "properties": {
        "name": {"type": "string", "example": "New business", "description": "Unique."},
        "measure": {
            "type": "string",
            "enum": list(MEASURES),
            "default": "revenue",
            "description": "revenue (credited won value), new_logos (count of first won deals "
            "of an account, × credit share), meetings_held (from the meetings app), mbo (the "
            "manager's score in %, quota 100).",
        },
        "credit": {
            "type": "array",
            "items": {"type": "string", "enum": list(CREDIT_TYPES)},
            "default": [SPLIT],
            "description": "The credit types counted: the 100 % split and/or overlay credit "
            "(solutions engineer, manager override). Overlay: revenue components only.",
        },
        "period": {
            "type": "string",
            "enum": list(PERIODS),
            "default": PERIOD_MONTH,
            "description": "Measured per fiscal month, quarter or year against that period's "
            "quota (Σ of its months' quotas).",
        },
        "advance_percent": {
            "type": "string",
            "example": "50",
            "default": "100",
            "description": "Quarter/year: the share (0–100 %) of what the period-to-date "
            "figure earns against the period's quota paid as a monthly advance; the period's "
            "last month pays the true-up (owed for the period − paid).",
        },
        "weight": {
            "type": "string",
            "nullable": True,
            "example": "70",
            "description": "% of the target incentive (0–100). When any component has one, "
            "the weights sum to 100. Required for pay 'target'.",
        },
        "pay": {
            "type": "string",
            "enum": [PAY_RATE, PAY_TARGET],
            "description": "rate (revenue only; tier rates are % of credited value) or target "
            "(tiers on attainment; pays the weighted target incentive × the tier curve). "
            "Default: rate for revenue, target otherwise.",
        },
        "method": {"type": "string", "enum": [MARGINAL, RETROACTIVE], "default": MARGINAL},
        "tier_basis": {
            "type": "string",
            "enum": [BASIS_AMOUNT, BASIS_ATTAINMENT],
            "description": "Tier bounds in currency or in % of the period's quota (pay "
            "'target': attainment only, the default).",
        },
        "base_rate": {"type": "string", "example": "5", "description": "Used when no tiers."},
        "tiers": TIERS_SCHEMA,
    },
    "required": ["name"],
}

CAP_SCHEMA: dict[str, Any] = {
    "type": "object",
    "nullable": True,
    "additionalProperties": False,
    "properties": {
        "kind": {"type": "string", "enum": [CAP_ABSOLUTE, CAP_PERCENT_OF_TARGET]},
        "value": {"type": "string", "example": "50000"},
    },
}

SPIF_SCHEMA: dict[str, Any] = {
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
}

DRAW_SCHEMA: dict[str, Any] = {
    "type": "object",
    "nullable": True,
    "additionalProperties": False,
    "properties": {"amount": {"type": "string"}, "recoverable": {"type": "boolean"}},
}

PLAN_JSON_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": (
        "A commission plan version. Decimals are strings; rates are percentages. Format 1 "
        "(`version` 1 or absent) is one monthly revenue component written at the top level "
        "(`method`, `tier_basis`, `base_rate`, `tiers`); format 2 (`version` 2) lists "
        "`components` instead and refuses those four keys. Validated strictly: unknown keys, "
        "wrong types and non-contiguous tiers are refused, each error keyed by the JSON "
        "pointer of its place (e.g. /tiers/1/rate, /components/0/tiers/1/method)."
    ),
    "additionalProperties": False,
    "properties": {
        "version": {"type": "integer", "enum": [1, 2], "default": 1, "description": "Format."},
        "method": {"type": "string", "enum": [MARGINAL, RETROACTIVE], "default": MARGINAL},
        "tier_basis": {
            "type": "string",
            "enum": [BASIS_AMOUNT, BASIS_ATTAINMENT],
            "default": BASIS_AMOUNT,
            "description": "Tier bounds in currency, or in % of the period's quota.",
        },
        "base_rate": {"type": "string", "example": "5", "description": "Used when no tiers."},
        "tiers": TIERS_SCHEMA,
        "components": {
            "type": "array",
            "description": "Format 2: 1–10 components. The first monthly revenue component "
            "paid at a rate is the deal component (deal lines, cap, product rates, draw).",
            "items": COMPONENT_SCHEMA,
        },
        "cap": CAP_SCHEMA,
        "product_rates": {
            "type": "object",
            "additionalProperties": {"type": "string"},
            "description": "Product name → rate that replaces the tier rate for its deals "
            "(the deal component).",
        },
        "spifs": {"type": "array", "items": SPIF_SCHEMA},
        "clawback_days": {"type": "integer", "default": 90},
        "draw": DRAW_SCHEMA,
    },
}

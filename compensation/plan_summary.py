"""A plan definition (format 1 or 2) as plain rows for people: the plan document, and the
editor's starting values. Reads the JSON only; the contract stays compensation.engine's parser."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

MARGINAL = "marginal"

COMPONENT_DEFAULTS: dict[str, Any] = {
    "name": "Commission",
    "measure": "revenue",
    "credit": ["split"],
    "period": "month",
    "advance_percent": "",
    "weight": "",
    "pay": "",
    "method": MARGINAL,
    "tier_basis": "amount",
    "base_rate": "",
}


def components_of(definition: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The plan's components with their tiers, every tier with its own method. A format-1 plan
    (tiers at the top level) is one monthly revenue component."""
    if definition.get("components"):
        raw = list(definition["components"])
    else:
        raw = [
            {
                "name": "Commission",
                **{
                    k: definition[k]
                    for k in ("method", "tier_basis", "base_rate", "tiers")
                    if k in definition
                },
            }
        ]
    components = []
    for item in raw:
        component = {**COMPONENT_DEFAULTS, **{k: v for k, v in item.items() if v is not None}}
        method = component.get("method") or MARGINAL
        component["tiers"] = [
            {
                "from": str(t.get("from", "")),
                "to": "" if t.get("to") is None else str(t["to"]),
                "rate": str(t.get("rate", "")),
                "label": t.get("label", ""),
                "method": t.get("method") or method,
            }
            for t in item.get("tiers") or []
        ]
        components.append(component)
    return components


def tier_in_words(tier: Mapping[str, Any], basis: str) -> str:
    unit = " %" if basis == "attainment" else ""
    upper = f"{tier['to']}{unit}" if tier.get("to") not in ("", None) else "and above"
    how = (
        "on its own slice"
        if tier["method"] == MARGINAL
        else "on everything in its band, once reached"
    )
    return f"from {tier['from']}{unit} {'to ' + upper if tier.get('to') not in ('', None) else upper}: {tier['rate']} % {how}"


# --- the editor's starting values -------------------------------------------------------------


def terms_initial(definition: Mapping[str, Any]) -> dict[str, Any]:
    cap = definition.get("cap") or {}
    draw = definition.get("draw") or {}
    rates = definition.get("product_rates") or {}
    return {
        "cap_kind": cap.get("kind", ""),
        "cap_value": cap.get("value", ""),
        "clawback_days": definition.get("clawback_days", 90),
        "draw_amount": draw.get("amount", ""),
        "draw_recoverable": bool(draw.get("recoverable", False)),
        "product_rates": "\n".join(f"{k} = {v}" for k, v in rates.items()),
    }


def component_initial(component: Mapping[str, Any]) -> dict[str, Any]:
    credit = component.get("credit") or ["split"]
    return {
        "name": component.get("name") or "Commission",
        "measure": component["measure"],
        "credit_split": "split" in credit,
        "credit_overlay": "overlay" in credit,
        "period": component["period"],
        "advance_percent": component.get("advance_percent", ""),
        "weight": component.get("weight") or "",
        "pay": component.get("pay") or "",
        "tier_basis": component.get("tier_basis") or "amount",
        "base_rate": component.get("base_rate") or "",
    }

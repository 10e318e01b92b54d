"""Tiers with a method each: the slices a value is paid on. Pure (no database).

A run of consecutive retroactive tiers is a *band*: everything inside the band is paid at the
rate of the highest of its tiers the period's total reaches. A marginal tier pays its own slice
at its own rate. All-marginal is the classic marginal table; all-retroactive is one band over the
whole table, i.e. the reached tier's rate on everything (the classic retroactive method).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from compensation.engine.plan import (
    BASIS_ATTAINMENT,
    HUNDRED,
    RETROACTIVE,
    ZERO,
    Component,
    Tier,
    fmt_amount,
    fmt_rate,
)
from salesops.exceptions import ApplicationError


@dataclass(frozen=True)
class TierRow:
    """A tier in the unit the value is measured in (currency, or attainment points)."""

    name: str
    start: Decimal
    end: Decimal | None
    rate: Decimal
    method: str


@dataclass(frozen=True)
class Slice:
    tier: str
    base: Decimal
    rate: Decimal


def _bound(value: Decimal) -> str:
    return f"{value:,f}".rstrip("0").rstrip(".") if "." in f"{value:f}" else f"{value:,f}"


def tier_name(index: int, tier: Tier, basis: str) -> str:
    unit = " %" if basis == BASIS_ATTAINMENT else ""
    bounds = (
        f"above {_bound(tier.start)}{unit}"
        if tier.end is None
        else f"{_bound(tier.start)}–{_bound(tier.end)}{unit}"
    )
    label = f" {tier.label}" if tier.label else ""
    return f"tier {index + 1}{label} ({bounds})"


def tier_rows(component: Component, scale: Decimal) -> list[TierRow]:
    """The component's tiers with bounds × `scale` (quota / 100 for attainment bounds measured
    in currency; 1 for amounts, or for attainment points)."""
    if not component.tiers:
        return [TierRow("base rate", ZERO, None, component.base_rate, component.method)]
    return [
        TierRow(
            tier_name(i, t, component.tier_basis),
            t.start * scale,
            None if t.end is None else t.end * scale,
            t.rate,
            t.method or component.method,
        )
        for i, t in enumerate(component.tiers)
    ]


def currency_rows(component: Component, quota: Decimal | None) -> list[TierRow]:
    """Tiers in currency for this quota (attainment bounds need a quota above 0)."""
    if component.tiers and component.tier_basis == BASIS_ATTAINMENT:
        if quota is None or quota <= 0:
            raise ApplicationError("This plan's tiers are on attainment: it needs a quota above 0.")
        return tier_rows(component, quota / HUNDRED)
    return tier_rows(component, Decimal(1))


def reached(rows: list[TierRow], total: Decimal) -> int:
    """The index of the tier `total` reaches: the one holding it ((start, end]); 0 at 0."""
    for i, row in enumerate(rows):
        if total <= row.start:
            return max(i - 1, 0)
        if row.end is None or total <= row.end:
            return i
    return len(rows) - 1


def effective_rates(rows: list[TierRow], total: Decimal) -> list[tuple[Decimal, str]]:
    """Per tier: the rate its slice is paid at for this period total, and why (per-tier method).
    A retroactive band pays its reached tier's rate on the whole band."""
    out: list[tuple[Decimal, str]] = [(row.rate, "") for row in rows]
    i = 0
    while i < len(rows):
        if rows[i].method != RETROACTIVE:
            i += 1
            continue
        j = i
        while j + 1 < len(rows) and rows[j + 1].method == RETROACTIVE:
            j += 1
        band = rows[i : j + 1]
        top = i + reached(band, total) if total > rows[i].start else i
        for k in range(i, j + 1):
            out[k] = (rows[top].rate, f"retroactive: the band reached {rows[top].name}")
        i = j + 1
    return out


def pay_slices(rows: list[TierRow], pos: Decimal, value: Decimal, total: Decimal) -> list[Slice]:
    """The slices of `value` placed at `pos` (what came before it), each at its tier's effective
    rate for the period `total`."""
    rates = effective_rates(rows, total)
    out: list[Slice] = []
    low, high = pos, pos + value
    for row, (rate, why) in zip(rows, rates, strict=True):
        a = max(low, row.start)
        b = high if row.end is None else min(high, row.end)
        if b > a:
            name = row.name if not why else f"{row.name}, {why}"
            out.append(Slice(name, b - a, rate))
    return out


def slices_exact(slices: list[Slice]) -> Decimal:
    return sum((s.base * s.rate / HUNDRED for s in slices), ZERO)


def slices_formula(slices: list[Slice]) -> str:
    return (
        " + ".join(f"{fmt_amount(s.base)} × {fmt_rate(s.rate)} ({s.tier})" for s in slices)
        or "0.00"
    )

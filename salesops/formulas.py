"""The domain's formulas, pure functions over Decimal. The contract is docs/domain.md."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

RATIO_QUANTUM = Decimal("0.0001")
HUNDRED = Decimal(100)


def efficiency_ratio(revenue: Decimal, cost: Decimal) -> Decimal | None:
    """revenue / cost × 100, 4 decimal places half-up; None (undefined) when cost is 0."""
    if cost == 0:
        return None
    return (Decimal(revenue) / Decimal(cost) * HUNDRED).quantize(RATIO_QUANTUM, ROUND_HALF_UP)


def format_ratio(ratio: Decimal | None) -> str:
    """One decimal for display; '—' when undefined."""
    if ratio is None:
        return "—"
    return f"{ratio.quantize(Decimal('0.1'), ROUND_HALF_UP):,}"


def magic_number(
    revenue_q: Decimal, revenue_prev_q: Decimal, cost_prev_q: Decimal
) -> Decimal | None:
    """(revenue[q] − revenue[q−1]) × 4 / sales & marketing cost[q−1]; None when that cost is 0."""
    if cost_prev_q == 0:
        return None
    value = (Decimal(revenue_q) - Decimal(revenue_prev_q)) * 4 / Decimal(cost_prev_q)
    return value.quantize(RATIO_QUANTUM, ROUND_HALF_UP)


def cac_payback_months(
    cac: Decimal, monthly_revenue_per_customer: Decimal, gross_margin: Decimal
) -> Decimal | None:
    """CAC / (monthly revenue per customer × gross margin); None when the denominator is 0."""
    denominator = Decimal(monthly_revenue_per_customer) * Decimal(gross_margin)
    if denominator == 0:
        return None
    return (Decimal(cac) / denominator).quantize(Decimal("0.01"), ROUND_HALF_UP)

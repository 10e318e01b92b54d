"""Small shared pieces of the dashboard's figures."""

from __future__ import annotations

from decimal import Decimal

from salesops.formulas import HUNDRED

ZERO = Decimal(0)


def win_rate(won: int, lost: int) -> Decimal | None:
    """won / (won + lost) × 100, 1 decimal place; None when nothing closed."""
    if won + lost == 0:
        return None
    return (Decimal(won) * HUNDRED / Decimal(won + lost)).quantize(Decimal("0.1"))

"""Spread between sibling territories, in Decimal (pure functions).

- coefficient of variation = population standard deviation / mean;
- max/min = largest / smallest value (undefined when the smallest is 0);
- Gini = Σᵢ (2i − n − 1)·xᵢ / (n · Σx) over the values sorted ascending (0 = all equal).
All three are None when undefined (no values, or a zero mean), and quantized to 4 places half-up.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext

QUANTUM = Decimal("0.0001")


@dataclass(frozen=True)
class Spread:
    n: int
    total: Decimal
    mean: Decimal | None
    cv: Decimal | None
    max_min: Decimal | None
    gini: Decimal | None


def _q(value: Decimal) -> Decimal:
    return value.quantize(QUANTUM, ROUND_HALF_UP)


def variance_key(values: Sequence[Decimal]) -> Decimal:
    """Σ x² (exact): with n and Σx fixed, the spread falls exactly when this falls."""
    return sum((Decimal(v) * Decimal(v) for v in values), Decimal(0))


def spread(values: Sequence[Decimal]) -> Spread:
    xs = sorted(Decimal(v) for v in values)
    n = len(xs)
    total = sum(xs, Decimal(0))
    if n == 0:
        return Spread(0, total, None, None, None, None)
    with localcontext() as ctx:
        ctx.prec = 40
        mean = total / n
        if mean == 0:
            return Spread(n, total, _q(mean), None, None, None)
        variance = sum(((x - mean) ** 2 for x in xs), Decimal(0)) / n
        cv = variance.sqrt() / mean
        max_min = xs[-1] / xs[0] if xs[0] != 0 else None
        gini = sum(((2 * i - n - 1) * x for i, x in enumerate(xs, start=1)), Decimal(0)) / (
            n * total
        )
    return Spread(
        n=n,
        total=total,
        mean=_q(mean),
        cv=_q(cv),
        max_min=_q(max_min) if max_min is not None else None,
        gini=_q(gini),
    )

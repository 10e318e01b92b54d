"""Chart.js payloads built from the selectors' results. Floats here are for drawing only: every
figure a person reads as text is rendered from the Decimal values."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from dashboard.selectors import Funnel, MonthlySeries


def _num(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def monthly_chart(series: MonthlySeries) -> dict[str, Any]:
    return {
        "labels": [m.strftime("%b %Y") for m in series.months],
        "revenue": [_num(v) for v in series.revenue],
        "cost": [_num(v) for v in series.cost],
        "ratio": [_num(v) for v in series.ratio],
    }


def monthly_rows(series: MonthlySeries) -> list[tuple[Any, ...]]:
    return list(zip(series.months, series.revenue, series.cost, series.ratio, strict=True))


def funnel_chart(funnel: Funnel) -> dict[str, Any]:
    return {
        "labels": [step.label for step in funnel.steps],
        "reached": [step.reached for step in funnel.steps],
        "lost": [step.lost_here for step in funnel.steps],
    }

"""The plan rules of the commission engine: constants and the plan dataclasses. Pure (no
database); the JSON format is in compensation.engine.schema, its strict parser in
compensation.engine.parse; see compensation.engine for the rules."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

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
# A period component's lines: the monthly advance on the period-to-date figure, and the
# period's last month settling what the period owes against what was paid (true-up).
ADVANCE = "advance"
TRUE_UP = "true_up"
LINE_KINDS = (
    COMMISSION,
    ADVANCE,
    TRUE_UP,
    CAP,
    SPIF,
    DRAW,
    DRAW_RECOVERY,
    CLAWBACK,
    ADJUSTMENT,
    CARRY_FORWARD,
)


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
    method: str = ""  # marginal or retroactive; "" = the plan's (component's) method


# Measures a component pays on, the credit types it counts and its measurement periods.
REVENUE = "revenue"
NEW_LOGOS = "new_logos"
MEETINGS_HELD = "meetings_held"
MBO = "mbo"
MEASURES = (REVENUE, NEW_LOGOS, MEETINGS_HELD, MBO)
DEAL_MEASURES = (REVENUE, NEW_LOGOS)  # measured on credited deals (split and/or overlay)
SPLIT = "split"
OVERLAY = "overlay"
CREDIT_TYPES = (SPLIT, OVERLAY)
PERIOD_MONTH = "month"
PERIOD_QUARTER = "quarter"
PERIOD_YEAR = "year"
PERIODS = (PERIOD_MONTH, PERIOD_QUARTER, PERIOD_YEAR)
PAY_RATE = "rate"  # commission: tier rates are % of the credited value
PAY_TARGET = "target"  # tier rates are % of the component's target incentive per attainment %


@dataclass(frozen=True)
class Component:
    """One thing a plan pays for. `name` "" is the one component of a format-1 plan (the
    ledger keys its lines by deal alone, as before components existed)."""

    name: str = ""
    measure: str = REVENUE
    credit: tuple[str, ...] = (SPLIT,)
    period: str = PERIOD_MONTH
    advance_percent: Decimal = HUNDRED  # share of the period-to-date earnings paid monthly
    weight: Decimal | None = None  # % of the target incentive (pay "target"; the mix)
    pay: str = PAY_RATE
    method: str = MARGINAL  # the default of its tiers
    tier_basis: str = BASIS_AMOUNT
    base_rate: Decimal = ZERO
    tiers: tuple[Tier, ...] = ()

    @property
    def per_deal(self) -> bool:
        """Paid deal by deal each month and netted per deal in the payout ledger (revenue at a
        rate, measured monthly); every other component pays period lines (advance, true-up)."""
        return self.measure == REVENUE and self.pay == PAY_RATE and self.period == PERIOD_MONTH

    @property
    def methods(self) -> frozenset[str]:
        return frozenset(t.method or self.method for t in self.tiers) or frozenset({self.method})


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
    """A plan version. `method`, `tier_basis`, `base_rate` and `tiers` are those of the deal
    component (the first per-deal one; a format-1 plan's only one): the cap, product rates,
    draw and the payout ledger's per-deal netting apply to it. `components` lists them all."""

    method: str = MARGINAL
    tier_basis: str = BASIS_AMOUNT
    base_rate: Decimal = ZERO
    tiers: tuple[Tier, ...] = ()
    cap: Cap | None = None
    product_rates: Mapping[str, Decimal] = field(default_factory=dict)
    spifs: tuple[Spif, ...] = ()
    clawback_days: int = 90
    draw: Draw | None = None
    components: tuple[Component, ...] = ()
    format_version: int = 1

    @property
    def deal_component(self) -> Component | None:
        if not self.components:  # built in code (tests, the simulator): one implicit component
            return Component(
                method=self.method,
                tier_basis=self.tier_basis,
                base_rate=self.base_rate,
                tiers=self.tiers,
            )
        return next((c for c in self.components if c.per_deal), None)

    @property
    def period_components(self) -> tuple[Component, ...]:
        deal = self.deal_component
        return tuple(c for c in self.components if c is not deal)

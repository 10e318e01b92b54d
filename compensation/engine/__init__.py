"""Commission maths: pure functions over Decimal (no float anywhere, no database).

The contract is the worked examples in docs/domain.md, 'Commission plans'. Rules, so a rep can check any line by hand:

- Rates are percentages ("5" = 5 %). Tier bounds are amounts of credited value (tier_basis
  "amount") or % of the period's quota (tier_basis "attainment"; bound × quota / 100).
- A tier covers credited value in (start, end]; the last tier is open-ended.
- Marginal: deals are taken in close-date order; each deal's credited value is cut into the tiers
  it crosses, each slice paid at its own tier's rate. Retroactive: every deal is paid at the rate
  of the tier the period's total credited value reaches.
- Rounding: every line is rounded half-up to cents once, from its exact value; totals are sums of
  rounded lines. (A marginal deal line that crosses tiers is one line with its slices listed.)
- Product rate overrides replace the tier rate for that deal (its value still counts toward the
  tiers of later deals).
- Cap (absolute, or % of the target incentive) limits commission lines; SPIFs, draws, clawbacks,
  adjustments and carry-forwards are outside the cap.
- SPIF: a fixed bonus per qualifying deal (close date in the window, optional product, optional
  minimum deal value), paid × the person's split share so one deal pays one SPIF in total.
- Draws: the period's earnings (commission after cap + SPIFs) are topped up to the draw amount.
  A recoverable draw's top-ups accrue to a balance recovered from earnings above the draw later.
- Clawbacks and adjustments are lines; a total below zero pays 0 and carries the negative amount
  forward to the next statement (earning 500 with a 1,000 clawback → 0 paid, −500 carried).
"""

from compensation.engine.calculate import (
    CORRECTION,
    Adjustment,
    Clawback,
    Correction,
    DealCredit,
    Line,
    Paid,
    Result,
    Slice,
    amount_tiers,
    calculate,
    cap_amount,
)
from compensation.engine.parse import PLAN_FORMAT_VERSION, parse_plan
from compensation.engine.periods import COMPONENT, PERIOD_KINDS, PeriodInput, owed
from compensation.engine.plan import (
    ADJUSTMENT,
    ADVANCE,
    BASIS_AMOUNT,
    BASIS_ATTAINMENT,
    CAP,
    CAP_ABSOLUTE,
    CAP_PERCENT_OF_TARGET,
    CARRY_FORWARD,
    CENT,
    CLAWBACK,
    COMMISSION,
    DRAW,
    DRAW_RECOVERY,
    HUNDRED,
    LINE_KINDS,
    MARGINAL,
    MBO,
    MEASURES,
    MEETINGS_HELD,
    NEW_LOGOS,
    OVERLAY,
    PAY_RATE,
    PAY_TARGET,
    PERIOD_MONTH,
    PERIOD_QUARTER,
    PERIOD_YEAR,
    PERIODS,
    RETROACTIVE,
    REVENUE,
    SPIF,
    SPLIT,
    TRUE_UP,
    ZERO,
    Cap,
    Component,
    Draw,
    Plan,
    Spif,
    Tier,
    cents,
    fmt_amount,
    fmt_rate,
)
from compensation.engine.schema import PLAN_JSON_SCHEMA

__all__ = [
    "ADJUSTMENT",
    "ADVANCE",
    "BASIS_AMOUNT",
    "BASIS_ATTAINMENT",
    "CAP",
    "CAP_ABSOLUTE",
    "CAP_PERCENT_OF_TARGET",
    "CARRY_FORWARD",
    "CENT",
    "CLAWBACK",
    "COMMISSION",
    "COMPONENT",
    "CORRECTION",
    "DRAW",
    "DRAW_RECOVERY",
    "HUNDRED",
    "LINE_KINDS",
    "MARGINAL",
    "MBO",
    "MEASURES",
    "MEETINGS_HELD",
    "NEW_LOGOS",
    "OVERLAY",
    "PAY_RATE",
    "PAY_TARGET",
    "PERIODS",
    "PERIOD_KINDS",
    "PERIOD_MONTH",
    "PERIOD_QUARTER",
    "PERIOD_YEAR",
    "PLAN_FORMAT_VERSION",
    "PLAN_JSON_SCHEMA",
    "RETROACTIVE",
    "REVENUE",
    "SPIF",
    "SPLIT",
    "TRUE_UP",
    "ZERO",
    "Adjustment",
    "Cap",
    "Clawback",
    "Component",
    "Correction",
    "DealCredit",
    "Draw",
    "Line",
    "Paid",
    "PeriodInput",
    "Plan",
    "Result",
    "Slice",
    "Spif",
    "Tier",
    "amount_tiers",
    "calculate",
    "cap_amount",
    "cents",
    "fmt_amount",
    "fmt_rate",
    "owed",
    "parse_plan",
]

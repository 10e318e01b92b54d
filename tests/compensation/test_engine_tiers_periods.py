"""Per-tier methods and measurement periods, in the pure engine: the worked examples of
docs/domain.md and docs/commission-plans.md to the cent, and their properties (hypothesis)."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP
from decimal import Decimal as D

from hypothesis import given, settings
from hypothesis import strategies as st

from compensation import engine
from compensation.engine import DealCredit, PeriodInput, calculate, parse_plan
from tests.compensation.test_engine import _deals, money, tables

DAY = dt.date(2026, 3, 10)
MIXED = {
    "tier_basis": "attainment",
    "tiers": [
        {"from": "0", "to": "50", "rate": "5", "method": "retroactive"},
        {"from": "50", "to": "100", "rate": "10", "method": "retroactive"},
        {"from": "100", "to": None, "rate": "20", "method": "marginal"},
    ],
}
QUARTERLY = {
    "version": 2,
    "components": [
        {
            "name": "Revenue",
            "period": "quarter",
            "advance_percent": "50",
            "tier_basis": "attainment",
            "tiers": [
                {"from": "0", "to": "100", "rate": "5"},
                {"from": "100", "to": None, "rate": "10"},
            ],
        }
    ],
}


def deal(amount: str | D, ref: str = "D1", day: dt.date = DAY) -> DealCredit:
    return DealCredit(ref=ref, credit=D(amount), close_date=day)


def test_per_tier_mix_worked_example_of_the_domain():
    """Quota 100,000; 0–50 % at 5 % and 50–100 % at 10 % retroactive, above 100 % at 20 %
    marginal: 40,000 → 2,000; 80,000 → 8,000; 130,000 → 10,000 + 6,000 = 16,000."""
    plan = parse_plan(MIXED)
    for sales, pays in (("40000", "2000.00"), ("80000", "8000.00"), ("130000", "16000.00")):
        assert calculate(plan=plan, quota=D(100000), deals=[deal(sales)]).total == D(pays)


def test_per_tier_mix_over_several_deals_explains_each_slice():
    plan = parse_plan(MIXED)
    deals = [
        deal("30000", "A", DAY),
        deal("50000", "B", DAY.replace(day=11)),
        deal("50000", "C", DAY.replace(day=12)),
    ]
    result = calculate(plan=plan, quota=D(100000), deals=deals)
    # Band 0–100,000 reached tier 2 (10 %): A 3,000; B 5,000; C 2,000 (20,000 in the band) +
    # 6,000 (30,000 above quota at 20 %) = 16,000 in all, as one 130,000 deal.
    assert [line.amount for line in result.lines] == [D("3000.00"), D("5000.00"), D("8000.00")]
    c = result.lines[2]
    assert [(s.base, s.rate) for s in c.slices] == [(D(20000), D(10)), (D(30000), D(20))]
    assert "retroactive: the band reached tier 2 (50–100 %)" in c.formula
    assert "per-tier methods" in c.formula


def _classic_marginal(table: list[dict], total: D) -> D:
    owed = D(0)
    for t in table:
        start = D(t["from"])
        end = None if t["to"] is None else D(t["to"])
        top = total if end is None else min(total, end)
        if top > start:
            owed += (top - start) * D(t["rate"]) / 100
    return owed


def _classic_retroactive(table: list[dict], total: D) -> D:
    rate = D(table[0]["rate"])
    for t in table:
        if total > D(t["from"]):
            rate = D(t["rate"])
    return total * rate / 100


def _cents(value: D) -> D:
    return value.quantize(D("0.01"), ROUND_HALF_UP)


@settings(max_examples=150, deadline=None)
@given(table=tables(), amounts=st.lists(money, min_size=1, max_size=8))
def test_all_marginal_and_all_retroactive_per_tier_equal_the_two_classic_methods(table, amounts):
    total = sum(amounts, D(0))
    for method, classic in (("marginal", _classic_marginal), ("retroactive", _classic_retroactive)):
        per_tier = parse_plan({"tiers": [{**t, "method": method} for t in table]})
        plan_wide = parse_plan({"method": method, "tiers": table})
        a = calculate(plan=per_tier, quota=None, deals=_deals(amounts))
        b = calculate(plan=plan_wide, quota=None, deals=_deals(amounts))
        assert a.total == b.total
        # Against the formulas written out by hand (lines are rounded one by one).
        assert abs(a.total - classic(table, total)) <= D("0.005") * len(amounts)
        rows = engine.tiers.currency_rows(per_tier.components[0], None)
        exact = engine.tiers.slices_exact(engine.tiers.pay_slices(rows, D(0), total, total))
        assert exact == classic(table, total)


def _period(
    plan: engine.Plan, month_no: int, credited: D, paid: D, quota: D = D(300000)
) -> PeriodInput:
    return PeriodInput(
        component=plan.components[0],
        key="FY2026-Q1",
        start=dt.date(2026, 1, 1),
        month_no=month_no,
        months=3,
        final=month_no == 3,
        quota=quota,
        credited=credited,
        target=None,
        paid=paid,
    )


def test_quarterly_true_up_worked_example():
    """5 % to quota, 10 % above (marginal), quarterly quota 300,000: 300,000 closed in month 1
    owes 15,000 for the quarter (monthly it would pay 25,000). 50 % advances: 7,500 in month 1,
    nothing in month 2, true-up 15,000 − 7,500 = 7,500 in month 3."""
    plan = parse_plan(QUARTERLY)
    assert plan.deal_component is None
    paid = D(0)
    amounts = []
    for month in (1, 2, 3):
        result = calculate(
            plan=plan, quota=None, deals=[], periods=[_period(plan, month, D(300000), paid)]
        )
        amounts.append(result.total)
        paid += result.total
    assert amounts == [D("7500.00"), D("0"), D("7500.00")]
    month1 = calculate(plan=plan, quota=None, deals=[], periods=[_period(plan, 1, D(300000), D(0))])
    (advance,) = month1.lines
    assert advance.kind == engine.ADVANCE and advance.plan_component == "Revenue"
    assert advance.measure_period == dt.date(2026, 1, 1)
    assert advance.description.startswith("FY2026-Q1 advance, Revenue (month 1 of 3)")
    assert advance.formula == (
        "50 % × (300,000.00 credited against the FY2026-Q1 quota 300,000.00: 300,000.00 × 5 % "
        "(tier 1 (0–100 %)) = 15,000.00) − advances paid 0.00 = 7,500.00"
    )
    month3 = calculate(
        plan=plan, quota=None, deals=[], periods=[_period(plan, 3, D(300000), D(7500))]
    )
    (true_up,) = month3.lines
    assert true_up.kind == engine.TRUE_UP
    assert true_up.formula == (
        "300,000.00 credited against the FY2026-Q1 quota 300,000.00: 300,000.00 × 5 % "
        "(tier 1 (0–100 %)) = 15,000.00 − advances paid 7,500.00 = 7,500.00"
    )
    # A plan measured monthly would have paid 25,000 on the same month (the bug of issue 19).
    tiers = QUARTERLY["components"][0]["tiers"]  # type: ignore[index]
    monthly = parse_plan({"tier_basis": "attainment", "tiers": tiers})
    assert calculate(plan=monthly, quota=D(100000), deals=[deal("300000")]).total == D("25000.00")


def test_a_true_up_after_monthly_overpayment_pays_back_the_difference():
    plan = parse_plan(QUARTERLY)
    result = calculate(
        plan=plan, quota=None, deals=[], periods=[_period(plan, 3, D(300000), D(25000))]
    )
    assert result.lines[0].amount == D("-10000.00")
    assert "− advances paid 25,000.00 = -10,000.00" in result.lines[0].formula


@settings(max_examples=200, deadline=None)
@given(
    months=st.lists(money, min_size=3, max_size=3),
    advance=st.integers(min_value=0, max_value=100),
    quota=st.decimals(min_value=D("1000"), max_value=D("2000000"), places=2),
    table=tables(),
    retro=st.booleans(),
)
def test_true_ups_make_the_sum_paid_over_a_period_its_single_computation(
    months, advance, quota, table, retro
):
    component = {"name": "R", "period": "quarter", "advance_percent": str(advance), "tiers": table}
    if retro:
        component["method"] = "retroactive"
    plan = parse_plan({"version": 2, "components": [component]})
    paid, to_date = D(0), D(0)
    for i, credit in enumerate(months, start=1):
        to_date += credit
        result = calculate(
            plan=plan, quota=None, deals=[], periods=[_period(plan, i, to_date, paid, quota)]
        )
        paid += result.total
    whole = engine.owed(_period(plan, 3, to_date, D(0), quota))
    assert paid == _cents(whole.exact)


def test_target_component_pays_the_weighted_target_along_the_curve():
    """New logos weighted 20 % of a 3,000-a-month target (6,000 a quarter... × 3 months =
    1,800 for the component): 12 new logos on a quarterly quota of 10 = 120 % attainment →
    100 × 100 % + 20 × 150 % = 130 % of 1,800 = 2,340."""
    plan = parse_plan(
        {
            "version": 2,
            "components": [
                {"name": "Revenue", "base_rate": "5", "weight": "80"},
                {
                    "name": "New logos",
                    "measure": "new_logos",
                    "period": "quarter",
                    "weight": "20",
                    "tiers": [
                        {"from": "0", "to": "100", "rate": "100"},
                        {"from": "100", "to": None, "rate": "150"},
                    ],
                },
            ],
        }
    )
    logos = plan.period_components[0]
    inp = PeriodInput(
        component=logos,
        key="FY2026-Q1",
        start=dt.date(2026, 1, 1),
        month_no=3,
        months=3,
        final=True,
        quota=D(10),
        credited=D(12),
        target=D(3000) * 3 * D(20) / 100,
        paid=D(0),
    )
    result = calculate(plan=plan, quota=D(100000), deals=[deal("10000")], periods=[inp])
    commission, true_up = result.lines
    assert commission.amount == D("500.00")
    assert true_up.amount == D("2340.00")
    assert (
        "attainment 120.00 %" in true_up.formula
        and "130.00 % of the target 1,800.00" in true_up.formula
    )
    assert result.earned == D("2840.00")

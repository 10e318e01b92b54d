"""The engine against the worked examples of docs/domain.md (to the cent) and its properties."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from compensation import engine
from compensation.engine import Clawback, DealCredit, calculate, parse_plan
from salesops.exceptions import ApplicationError

DAY = dt.date(2026, 3, 10)
FOUR_TIERS = [
    {"from": "0", "to": "10000", "rate": "1"},
    {"from": "10000", "to": "50000", "rate": "2"},
    {"from": "50000", "to": "100000", "rate": "3"},
    {"from": "100000", "to": None, "rate": "4"},
]


def deal(amount: str | D, ref: str = "D1", day: dt.date = DAY, **kw: object) -> DealCredit:
    return DealCredit(ref=ref, credit=D(amount), close_date=day, **kw)  # type: ignore[arg-type]


def test_marginal_three_tiers_on_600000_pays_26000():
    plan = parse_plan(
        {
            "method": "marginal",
            "tiers": [
                {"from": "0", "to": "300000", "rate": "3"},
                {"from": "300000", "to": "500000", "rate": "5"},
                {"from": "500000", "to": None, "rate": "7"},
            ],
        }
    )
    result = calculate(plan=plan, quota=None, deals=[deal("600000")])
    assert result.total == D("26000.00")
    assert [s.base * s.rate / 100 for s in result.lines[0].slices] == [
        D("9000"),
        D("10000"),
        D("7000"),
    ]


def test_accelerators_on_attainment_quota_100000_sales_150000_pay_8250():
    plan = parse_plan(
        {
            "tier_basis": "attainment",
            "tiers": [
                {"from": "0", "to": "100", "rate": "5"},
                {"from": "100", "to": "125", "rate": "6"},
                {"from": "125", "to": None, "rate": "7"},
            ],
        }
    )
    result = calculate(plan=plan, quota=D(100000), deals=[deal("150000")])
    assert [s.base * s.rate / 100 for s in result.lines[0].slices] == [
        D("5000"),
        D("1500"),
        D("1750"),
    ]
    assert result.total == D("8250.00")
    assert result.attainment == D("150.00")


def test_retroactive_60000_pays_1800_and_marginal_1200():
    retro = calculate(
        plan=parse_plan({"method": "retroactive", "tiers": FOUR_TIERS}),
        quota=None,
        deals=[deal("60000")],
    )
    marginal = calculate(
        plan=parse_plan({"method": "marginal", "tiers": FOUR_TIERS}),
        quota=None,
        deals=[deal("60000")],
    )
    assert retro.total == D("1800.00")
    assert marginal.total == D("1200.00")
    assert [s.base * s.rate / 100 for s in marginal.lines[0].slices] == [
        D("100"),
        D("800"),
        D("300"),
    ]


def test_clawback_larger_than_earnings_pays_zero_and_carries_minus_500():
    plan = parse_plan({"base_rate": "5"})
    result = calculate(
        plan=plan,
        quota=None,
        deals=[deal("10000")],
        clawbacks=[Clawback(ref="D0", amount=D("1000"), reason="lost")],
    )
    assert result.earned == D("500.00")
    assert result.payable == D("0.00")
    assert result.carry_forward == D("-500.00")


def test_every_commission_line_explains_tier_rate_base_and_formula():
    plan = parse_plan({"method": "marginal", "tiers": FOUR_TIERS})
    line = calculate(plan=plan, quota=None, deals=[deal("5000")]).lines[0]
    assert line.base == D("5000")
    assert line.rate == D("1")
    assert line.tier.startswith("tier 1")
    assert line.formula == "5,000.00 × 1 % (tier 1 (0–10,000)) = 50.00"


def test_lines_round_half_up_to_cents():
    plan = parse_plan({"base_rate": "5"})
    # 0.10 × 5 % = 0.005 → 0.01 (half-up), not 0.00 (banker's rounding)
    result = calculate(plan=plan, quota=None, deals=[deal("0.10")])
    assert result.lines[0].amount == D("0.01")


def test_retroactive_tier_boundary_is_inclusive_of_the_upper_bound():
    plan = parse_plan({"method": "retroactive", "tiers": FOUR_TIERS})
    assert calculate(plan=plan, quota=None, deals=[deal("50000")]).total == D("1000.00")
    assert calculate(plan=plan, quota=None, deals=[deal("50000.01")]).total == D("1500.00")


def test_absolute_cap_limits_commission_with_an_explained_line():
    plan = parse_plan({"base_rate": "10", "cap": {"kind": "absolute", "value": "700"}})
    result = calculate(plan=plan, quota=None, deals=[deal("5000"), deal("5000", "D2")])
    assert result.commission == D("700.00")
    assert result.lines[-1].kind == engine.CAP
    assert result.lines[-1].amount == D("-300.00")


def test_percent_of_target_cap_needs_and_uses_the_target_incentive():
    plan = parse_plan({"base_rate": "10", "cap": {"kind": "percent_of_target", "value": "200"}})
    with pytest.raises(ApplicationError):
        calculate(plan=plan, quota=None, deals=[deal("5000")])
    result = calculate(plan=plan, quota=None, deals=[deal("50000")], target_incentive=D(1000))
    assert result.commission == D("2000.00")


def test_product_rate_overrides_the_tier_rate_but_counts_toward_tiers():
    plan = parse_plan(
        {
            "tiers": [
                {"from": "0", "to": "1000", "rate": "1"},
                {"from": "1000", "to": None, "rate": "10"},
            ],
            "product_rates": {"Services": "2"},
        }
    )
    result = calculate(
        plan=plan,
        quota=None,
        deals=[
            deal("1000", "A", dt.date(2026, 3, 1), product="Services"),
            deal("100", "B", dt.date(2026, 3, 2)),
        ],
    )
    assert [line.amount for line in result.lines] == [D("20.00"), D("10.00")]


def test_spif_pays_a_fixed_bonus_per_qualifying_deal_times_split_share():
    plan = parse_plan(
        {
            "base_rate": "0",
            "spifs": [
                {
                    "name": "Q1 push",
                    "amount": "500",
                    "start": "2026-03-01",
                    "end": "2026-03-31",
                    "min_deal_value": "1000",
                }
            ],
        }
    )
    result = calculate(
        plan=plan,
        quota=None,
        deals=[
            deal("500", "A", dt.date(2026, 3, 5), deal_value=D(1000), share=D(50)),
            deal("900", "B", dt.date(2026, 3, 6), deal_value=D(900)),
            deal("5000", "C", dt.date(2026, 4, 1), deal_value=D(5000)),
        ],
    )
    spifs = [line for line in result.lines if line.kind == engine.SPIF]
    assert [(s.ref, s.amount) for s in spifs] == [("A", D("250.00"))]


def test_recoverable_draw_tops_up_then_is_recovered_from_later_excess():
    plan = parse_plan({"base_rate": "10", "draw": {"amount": "1000", "recoverable": True}})
    first = calculate(plan=plan, quota=None, deals=[deal("4000")])
    assert first.payable == D("1000.00")
    assert first.draw_balance == D("600.00")
    second = calculate(plan=plan, quota=None, deals=[deal("20000")], draw_balance=D("600"))
    assert second.payable == D("1400.00")  # 2,000 earned − 600 recovered
    assert second.draw_balance == D("0.00")


def test_non_recoverable_draw_is_never_recovered():
    plan = parse_plan({"base_rate": "10", "draw": {"amount": "1000", "recoverable": False}})
    first = calculate(plan=plan, quota=None, deals=[deal("4000")])
    assert first.payable == D("1000.00")
    assert first.draw_balance == D(0)


@pytest.mark.parametrize(
    "definition,field",
    [
        ({"method": "sideways"}, "/method"),
        ({"tiers": [{"from": "5", "to": None, "rate": "1"}]}, "/tiers/0/from"),
        ({"tiers": [{"from": "0", "to": "10", "rate": "1"}]}, "/tiers/0/to"),
        ({"base_rate": 0.05}, "/base_rate"),
        ({"cap": {"kind": "lots", "value": "1"}}, "/cap/kind"),
        (
            {"spifs": [{"name": "x", "amount": "1", "start": "nope", "end": "2026-01-01"}]},
            "/spifs/0/start",
        ),
    ],
)
def test_invalid_plans_are_refused_with_field_messages(definition, field):
    with pytest.raises(ValidationError) as err:
        parse_plan(definition)
    assert field in err.value.message_dict


def test_attainment_tiers_without_a_quota_are_an_application_error():
    plan = parse_plan({"tier_basis": "attainment", "tiers": [{"from": "0", "rate": "5"}]})
    with pytest.raises(ApplicationError):
        calculate(plan=plan, quota=None, deals=[deal("1")])


# --- properties -------------------------------------------------------------------------------

money = st.decimals(min_value=D("0"), max_value=D("2000000"), places=2)
rates = st.decimals(min_value=D("0"), max_value=D("20"), places=2)


@st.composite
def tables(draw: st.DrawFn, increasing: bool = False) -> list[dict[str, str | None]]:
    bounds = sorted(set(draw(st.lists(money.filter(lambda x: x > 0), max_size=4))))
    tier_rates = draw(st.lists(rates, min_size=len(bounds) + 1, max_size=len(bounds) + 1))
    if increasing:
        tier_rates = sorted(tier_rates)
    edges = [D(0), *bounds]
    return [
        {
            "from": str(edges[i]),
            "to": str(edges[i + 1]) if i + 1 < len(edges) else None,
            "rate": str(tier_rates[i]),
        }
        for i in range(len(edges))
    ]


def _deals(amounts: list[D]) -> list[DealCredit]:
    return [deal(a, f"D{i:03d}", DAY + dt.timedelta(days=i % 20)) for i, a in enumerate(amounts)]


@settings(max_examples=150, deadline=None)
@given(table=tables(), amounts=st.lists(money, max_size=8), extra=money)
def test_marginal_payout_never_decreases_as_sales_grow(table, amounts, extra):
    plan = parse_plan({"method": "marginal", "tiers": table})
    before = calculate(plan=plan, quota=None, deals=_deals(amounts))
    later = DAY + dt.timedelta(days=30)
    grown = [*_deals(amounts), deal(extra, "ZZZ", later)]
    assert calculate(plan=plan, quota=None, deals=grown).total >= before.total
    bigger = calculate(plan=plan, quota=None, deals=[deal(sum(amounts, D(0)) + extra)])
    single = calculate(plan=plan, quota=None, deals=[deal(sum(amounts, D(0)))])
    assert bigger.total >= single.total


@settings(max_examples=150, deadline=None)
@given(table=tables(increasing=True), amounts=st.lists(money, max_size=8))
def test_retroactive_pays_at_least_marginal_for_the_same_table(table, amounts):
    retro = calculate(
        plan=parse_plan({"method": "retroactive", "tiers": table}),
        quota=None,
        deals=_deals(amounts),
    )
    marginal = calculate(
        plan=parse_plan({"method": "marginal", "tiers": table}),
        quota=None,
        deals=_deals(amounts),
    )
    assert retro.total >= marginal.total


@settings(max_examples=150, deadline=None)
@given(
    table=tables(),
    amounts=st.lists(money, max_size=8),
    cap=money,
    method=st.sampled_from(["marginal", "retroactive"]),
)
def test_a_cap_is_never_exceeded(table, amounts, cap, method):
    plan = parse_plan(
        {"method": method, "tiers": table, "cap": {"kind": "absolute", "value": str(cap)}}
    )
    result = calculate(plan=plan, quota=None, deals=_deals(amounts))
    assert result.commission <= cap
    assert result.commission == min(
        sum((x.amount for x in result.lines if x.kind == engine.COMMISSION), D(0)), cap
    )


@settings(max_examples=150, deadline=None)
@given(
    periods=st.lists(
        st.tuples(st.lists(money, max_size=4), st.lists(money, max_size=3)),
        min_size=1,
        max_size=6,
    )
)
def test_clawbacks_conserve_money_across_periods(periods):
    """Σ paid + what is still owed (the last carry-forward) = Σ earned − Σ clawed back."""
    plan = parse_plan({"base_rate": "10"})
    carry = D(0)
    paid = earned = clawed = D(0)
    for amounts, clawbacks in periods:
        result = calculate(
            plan=plan,
            quota=None,
            deals=_deals(amounts),
            clawbacks=[Clawback(f"C{i}", c, "lost") for i, c in enumerate(clawbacks)],
            carry_in=carry,
        )
        paid += result.payable
        earned += result.earned
        clawed += sum((engine.cents(c) for c in clawbacks), D(0))
        assert result.payable >= 0 and result.carry_forward <= 0
        carry = result.carry_forward
    assert paid + carry == earned - clawed


def test_no_float_in_results():
    plan = parse_plan({"base_rate": "3.3333"})
    result = calculate(plan=plan, quota=D(1000), deals=[deal("333.33")])
    for value in result.as_dict().values():
        assert not isinstance(value, float)

"""Plan format 2: components (measure, credit types, measurement period, advance, weight, pay)
and a method per tier, validated as strictly as format 1 (errors at their JSON pointer);
format-1 plans still parse to the same single monthly revenue component."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from compensation import engine
from compensation.engine import parse_plan

D = Decimal

MIXED_TIERS = [
    {"from": "0", "to": "50", "rate": "5", "method": "retroactive"},
    {"from": "50", "to": "100", "rate": "10", "method": "retroactive"},
    {"from": "100", "to": None, "rate": "20", "method": "marginal", "label": "accelerator"},
]

AE_PLAN: dict[str, Any] = {
    "version": 2,
    "components": [
        {
            "name": "New business",
            "measure": "revenue",
            "credit": ["split"],
            "period": "quarter",
            "advance_percent": "50",
            "weight": "70",
            "tier_basis": "attainment",
            "tiers": MIXED_TIERS,
        },
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
        {"name": "MBO", "measure": "mbo", "weight": "10", "base_rate": "100"},
    ],
    "clawback_days": 90,
}


def _errors(definition: dict[str, Any]) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as err:
        parse_plan(definition)
    return err.value.message_dict


def test_a_format_2_plan_parses_into_its_components():
    plan = parse_plan(AE_PLAN)
    assert plan.format_version == 2
    revenue, logos, mbo = plan.components
    assert revenue.period == engine.PERIOD_QUARTER
    assert revenue.advance_percent == D(50)
    assert revenue.pay == engine.PAY_RATE
    assert [t.method for t in revenue.tiers] == ["retroactive", "retroactive", "marginal"]
    assert logos.pay == engine.PAY_TARGET and logos.tier_basis == "attainment"
    assert mbo.measure == engine.MBO and mbo.period == engine.PERIOD_MONTH
    assert mbo.weight == D(10)
    # No monthly revenue component paid at a rate: no deal lines, every component by period.
    assert plan.deal_component is None
    assert plan.period_components == plan.components


def test_a_format_1_plan_is_one_monthly_revenue_component_named_blank():
    plan = parse_plan({"method": "retroactive", "tiers": MIXED_TIERS})
    (component,) = plan.components
    assert component.name == "" and component.per_deal
    assert plan.deal_component is component and plan.period_components == ()
    # A tier without its own method takes the plan's; per-tier methods are format-1 too.
    plain = parse_plan({"method": "retroactive", "tiers": [{"from": "0", "rate": "5"}]})
    assert plain.tiers[0].method == "retroactive"
    assert plan.tiers[2].method == "marginal"


def test_overlay_credit_counts_where_a_component_says_so():
    plan = parse_plan(
        {
            "version": 2,
            "components": [
                {"name": "Quota", "base_rate": "5"},
                {"name": "SE overlay", "credit": ["overlay"], "base_rate": "1"},
            ],
        }
    )
    quota, overlay = plan.components
    assert quota.credit == ("split",) and overlay.credit == ("overlay",)
    assert plan.deal_component is quota


@pytest.mark.parametrize(
    "component,where",
    [
        ({"name": "x", "mesure": "revenue"}, "/components/0/mesure"),
        ({"name": "x", "measure": "calls"}, "/components/0/measure"),
        ({"name": "x", "period": "week"}, "/components/0/period"),
        ({"name": "x", "advance_percent": "101"}, "/components/0/advance_percent"),
        ({"name": "x", "credit": ["split", "bonus"]}, "/components/0/credit"),
        ({"name": "x", "credit": []}, "/components/0/credit"),
        (
            {"name": "x", "measure": "mbo", "weight": "100", "credit": ["overlay"]},
            "/components/0/credit",
        ),
        ({"name": "x", "measure": "new_logos", "pay": "rate"}, "/components/0/pay"),
        ({"name": "x", "measure": "meetings_held"}, "/components/0/weight"),
        (
            {"name": "x", "pay": "target", "weight": "100", "tier_basis": "amount"},
            "/components/0/tier_basis",
        ),
        (
            {"name": "x", "tiers": [{"from": "0", "rate": "5", "method": "both"}]},
            "/components/0/tiers/0/method",
        ),
        (
            {
                "name": "x",
                "tiers": [{"from": "0", "to": "10", "rate": "5"}, {"from": "20", "rate": "6"}],
            },
            "/components/0/tiers/1/from",
        ),
        ({"name": "x", "base_rate": "101"}, "/components/0/base_rate"),
        ({"name": ""}, "/components/0/name"),
        ({"measure": "revenue"}, "/components/0/name"),
    ],
)
def test_component_errors_are_at_their_pointer(component, where):
    errors = _errors({"version": 2, "components": [component]})
    assert where in errors, errors


def test_a_target_component_may_multiply_past_100_percent():
    plan = parse_plan(
        {
            "version": 2,
            "components": [
                {
                    "name": "Meetings",
                    "measure": "meetings_held",
                    "weight": "100",
                    "tiers": [
                        {"from": "0", "to": "100", "rate": "100"},
                        {"from": "100", "to": None, "rate": "300"},
                    ],
                }
            ],
        }
    )
    assert plan.components[0].tiers[1].rate == D(300)
    assert "/components/0/tiers/0/rate" in _errors(
        {
            "version": 2,
            "components": [
                {
                    "name": "M",
                    "measure": "mbo",
                    "weight": "100",
                    "tiers": [{"from": "0", "rate": "1001"}],
                }
            ],
        }
    )


@pytest.mark.parametrize(
    "definition,where",
    [
        ({"version": 2}, "/components"),
        ({"version": 2, "components": []}, "/components"),
        ({"version": 2, "tiers": [], "components": [{"name": "x"}]}, "/tiers"),
        ({"version": 2, "method": "marginal", "components": [{"name": "x"}]}, "/method"),
        ({"components": [{"name": "x"}]}, "/components"),
        ({"version": 2, "components": [{"name": "x"}, {"name": "X"}]}, "/components/1/name"),
        (
            {
                "version": 2,
                "components": [{"name": "a", "weight": "60"}, {"name": "b", "weight": "30"}],
            },
            "/components",
        ),
        (
            {"version": 2, "components": [{"name": "a", "weight": "100"}, {"name": "b"}]},
            "/components",
        ),
        ({"version": 2, "components": [{"name": str(i)} for i in range(11)]}, "/components"),
    ],
)
def test_plan_level_format_2_errors(definition, where):
    assert where in _errors(definition)


def test_the_schema_documents_components_and_per_tier_method():
    schema = engine.PLAN_JSON_SCHEMA
    assert schema["properties"]["version"]["enum"] == [1, 2]
    component = schema["properties"]["components"]["items"]["properties"]
    for key in ("measure", "credit", "period", "advance_percent", "weight", "pay", "tiers"):
        assert key in component
    assert "method" in component["tiers"]["items"]["properties"]
    assert "method" in schema["properties"]["tiers"]["items"]["properties"]

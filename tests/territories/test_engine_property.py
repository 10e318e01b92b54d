"""The engine equals a brute-force Python reference on random rules, accounts and pins."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from salesops.models import Account
from territories.models import AccountTerritory, PinKind, Territory
from territories.services import pin_set, rule_create, territory_assignments_run
from tests.territories.factories import make_model, make_territory

pytestmark = pytest.mark.django_db

COUNTRIES = ["DE", "AT", "FR"]
REGIONS = ["", "North", "South"]
SECTORS = ["", "retail", "tech"]
POSTAL = ["", "10", "15", "20", "25"]


def sub(values: list[str]) -> st.SearchStrategy[list[str]]:
    return st.lists(st.sampled_from([v for v in values if v]), unique=True, max_size=2)


def bounds(values: list[int | None]) -> st.SearchStrategy[tuple[int | None, int | None]]:
    def order(pair: tuple[int | None, int | None]) -> tuple[int | None, int | None]:
        lo, hi = pair
        if lo is not None and hi is not None and hi < lo:
            return hi, lo
        return lo, hi

    return st.tuples(st.sampled_from(values), st.sampled_from(values)).map(order)


def often(empty, strategy):
    """Mostly "any": a rule with every criterion set would almost never match anything."""
    return st.one_of(st.just(empty), st.just(empty), strategy)


rules_st = st.fixed_dictionaries(
    {
        "territory": st.integers(0, 3),
        "priority": st.integers(0, 2),
        "countries": often([], sub(COUNTRIES)),
        "regions": often([], sub(REGIONS)),
        "sectors": often([], sub(SECTORS)),
        "postal_prefix": often("", st.sampled_from(["1", "2"])),
        "postal": often(("", ""), st.sampled_from([("15", ""), ("", "20"), ("15", "20")])),
        "employees": often((None, None), bounds([None, 10, 100])),
        "revenue": often((None, None), bounds([None, 1000, 5000])),
        "name_pattern": often("", st.sampled_from(["a*", "*x*", "?b*", "*_*", "*#1"])),
    }
)
accounts_st = st.fixed_dictionaries(
    {
        "stem": st.text(alphabet="abxAB_ ", min_size=1, max_size=4),
        "country": st.sampled_from([*COUNTRIES, "US"]),
        "region": st.sampled_from(REGIONS),
        "sector": st.sampled_from(SECTORS),
        "postal_code": st.sampled_from(POSTAL),
        "employees": st.sampled_from([None, 5, 10, 50, 100, 500]),
        "annual_revenue": st.sampled_from([None, 500, 1000, 3000, 5000, 9000]),
        "pin": st.sampled_from([None, None, None, "exclude", 0, 2]),
    }
)


def pattern_matches(pattern: str, name: str) -> bool:
    if not pattern:
        return True
    regex = "".join(".*" if ch == "*" else "." if ch == "?" else re.escape(ch) for ch in pattern)
    return re.fullmatch(regex, name, flags=re.IGNORECASE | re.DOTALL) is not None


def in_range(value, lo, hi) -> bool:
    if lo is not None and (value is None or value < lo):
        return False
    return not (hi is not None and (value is None or value > hi))


def reference_matches(rule: dict, acc: Account) -> bool:
    postal_from, postal_to = rule["postal"]
    pc = acc.postal_code
    return (
        (not rule["countries"] or acc.country in rule["countries"])
        and (not rule["regions"] or acc.region in rule["regions"])
        and (not rule["sectors"] or acc.sector in rule["sectors"])
        and (not rule["postal_prefix"] or pc.startswith(rule["postal_prefix"]))
        and (not postal_from or (pc != "" and pc >= postal_from))
        and (not postal_to or (pc != "" and pc <= postal_to))
        and in_range(acc.employees, *rule["employees"])
        and in_range(acc.annual_revenue, *rule["revenue"])
        and pattern_matches(rule["name_pattern"], acc.name)
    )


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(rules=st.lists(rules_st, max_size=6), accounts=st.lists(accounts_st, max_size=10))
def test_engine_equals_brute_force_reference(rules, accounts):
    with transaction.atomic():
        model = make_model()
        a = make_territory(model, "A")
        tree: list[Territory] = [
            a,
            make_territory(model, "A1", parent=a),
            make_territory(model, "B"),
        ]
        tree.append(make_territory(model, "B1", parent=tree[2]))
        created = []
        for i, spec in enumerate(rules):
            rule = rule_create(
                territory=tree[spec["territory"]],
                priority=spec["priority"],
                countries=spec["countries"],
                regions=spec["regions"],
                sectors=spec["sectors"],
                postal_prefix=spec["postal_prefix"],
                postal_from=spec["postal"][0],
                postal_to=spec["postal"][1],
                employees_min=spec["employees"][0],
                employees_max=spec["employees"][1],
                revenue_min=spec["revenue"][0],
                revenue_max=spec["revenue"][1],
                name_pattern=spec["name_pattern"],
                name=f"r{i}",
            )
            created.append((rule, spec))
        expected: dict[int, int | None] = {}
        for i, spec in enumerate(accounts):
            acc = Account.objects.create(
                name=f"{spec['stem']}#{i}",
                country=spec["country"],
                region=spec["region"],
                sector=spec["sector"],
                postal_code=spec["postal_code"],
                employees=spec["employees"],
                annual_revenue=None
                if spec["annual_revenue"] is None
                else Decimal(spec["annual_revenue"]),
            )
            if spec["pin"] == "exclude":
                pin_set(model=model, account=acc, territory=None, kind=PinKind.EXCLUSION)
                expected[acc.pk] = None
                continue
            if spec["pin"] is not None:
                pin_set(model=model, account=acc, territory=tree[spec["pin"]])
                expected[acc.pk] = tree[spec["pin"]].pk
                continue
            candidates = [
                (r.priority, r.territory.depth, -r.territory_id, -r.pk, r.territory_id)
                for r, s in created
                if reference_matches(s, acc)
            ]
            expected[acc.pk] = max(candidates)[-1] if candidates else None

        territory_assignments_run(model=model)

        actual = dict(
            AccountTerritory.objects.filter(model=model, valid_to__isnull=True).values_list(
                "account_id", "territory_id"
            )
        )
        assert actual == expected
        transaction.set_rollback(True)

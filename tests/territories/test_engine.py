"""The assignment engine: priority, tie-breaks, pins, exclusions, unassigned, idempotency."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import time_machine

from territories.models import AccountTerritory, AssignmentSource, PinKind
from territories.services import pin_set, territory_assignments_run
from tests.factories import AccountFactory
from tests.territories.factories import make_model, make_rule, make_territory

pytestmark = pytest.mark.django_db


def current(model):
    return {
        row.account_id: (row.territory_id, row.source)
        for row in AccountTerritory.objects.filter(model=model, valid_to__isnull=True)
    }


def test_highest_priority_rule_wins():
    model = make_model()
    de = make_territory(model, "Germany")
    tech = make_territory(model, "Tech")
    make_rule(de, countries=["DE"], priority=10)
    make_rule(tech, sectors=["technology"], priority=20)
    acc = AccountFactory(country="DE", sector="technology")
    other = AccountFactory(country="DE", sector="retail")

    territory_assignments_run(model=model)

    assert current(model)[acc.pk] == (tech.pk, "rule")
    assert current(model)[other.pk] == (de.pk, "rule")


def test_tie_goes_to_the_deepest_territory_then_the_lowest_id():
    model = make_model()
    europe = make_territory(model, "Europe")
    de = make_territory(model, "Germany", parent=europe)
    make_rule(europe, countries=["DE"], priority=5)
    make_rule(de, countries=["DE"], priority=5)
    twin_a = make_territory(model, "Twin A")
    twin_b = make_territory(model, "Twin B")
    make_rule(twin_b, sectors=["retail"], priority=7)
    make_rule(twin_a, sectors=["retail"], priority=7)
    acc_de = AccountFactory(country="DE", sector="technology")
    acc_retail = AccountFactory(country="FR", sector="retail")

    territory_assignments_run(model=model)

    assert current(model)[acc_de.pk] == (de.pk, "rule")
    assert current(model)[acc_retail.pk] == (min(twin_a.pk, twin_b.pk), "rule")


def test_criteria_in_one_rule_are_anded_and_rules_of_a_territory_ored():
    model = make_model()
    big = make_territory(model, "Big DE")
    make_rule(big, countries=["DE"], employees_min=1000)
    make_rule(big, countries=["AT"])
    small_de = AccountFactory(country="DE", employees=10)
    big_de = AccountFactory(country="DE", employees=5000)
    small_at = AccountFactory(country="AT", employees=10)

    result = territory_assignments_run(model=model)

    rows = current(model)
    assert rows[small_de.pk] == (None, "unassigned")
    assert rows[big_de.pk] == (big.pk, "rule")
    assert rows[small_at.pk] == (big.pk, "rule")
    assert result.unassigned == 1 and result.by_rule == 2


def test_every_criterion_filters():
    model = make_model()
    t = make_territory(model, "Target")
    make_rule(
        t,
        regions=["Bavaria"],
        postal_prefix="8",
        postal_from="80000",
        postal_to="81999",
        revenue_min=Decimal("100"),
        revenue_max=Decimal("1000"),
        employees_max=50,
        name_pattern="acme*_gmbh",
    )
    base = dict(
        name="ACME Foo_GmbH",
        region="Bavaria",
        postal_code="80331",
        annual_revenue=Decimal("500"),
        employees=20,
    )
    hit = AccountFactory(**base)
    misses = [
        AccountFactory(**{**base, "name": "Acme FooXGmbH"}),  # `_` is literal
        AccountFactory(**{**base, "name": "Other GmbH_", "region": "Bavaria"}),
        AccountFactory(**{**base, "name": "Acme 2_gmbh", "region": "Saxony"}),
        AccountFactory(**{**base, "name": "Acme 3_gmbh", "postal_code": "82000"}),
        AccountFactory(**{**base, "name": "Acme 4_gmbh", "postal_code": ""}),
        AccountFactory(**{**base, "name": "Acme 5_gmbh", "annual_revenue": Decimal("1001")}),
        AccountFactory(**{**base, "name": "Acme 6_gmbh", "annual_revenue": None}),
        AccountFactory(**{**base, "name": "Acme 7_gmbh", "employees": 51}),
    ]

    territory_assignments_run(model=model)

    rows = current(model)
    assert rows[hit.pk] == (t.pk, "rule")
    assert all(rows[m.pk] == (None, "unassigned") for m in misses)


def test_pins_and_exclusions_win_over_rules():
    model = make_model()
    de = make_territory(model, "Germany")
    named = make_territory(model, "Named")
    make_rule(de, countries=["DE"], priority=1000)
    pinned = AccountFactory(country="DE")
    excluded = AccountFactory(country="DE")
    pin_set(model=model, account=pinned, territory=named)
    pin_set(model=model, account=excluded, territory=None, kind=PinKind.EXCLUSION)

    result = territory_assignments_run(model=model)

    rows = current(model)
    assert rows[pinned.pk] == (named.pk, "pin")
    assert rows[excluded.pk] == (None, "excluded")
    assert (result.pinned, result.excluded) == (1, 1)


def test_unmatched_accounts_are_listed_as_unassigned_not_dropped():
    model = make_model()
    make_rule(make_territory(model, "Germany"), countries=["DE"])
    accounts = [AccountFactory(country="US") for _ in range(3)]

    result = territory_assignments_run(model=model)

    assert result.unassigned == 3
    assert set(current(model)) == {a.pk for a in accounts}


def test_rerun_changes_nothing():
    model = make_model()
    make_rule(make_territory(model, "Germany"), countries=["DE"])
    AccountFactory.create_batch(3, country="DE")
    AccountFactory(country="US")
    with time_machine.travel(date(2026, 3, 1)):
        territory_assignments_run(model=model)
    before = list(AccountTerritory.objects.order_by("pk").values())

    with time_machine.travel(date(2026, 3, 2)):
        result = territory_assignments_run(model=model)

    assert result.changed == 0
    assert list(AccountTerritory.objects.order_by("pk").values()) == before


def test_a_change_closes_the_old_row_and_opens_a_new_one():
    model = make_model()
    de = make_territory(model, "Germany")
    at = make_territory(model, "Austria")
    make_rule(de, countries=["DE"])
    make_rule(at, countries=["AT"])
    acc = AccountFactory(country="DE")
    territory_assignments_run(model=model, on=date(2026, 3, 1))
    acc.country = "AT"
    acc.save()

    result = territory_assignments_run(model=model, on=date(2026, 4, 1))

    rows = list(
        AccountTerritory.objects.filter(account=acc)
        .order_by("valid_from")
        .values_list("territory_id", "valid_from", "valid_to")
    )
    assert rows == [(de.pk, date(2026, 3, 1), date(2026, 4, 1)), (at.pk, date(2026, 4, 1), None)]
    assert result.changed == 1


def test_dry_run_reports_without_writing():
    model = make_model()
    de = make_territory(model, "Germany")
    make_rule(de, countries=["DE"])
    AccountFactory.create_batch(2, country="DE")

    result = territory_assignments_run(model=model, dry_run=True)

    assert result.changed == 2
    assert [(t.territory_id, t.accounts_in) for t in result.territories] == [(de.pk, 2)]
    assert not AccountTerritory.objects.exists()


def test_a_run_for_some_accounts_leaves_the_others_alone():
    model = make_model()
    de = make_territory(model, "Germany")
    make_rule(de, countries=["DE"])
    first, second = AccountFactory.create_batch(2, country="DE")

    territory_assignments_run(model=model, account_ids=[first.pk])

    assert set(current(model)) == {first.pk}
    assert AccountTerritory.objects.get(account=first).source == AssignmentSource.RULE
    assert not AccountTerritory.objects.filter(account=second).exists()

"""Model states, activation, preview, coverage overlaps and the deal-territory history."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from salesops.exceptions import ApplicationError
from territories.models import AccountTerritory, ModelState, Territory, TerritoryModel
from territories.selectors import account_territory_on, deal_territories
from territories.selectors.rebalance import rebalance_propose
from territories.services import (
    coverage_assign,
    pin_set,
    rule_create,
    territory_assignments_run,
    territory_model_activate,
    territory_model_clone,
    territory_update,
)
from territories.services.preview import territory_model_preview
from tests.factories import AccountFactory, PersonFactory, WonDealFactory
from tests.territories.factories import make_model, make_rule, make_territory

pytestmark = pytest.mark.django_db


def test_the_database_allows_only_one_active_model():
    make_model("A", state="active")
    with pytest.raises(IntegrityError), transaction.atomic():
        make_model("B", state="active")


def test_archived_models_are_read_only():
    model = make_model("Old", state="archived")
    with pytest.raises(ApplicationError):
        make_territory(model, "X")


def test_owners_of_one_territory_may_not_overlap():
    model = make_model()
    t = make_territory(model, "Germany")
    anna, ben = PersonFactory(), PersonFactory()
    coverage_assign(
        territory=t, person=anna, effective_from=date(2026, 1, 1), effective_to=date(2026, 6, 30)
    )
    with pytest.raises(ValidationError):
        coverage_assign(territory=t, person=ben, effective_from=date(2026, 6, 30))
    coverage_assign(territory=t, person=ben, effective_from=date(2026, 7, 1))
    coverage_assign(territory=t, person=anna, role="overlay", effective_from=date(2026, 7, 1))


def test_the_exclusion_constraint_rejects_overlapping_owners_written_directly():
    from territories.models import TerritoryAssignment

    model = make_model()
    t = make_territory(model, "Germany")
    TerritoryAssignment.objects.create(
        territory=t, person=PersonFactory(), effective_from=date(2026, 1, 1)
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        TerritoryAssignment.objects.create(
            territory=t, person=PersonFactory(), effective_from=date(2026, 5, 1)
        )


def test_moving_a_territory_repaths_its_subtree():
    model = make_model()
    europe = make_territory(model, "Europe")
    dach = make_territory(model, "DACH", parent=europe)
    de = make_territory(model, "Germany", parent=dach)
    emea = make_territory(model, "EMEA")

    territory_update(territory=dach, parent=emea)

    de.refresh_from_db()
    assert de.path == f"/{emea.pk}/{dach.pk}/{de.pk}/" and de.depth == 2
    with pytest.raises(ValidationError):
        territory_update(territory=emea, parent=Territory.objects.get(pk=de.pk))


def build_active():
    live = make_model("Live")
    de = make_territory(live, "Germany")
    at = make_territory(live, "Austria")
    make_rule(de, countries=["DE"])
    make_rule(at, countries=["AT"])
    owner_de, owner_at = PersonFactory(name="Dora DE"), PersonFactory(name="Arne AT")
    coverage_assign(territory=de, person=owner_de, effective_from=date(2026, 1, 1))
    coverage_assign(territory=at, person=owner_at, effective_from=date(2026, 1, 1))
    territory_model_activate(model=live, on=date(2026, 1, 1))
    return live, de, at, owner_de, owner_at


def test_preview_equals_what_activation_does():
    accounts = [AccountFactory(country=c) for c in ["DE", "DE", "AT", "AT", "US"]]
    live, _de, _at, _owner_de, _owner_at = build_active()
    territory_assignments_run(model=live, on=date(2026, 1, 1))
    plan = territory_model_clone(source=live, name="Plan", on=date(2026, 2, 1))
    plan_de = plan.territories.get(name="Germany")
    plan_at = plan.territories.get(name="Austria")
    pin_set(model=plan, account=accounts[0], territory=plan_at)
    rule_create(territory=plan_at, countries=["US"])

    preview = territory_model_preview(model=plan, with_pairs=True, on=date(2026, 2, 1))

    assert preview.moves == 2
    assert preview.move_pairs == {accounts[0].pk: plan_at.pk, accounts[4].pk: plan_at.pk}
    by_name = {t.name: (t.accounts_in, t.accounts_out) for t in preview.territories}
    assert by_name == {"Austria": (2, 0), "Germany": (0, 1)}
    owners = {o.name: (o.gained, o.lost) for o in preview.owners}
    assert owners == {"Arne AT": (2, 0), "Dora DE": (0, 1)}

    before = dict(
        AccountTerritory.objects.filter(model=live, valid_to__isnull=True).values_list(
            "account_id", "territory_id"
        )
    )
    territory_model_activate(model=plan, on=date(2026, 3, 1))
    after = dict(
        AccountTerritory.objects.filter(model=plan, valid_to__isnull=True).values_list(
            "account_id", "territory_id"
        )
    )
    copied_from = dict(Territory.objects.filter(model=plan).values_list("pk", "copied_from_id"))
    moved = {a: t for a, t in after.items() if copied_from.get(t) != before.get(a)}
    assert moved == preview.move_pairs
    live.refresh_from_db()
    assert live.state == ModelState.ARCHIVED and plan_de.model.pk == plan.pk
    assert TerritoryModel.objects.get(state=ModelState.ACTIVE) == plan


def test_deal_territory_is_the_account_territory_at_close_date():
    acc = AccountFactory(country="DE")
    live, de, at, *_ = build_active()
    territory_assignments_run(model=live, on=date(2026, 1, 1))
    acc.country = "AT"
    acc.save()
    territory_assignments_run(model=live, on=date(2026, 4, 1))
    early = WonDealFactory(account=acc, close_date=date(2026, 3, 31))
    late = WonDealFactory(account=acc, close_date=date(2026, 4, 1))

    assert deal_territories(deal_ids=[early.pk, late.pk]) == {early.pk: de.pk, late.pk: at.pk}
    assert account_territory_on(account_id=acc.pk, on=date(2025, 12, 31)) is None


def test_planning_rows_never_count_as_history():
    acc = AccountFactory(country="DE")
    plan = make_model("Plan")
    make_rule(make_territory(plan, "Germany"), countries=["DE"])
    territory_assignments_run(model=plan, on=date(2026, 1, 1))
    deal = WonDealFactory(account=acc, close_date=date(2026, 3, 1))
    assert deal_territories(deal_ids=[deal.pk]) == {}


def test_only_planning_models_activate_and_rebalance_applies_to_planning_only():
    live, *_ = build_active()
    with pytest.raises(ApplicationError):
        territory_model_activate(model=live)
    from territories.services import rebalance_apply

    with pytest.raises(ApplicationError):
        rebalance_apply(model=live)
    assert rebalance_propose(model=live).moves == []

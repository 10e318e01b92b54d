"""The demo seed: an active model, coverage for the demo reps, a plan with changes; idempotent."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from salesops.models import Role
from territories.demo import DEMO_NAME, PLAN_NAME, seed_demo
from territories.models import AccountTerritory, ModelState, TerritoryAssignment, TerritoryModel
from territories.services.preview import territory_model_preview
from tests.factories import AccountFactory, PersonFactory, TeamFactory, UserFactory, WonDealFactory

pytestmark = pytest.mark.django_db


def test_seed_demo_builds_an_active_model_and_a_plan():
    team = TeamFactory(name="Demo team")
    manager = PersonFactory(
        user=UserFactory(username="manager"), role=Role.SALES_MANAGER, team=team
    )
    team.manager = manager
    team.save()
    rep = PersonFactory(user=UserFactory(username="rep"), team=team)
    PersonFactory.create_batch(3, team=team)
    for i, country in enumerate(["DE"] * 8 + ["FR"] * 5 + ["US"] * 6 + ["JP"] * 2 + ["AT", "BR"]):
        AccountFactory(
            country=country,
            employees=[50, 5000][i % 2],
            sector=["retail", "tech", "energy"][i % 3],
            annual_revenue=Decimal(1000 * (i + 1)),
        )
    AccountFactory(country="")
    WonDealFactory(close_date=date(2025, 6, 1), engage_date=date(2025, 1, 1))

    seed_demo(seed=7, scale="small")
    seed_demo(seed=7, scale="small")

    live = TerritoryModel.objects.get(state=ModelState.ACTIVE)
    assert live.name == DEMO_NAME and live.activated_on == date(2025, 6, 1)
    assert live.territories.filter(depth=0).count() == 3  # Americas, APAC, EMEA
    assert live.territories.filter(name="DE Enterprise").exists()
    unassigned = AccountTerritory.objects.filter(model=live, valid_to=None, source="unassigned")
    assert unassigned.count() == 1
    assert TerritoryAssignment.objects.filter(person=rep, territory__model=live).exists()
    assert TerritoryAssignment.objects.filter(person=manager, role="overlay").exists()
    plan = TerritoryModel.objects.get(name=PLAN_NAME)
    assert plan.state == ModelState.PLANNING
    assert territory_model_preview(model=plan).moves >= 10

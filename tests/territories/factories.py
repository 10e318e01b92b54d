"""Builders for territory tests: trees through the services, so paths are real."""

from __future__ import annotations

from datetime import date
from typing import Any

from territories.models import AssignmentRule, Territory, TerritoryModel
from territories.services import rule_create, territory_create, territory_model_create


def make_model(name: str = "FY27", state: str = "planning") -> TerritoryModel:
    model = territory_model_create(name=name)
    if state != "planning":
        TerritoryModel.objects.filter(pk=model.pk).update(
            state=state, activated_on=date(2026, 1, 1) if state == "active" else None
        )
        model.refresh_from_db()
    return model


def make_territory(
    model: TerritoryModel, name: str, parent: Territory | None = None, **kwargs: Any
) -> Territory:
    return territory_create(model=model, name=name, parent=parent, **kwargs)


def make_rule(territory: Territory, **data: Any) -> AssignmentRule:
    return rule_create(territory=territory, **data)

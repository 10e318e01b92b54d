"""Shared fixture: an active model whose territories are covered by the personas."""

from __future__ import annotations

from datetime import date

import pytest

from territories.services import coverage_assign, pin_set, territory_assignments_run
from tests.factories import AccountFactory
from tests.territories.factories import make_model, make_rule, make_territory

VISIBLE = {
    "admin": {"A", "A East", "B", "C", "Empty"},
    "sales_ops": {"A", "A East", "B", "C", "Empty"},
    "manager_a": {"A", "A East"},
    "rep_a1": {"A", "A East"},
    "rep_a2": set(),
    "rep_a3": {"A East"},
    "manager_b": {"B"},
    "rep_b1": {"B"},
    "outsider": {"C"},
}


@pytest.fixture
def world(personas):
    model = make_model("Live", state="active")
    a = make_territory(model, "A")
    terr = {
        "A": a,
        "A East": make_territory(model, "A East", parent=a),
        "B": make_territory(model, "B"),
        "C": make_territory(model, "C"),
        "Empty": make_territory(model, "Empty"),
    }
    for name, persona in [
        ("A", "rep_a1"),
        ("A East", "rep_a3"),
        ("B", "rep_b1"),
        ("C", "outsider"),
    ]:
        coverage_assign(
            territory=terr[name], person=personas.person(persona), effective_from=date(2026, 1, 1)
        )
    for name, country in [("A", "DE"), ("A East", "PL"), ("B", "FR"), ("C", "IT"), ("Empty", "ES")]:
        make_rule(terr[name], countries=[country], name=f"rule {name}")
        AccountFactory(country=country, name=f"Acc {name}")
        pin_set(model=model, account=AccountFactory(name=f"Pinned {name}"), territory=terr[name])
    territory_assignments_run(model=model)
    return model, terr

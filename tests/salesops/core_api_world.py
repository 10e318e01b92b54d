"""A small, fully known data set over the personas for the core API tests.

Deals (by external id):
- A1: owned by rep_a1.
- A2: owned by rep_a2, split 50/50 with rep_b1 (a deal shared across teams).
- A3: owned by rep_a3 (team A East, under team A).
- B1: owned by rep_b1.
- OUT: owned by the outsider (team C).
Costs (by note): one per person rep_a1, rep_a3, rep_b1, outsider, manager_a, and one team-level
entry for each of team A, team A East, team B, team C.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from salesops.models import Account, Deal, DealSplit, Product, SalesCost
from tests.factories import AccountFactory, DealFactory, ProductFactory, SalesCostFactory


@dataclass
class World:
    deals: dict[str, Deal]
    costs: dict[str, SalesCost]
    accounts: list[Account]
    products: list[Product]


def build_world(personas) -> World:
    accounts = [AccountFactory(name="Acme"), AccountFactory(name="Globex")]
    products = [ProductFactory(name="GTX Basic"), ProductFactory(name="GTX Pro")]
    owners = {
        "A1": "rep_a1",
        "A2": "rep_a2",
        "A3": "rep_a3",
        "B1": "rep_b1",
        "OUT": "outsider",
    }
    deals = {
        ext: DealFactory(
            external_id=ext,
            owner=personas.person(owner),
            account=accounts[0],
            product=products[0],
        )
        for ext, owner in owners.items()
    }
    DealSplit.objects.filter(deal=deals["A2"]).update(percent=Decimal(50))
    DealSplit.objects.create(deal=deals["A2"], person=personas.person("rep_b1"), percent=50)
    costs = {}
    for who in ("rep_a1", "rep_a3", "rep_b1", "outsider", "manager_a"):
        costs[who] = SalesCostFactory(person=personas.person(who), note=who)
    for label, team in (
        ("team_a", personas.team_a),
        ("team_a_east", personas.team_a_east),
        ("team_b", personas.team_b),
        ("team_c", personas.team_c),
    ):
        costs[label] = SalesCostFactory(person=None, team=team, category="tools", note=label)
    return World(deals=deals, costs=costs, accounts=accounts, products=products)

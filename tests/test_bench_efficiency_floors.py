"""The efficiency benchmark's floors write exactly the engine's snapshot rows, every scope.

`make bench` checks them on the seeded data before it times anything; this checks them on a
small org with the awkward cases: a team move mid-range (team of the day), a sub-team (closure),
a deal split between two people, a won deal without splits (a win for its owner, no credit, not
a territory's), an open deal, a team-booked cost, a negative cost, a day whose costs net to zero
(a row with cost 0, for the person and their territory), and a person who owns three territories
(cost in thirds). The headline floor reads the deals and their splits once.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import cast

import pytest
from django.db import connection

from benchmarks import bench_efficiency
from benchmarks.efficiency_floors import ROLLUP_TABLE, SCAN_TABLE, floor_setup, scan_floor
from benchmarks.efficiency_rollup import ROLLUP_BASE_SQL, rollup_floor
from salesops.models import Deal, DealSplit
from salesops.services.efficiency import efficiency_snapshots_compute
from salesops.services.people import person_move_team
from territories.services import coverage_assign, territory_model_activate
from tests.factories import (
    AccountFactory,
    DealFactory,
    PersonFactory,
    SalesCostFactory,
    TeamFactory,
    WonDealFactory,
)
from tests.territories.factories import make_model, make_rule, make_territory

D = Decimal
AS_OF = date(2026, 5, 20)
SCOPES = {"company", "person", "role", "team", "territory"}


def won(**fields: object) -> Deal:
    return cast(Deal, WonDealFactory(engage_date=None, **fields))


def _org() -> None:
    root = TeamFactory(name="Sales")
    east, west = TeamFactory(name="East", parent=root), TeamFactory(name="West", parent=root)
    ann = PersonFactory(team=east, role="account_executive")
    bob = PersonFactory(team=east, role="sdr")
    cid = PersonFactory(team=west, role="account_executive")
    de_acc, fr_acc = AccountFactory(country="DE"), AccountFactory(country="FR")
    model = make_model("Live")
    europe = make_territory(model, "Europe")
    de = make_territory(model, "Germany", parent=europe)
    fr = make_territory(model, "France", parent=europe)
    make_rule(de, countries=["DE"])
    iberia = make_territory(model, "Iberia", parent=europe)
    make_rule(fr, countries=["FR"])
    for territory in (europe, de, iberia):  # Ann's cost goes in thirds
        coverage_assign(territory=territory, person=ann, effective_from=date(2025, 1, 1))
    coverage_assign(territory=fr, person=cid, effective_from=date(2025, 1, 1))
    dan = PersonFactory(team=west, role="sdr")  # only a day of costs that net to zero
    nordics = make_territory(model, "Nordics", parent=europe)
    coverage_assign(territory=nordics, person=dan, effective_from=date(2025, 1, 1))
    territory_model_activate(model=model, on=date(2025, 1, 1))
    # Bob moves from East to West in March: his earlier days stay East's.
    person_move_team(person=bob, team=west, on=date(2026, 3, 1))

    days = (date(2025, 11, 3), date(2026, 2, 10), date(2026, 4, 7), AS_OF)
    for i, day in enumerate(days):
        won(account=de_acc, owner=ann, close_value=D(1000 + i), close_date=day)
        won(account=fr_acc, owner=bob, close_value=D(400), close_date=day)
        split = won(
            account=fr_acc, owner=cid, close_value=D("999.99"), close_date=day,
            with_owner_split=False,
        )  # fmt: skip
        DealSplit.objects.create(deal=split, person=cid, percent=D(60))
        DealSplit.objects.create(deal=split, person=bob, percent=D(40))
        won(account=de_acc, owner=bob, close_date=day, with_owner_split=False)
        DealFactory(account=de_acc, owner=ann)  # open: no credit, no win
        SalesCostFactory(person=ann, date=day, amount=D("100.01"))
        SalesCostFactory(person=bob, date=day, amount=D(250))
        SalesCostFactory(person=None, team=east, date=day, amount=D(70))
    adjustment = {"category": "adjustment", "note": "correction"}
    SalesCostFactory(person=cid, date=days[1], amount=D(-30), **adjustment)
    SalesCostFactory(person=cid, date=days[2], amount=D(45))
    SalesCostFactory(person=cid, date=days[2], amount=D(-45), **adjustment)
    SalesCostFactory(person=dan, date=AS_OF, amount=D(20))
    SalesCostFactory(person=dan, date=AS_OF, amount=D(-20), **adjustment)


def _rows_by_scope(table: str) -> dict[str, int]:
    return bench_efficiency._rows_by_scope(table)


@pytest.mark.django_db
def test_both_floors_write_exactly_the_engines_snapshot_rows():
    _org()
    efficiency_snapshots_compute(as_of=AS_OF, full=True)
    floor_setup(AS_OF)
    rollup_floor(AS_OF)
    scan_floor(AS_OF)

    assert bench_efficiency._mismatches(AS_OF, ROLLUP_TABLE) == 0
    assert bench_efficiency._mismatches(AS_OF, SCAN_TABLE) == 0
    assert set(_rows_by_scope(ROLLUP_TABLE)) == SCOPES
    assert _rows_by_scope(ROLLUP_TABLE) == _rows_by_scope(SCAN_TABLE)


@pytest.mark.django_db
def test_a_floor_that_drops_a_row_is_caught():
    _org()
    efficiency_snapshots_compute(as_of=AS_OF, full=True)
    floor_setup(AS_OF)
    rollup_floor(AS_OF)
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM bench_rollup WHERE ctid = "
            "(SELECT ctid FROM bench_rollup WHERE scope_type = 'territory' LIMIT 1)"
        )
        cursor.execute(
            "UPDATE bench_rollup SET won_deals = won_deals + 1 WHERE scope_type = 'role'"
        )

    assert bench_efficiency._mismatches(AS_OF, ROLLUP_TABLE) > 1


@pytest.mark.django_db
def test_the_headline_floor_reads_deals_and_splits_once():
    connection.ensure_connection()
    text = ROLLUP_BASE_SQL.as_string(connection.connection)
    for table in ("salesops_deal ", "salesops_dealsplit "):
        assert text.count(f"FROM {table}") + text.count(f"JOIN {table}") == 1, table

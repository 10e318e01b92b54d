"""A small, hand-checkable sales book on top of the personas, frozen on 2026-03-20 (a Friday).

Quarter to date (fiscal year = calendar year) is Jan 1 – Mar 20, 2026; the previous period is
Oct 1 – Dec 20, 2025. Team A (manager_a: rep_a1, rep_a2, and rep_a3 in the sub-team A East):
- rep_a1 won 12,000 (Feb 10); salary 2,000 (Feb 1); won 5,000 last quarter (Nov 10) at a cost of
  5,000 (Nov 1); an open prospecting deal of 3,000 stuck for 60 days.
- rep_a2 and rep_a3 share 50/50 a deal won for 10,000 (Mar 1), owned by rep_a2; rep_a2 has an open
  presentation deal of 7,000 that entered its stage 5 days ago.
- rep_a3 lost a deal at the presentation stage (Mar 5).
- 1,000 of tools booked to team A itself (Jan 15).
So team A this quarter: revenue 22,000, cost 3,000, ratio 733.3; previous 5,000 / 5,000 = 100.0.
Team B (manager_b: rep_b1): won 99,999 (Mar 2), cost 1,000. Team C (outsider): won 55,555.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
import time_machine

from salesops.models import Deal, DealSplit
from tests.factories import DealFactory, SalesCostFactory, WonDealFactory

NOW = dt.datetime(2026, 3, 20, 11, 0, tzinfo=dt.UTC)


@pytest.fixture
def frozen_now() -> Iterator[dt.datetime]:
    with time_machine.travel(NOW, tick=False):
        yield NOW


@dataclass
class Book:
    stuck_deal: Deal
    fresh_deal: Deal
    split_deal: Deal


def make_book(personas: Any, now: dt.datetime = NOW) -> Book:
    p = personas.person
    WonDealFactory(owner=p("rep_a1"), close_value=Decimal("12000"), close_date=dt.date(2026, 2, 10))
    WonDealFactory(
        owner=p("rep_a1"),
        close_value=Decimal("5000"),
        close_date=dt.date(2025, 11, 10),
        engage_date=dt.date(2025, 10, 1),
    )
    split = WonDealFactory(
        owner=p("rep_a2"),
        close_value=Decimal("10000"),
        close_date=dt.date(2026, 3, 1),
        with_owner_split=False,
    )
    DealSplit.objects.create(deal=split, person=p("rep_a2"), percent=Decimal(50))
    DealSplit.objects.create(deal=split, person=p("rep_a3"), percent=Decimal(50))
    DealFactory(
        owner=p("rep_a3"),
        stage="lost",
        lost_at_stage="presentation",
        close_date=dt.date(2026, 3, 5),
    )
    stuck = DealFactory(
        owner=p("rep_a1"),
        stage="prospecting",
        amount=Decimal("3000"),
        stage_entered_at=now - dt.timedelta(days=60),
    )
    fresh = DealFactory(
        owner=p("rep_a2"),
        stage="presentation",
        amount=Decimal("7000"),
        stage_entered_at=now - dt.timedelta(days=5),
    )
    SalesCostFactory(person=p("rep_a1"), date=dt.date(2026, 2, 1), amount=Decimal("2000"))
    SalesCostFactory(person=p("rep_a1"), date=dt.date(2025, 11, 1), amount=Decimal("5000"))
    SalesCostFactory(
        person=None,
        team=personas.team_a,
        category="tools",
        date=dt.date(2026, 1, 15),
        amount=Decimal("1000"),
    )
    WonDealFactory(owner=p("rep_b1"), close_value=Decimal("99999"), close_date=dt.date(2026, 3, 2))
    SalesCostFactory(person=p("rep_b1"), date=dt.date(2026, 3, 1), amount=Decimal("1000"))
    WonDealFactory(
        owner=p("outsider"), close_value=Decimal("55555"), close_date=dt.date(2026, 3, 3)
    )
    return Book(stuck_deal=stuck, fresh_deal=fresh, split_deal=split)


@pytest.fixture
def book(personas: Any, frozen_now: dt.datetime) -> Book:
    return make_book(personas)

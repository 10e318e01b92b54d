"""No dashboard page reads the deals table with a sequential scan (issue 22, item 2).

A company in the proportions of the large demo (many teams, the shown page of the people table a
small share of everyone, a few deals per person, open deals a minority), analyzed so the planner
has real statistics; every SELECT each page runs is EXPLAINed as the page ran it. The team and
company pages read the nightly snapshots (efficiency, deal figures); what stays live is bounded by
an index (one person's deals, the shown people's open deals, the stuck deals of the open stages).
"""

from __future__ import annotations

import datetime as dt
import random
import re
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from psycopg2 import sql

from salesops.hooks import efficiency_published
from salesops.models import Deal, DealSplit, Person, Role, Team
from salesops.selectors.sql import ACCOUNTS, COSTS, DEALS, PEOPLE, SNAPSHOTS, SPLITS, TEAMS
from salesops.services.efficiency import efficiency_snapshots_compute
from tests.dashboard.conftest import NOW
from tests.factories import AccountFactory, ProductFactory

AS_OF = NOW.date() - dt.timedelta(days=1)
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("january_berlin")]
SEQ_SCAN_ON_DEALS = re.compile(rf"Seq Scan on {DEALS}\b")
OPEN = ["prospecting", "needs_assessment", "presentation", "objection_handling", "closing"]


def _company(personas: Any, *, teams: int = 40, per_team: int = 25, deals_each: int = 8) -> None:
    rnd = random.Random(22)
    product = ProductFactory()
    accounts = [AccountFactory(employees=rnd.choice([None, 20, 400, 5000])) for _ in range(50)]
    made = Team.objects.bulk_create(
        [Team(name=f"Region {i}", region="North") for i in range(teams)]
    )
    people = Person.objects.bulk_create(
        Person(
            name=f"Rep {t.pk}-{i}",
            email=f"rep{t.pk}-{i}@example.com",
            role=Role.ACCOUNT_EXECUTIVE,
            team=t,
            hourly_cost=Decimal("50.00"),
            time_zone="Europe/Berlin",
            hire_date=dt.date(2020, 1, 1),
        )
        for t in [personas.team_a, *made]
        for i in range(per_team)
    )
    deals: list[Deal] = []
    for person in people:
        for _ in range(deals_each):
            closed = rnd.random() < 0.85
            day = AS_OF - dt.timedelta(days=rnd.randrange(730))
            stage = rnd.choice(["won", "lost"]) if closed else rnd.choice(OPEN)
            deals.append(
                Deal(
                    external_id=f"P{len(deals):07d}",
                    account=rnd.choice(accounts),
                    product=product,
                    owner=person,
                    stage=stage,
                    lost_at_stage=rnd.choice(OPEN) if stage == "lost" else "",
                    amount=Decimal(rnd.randrange(1000, 90000)),
                    close_value=Decimal(rnd.randrange(1000, 90000)) if stage == "won" else None,
                    engage_date=day - dt.timedelta(days=30),
                    close_date=day if closed else None,
                    stage_entered_at=NOW - dt.timedelta(days=rnd.randrange(200)),
                )
            )
    made_deals = Deal.objects.bulk_create(deals)
    DealSplit.objects.bulk_create(
        DealSplit(deal=d, person_id=d.owner_id, percent=Decimal(100)) for d in made_deals
    )


@pytest.fixture
def planned(personas: Any, book: Any) -> Any:
    _company(personas)
    efficiency_snapshots_compute(as_of=AS_OF)
    efficiency_published(AS_OF)  # the night's deal figures (their tables analyzed), as nightly
    tables = [DEALS, SPLITS, PEOPLE, TEAMS, ACCOUNTS, COSTS, SNAPSHOTS]
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(sql.SQL("ANALYZE {}").format(sql.Identifier(table)))
    return personas


def _seq_scans(client: Any, url: str) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
    assert response.status_code == 200, url
    found = []
    with connection.cursor() as cursor:
        for query in captured.captured_queries:
            statement = query["sql"]
            if not statement.lstrip().upper().startswith(("SELECT", "WITH", "(SELECT")):
                continue
            cursor.execute("EXPLAIN " + statement)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            if SEQ_SCAN_ON_DEALS.search(plan):
                found.append(" ".join(statement.split())[:200])
    return len(captured.captured_queries), found


PAGES = [
    ("manager_a", "/dashboard/"),
    ("manager_a", "/dashboard/?period=ytd"),
    ("manager_a", "/dashboard/?period=ytd&sort=ratio"),
    ("manager_a", "/dashboard/?period=ytd&sort=attainment&page=2"),
    ("manager_a", "/dashboard/people.csv?period=ytd"),
    ("sales_ops", "/dashboard/?period=ytd"),
    ("sales_ops", "/dashboard/?period=t90"),
    ("sales_ops", "/dashboard/?period=qtd&sort=cost&page=3"),
    ("sales_ops", "/dashboard/people.csv?period=ytd&sort=revenue"),
    ("rep_a1", "/me/"),
    ("rep_a1", "/me/?period=ytd"),
]


def test_no_page_scans_the_deals_table(planned: Any, client_for: Any) -> None:
    """Every page of PAGES, on one data set (building it is the slow part)."""
    found = {}
    for who, url in PAGES:
        queries, scans = _seq_scans(client_for(getattr(planned, who)), url)
        assert queries <= 30, url  # the page's budget (tests/dashboard/test_query_counts.py)
        if scans:
            found[url] = scans
    assert found == {}


def test_the_check_sees_a_sequential_scan(planned: Any) -> None:
    """The same EXPLAIN check flags the old funnel query (a year of every deal, no snapshot)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"EXPLAIN SELECT stage, COUNT(*) FROM {DEALS} "  # a table name, no value
            "WHERE close_date >= %s OR stage = ANY(%s) GROUP BY stage",
            [AS_OF - dt.timedelta(days=365), OPEN],
        )
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert SEQ_SCAN_ON_DEALS.search(plan)

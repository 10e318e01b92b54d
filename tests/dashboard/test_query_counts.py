"""Every page runs a fixed number of SQL queries whatever the data size."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from salesops import calendar
from salesops.models import DealSplit, ImportRun, JobRun, JobStatus
from tests.compensation.factories import month_quota
from tests.factories import DealFactory, PersonFactory, SalesCostFactory, WonDealFactory
from tests.meetings.factories import meeting_with
from tests.territories.factories import make_model, make_territory

pytestmark = pytest.mark.django_db

# A budget, not a count: the company dashboard holds every panel (tiles, people, attainment, meeting
# load, territory balance and the cost-of-pursuit panel, three to five queries of its own). What
# matters is below: the count does not grow with the data.
MAX_QUERIES = 30


def grow(personas: Any, people: int) -> None:
    """Add `people` reps to team A and A East, each with won, lost, open and split deals and costs."""
    teams = [personas.team_a, personas.team_a_east]
    added = [PersonFactory(team=teams[i % 2]) for i in range(people)]
    for i, person in enumerate(added):
        won = WonDealFactory(
            owner=person, close_value=Decimal(1000 + i), close_date=dt.date(2026, 2, 1)
        )
        DealSplit.objects.filter(deal=won).update(percent=Decimal(60))
        DealSplit.objects.create(deal=won, person=added[i - 1], percent=Decimal(40))
        DealFactory(
            owner=person, stage="lost", lost_at_stage="closing", close_date=dt.date(2026, 3, 1)
        )
        DealFactory(
            owner=person, stage="closing", stage_entered_at=timezone.now() - dt.timedelta(days=90)
        )
        SalesCostFactory(person=person, date=dt.date(2026, 1, 10))
        month_quota(person, calendar.month_containing(dt.date(2026, 1, 15)), "5000")
        meeting_with(person, added[i - 1])
    now = timezone.now()
    for i in range(people):
        JobRun.objects.create(
            job=f"job{i % 3}",
            business_date=dt.date(2026, 1, 1) + dt.timedelta(days=i),
            status=JobStatus.SUCCESS,
            started_at=now,
            finished_at=now,
        )
        ImportRun.objects.create(status="success", report={"rows": i})


PAGES = [
    ("manager_a", "/dashboard/", {}),
    ("manager_a", "/dashboard/", {"team": "sub"}),
    ("sales_ops", "/dashboard/", {"period": "ytd"}),
    ("manager_a", "/dashboard/people.csv", {}),
    ("rep_a1", "/me/", {}),
    ("sales_ops", "/ops/", {}),
]


def count_queries(client: Any, url: str, params: dict[str, str]) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200, (url, response.status_code)
    return len(ctx.captured_queries)


@pytest.mark.parametrize(("persona", "url", "params"), PAGES)
def test_page_query_count_does_not_grow_with_the_data(
    personas: Any,
    book: Any,
    client_for: Any,
    django_assert_max_num_queries: Any,
    persona: str,
    url: str,
    params: dict[str, str],
) -> None:
    if params.get("team") == "sub":
        params = {"team": str(personas.team_a_east.pk)}
    # Every panel filled: quotas (attainment, clubs), an active territory model, meetings.
    month_quota(personas.person("rep_a1"), calendar.month_containing(dt.date(2026, 1, 15)), "10000")
    make_territory(make_model(name="Active", state="active"), "North")
    meeting_with(personas.person("rep_a1"), personas.person("rep_a2"))
    client = client_for(getattr(personas, persona))
    client.get(url, params)  # warm up: session and the like
    small = count_queries(client, url, params)
    grow(personas, 30)
    with django_assert_max_num_queries(MAX_QUERIES):
        response = client.get(url, params)
    assert response.status_code == 200
    assert count_queries(client, url, params) == small

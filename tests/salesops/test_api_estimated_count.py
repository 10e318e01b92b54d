"""GET /api/v1/deals/ gives PostgreSQL's estimate as the total once it is large (no COUNT(*) over a
million rows per page) and says so; small lists keep their exact count."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from salesops.api import pagination
from tests.factories import DealFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def deals(personas):
    return [DealFactory(owner=personas.person("rep_a1")) for _ in range(5)]


def test_small_lists_keep_the_exact_count(personas, api_client_for, deals):
    body = api_client_for(personas.sales_ops).get("/api/v1/deals/", {"page_size": 2}).json()
    assert body["count"] == 5
    assert body["count_estimated"] is False


def test_large_lists_give_the_estimate_and_count_no_further_than_the_limit(
    personas, api_client_for, deals, monkeypatch
):
    monkeypatch.setattr(pagination, "EXACT_COUNT_LIMIT", 0)
    client = api_client_for(personas.sales_ops)
    with CaptureQueriesContext(connection) as captured:
        body = client.get("/api/v1/deals/", {"page_size": 2}).json()
    assert body["count_estimated"] is True
    assert isinstance(body["count"], int) and body["count"] >= 1
    counts = [q["sql"] for q in captured.captured_queries if "COUNT(" in q["sql"].upper()]
    assert counts and all("LIMIT" in sql.upper() for sql in counts)  # never an unbounded count
    assert any(q["sql"].startswith("EXPLAIN") for q in captured.captured_queries)
    # A full page always links the next, whatever the estimate: walking the pages finds all five.
    seen, url = [], "/api/v1/deals/?page_size=2"
    while url:
        page = client.get(url).json()
        seen += [row["id"] for row in page["results"]]
        url = page["next"]
        if url and url.startswith("http"):
            url = url.split("testserver", 1)[1]
    assert sorted(seen) == sorted(d.pk for d in deals)
    assert client.get("/api/v1/deals/", {"page_size": 2, "page": 99}).status_code == 404
    assert client.get("/api/v1/deals/", {"page": "x"}).status_code == 404


def test_the_capped_count_does_not_sort_the_list(personas, api_client_for, deals):
    """The count of the first 10,001 rows is the same in any order: it must not ask PostgreSQL to
    sort every visible deal first (the list's own query keeps its order)."""
    client = api_client_for(personas.sales_ops)
    with CaptureQueriesContext(connection) as captured:
        body = client.get("/api/v1/deals/", {"page_size": 2, "ordering": "-amount"}).json()
    assert body["count"] == 5
    counts = [q["sql"] for q in captured.captured_queries if "COUNT(" in q["sql"].upper()]
    assert len(counts) == 1
    assert "ORDER BY" not in counts[0].upper()
    assert "LIMIT" in counts[0].upper()
    listed = [q["sql"] for q in captured.captured_queries if '"salesops_deal"."amount"' in q["sql"]]
    assert any("ORDER BY" in sql.upper() for sql in listed if "COUNT(" not in sql.upper())
    assert len(body["results"]) == 2

"""The CRM imports list (/imports/, issue 23 item 1): search, filters in the query string, sort,
page size and a CSV of the same rows; sales ops and admin only."""

from __future__ import annotations

import csv
import io
import re

import pytest

from salesops.models import ImportRun

pytestmark = pytest.mark.django_db


@pytest.fixture
def runs(personas):
    made = []
    for i in range(30):
        made.append(
            ImportRun.objects.create(
                user=personas.sales_ops if i % 2 else personas.admin,
                origin="admin" if i % 3 else "command",
                status="partial" if i % 5 == 0 else "success",
                dry_run=i % 4 == 0,
                error_count=i,
                report={"big": "x" * 100},
            )
        )
    return made


def _ids(response) -> list[int]:
    body = response.content.decode()
    return [int(x) for x in re.findall(r'/ops/imports/(\d+)/"', body)]


def test_filters_search_sort_and_page_size_come_from_the_query_string(personas, runs, client_for):
    client = client_for(personas.sales_ops)
    first = client.get("/imports/")
    assert first.status_code == 200 and len(_ids(first)) == 25  # the first page size
    partial = client.get("/imports/?status=partial&sort=-errors&per_page=50")
    expected = sorted((r for r in runs if r.status == "partial"), key=lambda r: -r.error_count)
    assert _ids(partial) == [r.pk for r in expected]
    searched = client.get("/imports/?q=command&dry_run=true&per_page=100")
    assert set(_ids(searched)) == {r.pk for r in runs if r.origin == "command" and r.dry_run}
    body = searched.content.decode()
    assert 'name="dry_run" value="true"' in body  # the filter survives a search or page size


def test_the_csv_has_every_filtered_row_not_one_page(personas, runs, client_for):
    client = client_for(personas.admin)
    response = client.get("/imports/?status=success&sort=errors&format=csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    success = sorted((r for r in runs if r.status == "success"), key=lambda r: r.error_count)
    assert [int(r["id"]) for r in rows] == [r.pk for r in success]
    assert len(rows) > 20 and rows[0]["status"] == "Success"


def test_only_sales_ops_and_admin_see_the_imports(personas, runs, client_for):
    for who in ("rep_a1", "manager_a"):
        assert client_for(getattr(personas, who)).get("/imports/").status_code == 404
        assert client_for(getattr(personas, who)).get("/imports/?format=csv").status_code == 404

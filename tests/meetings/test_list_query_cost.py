"""The meeting lists (GET /api/v1/meetings/ and the meetings page) cost a fixed number of queries
whatever the number of meetings, and their page query reads the meetings without joining each
one's account and deal (the API gives them as ids, the page does not show them)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import AccountFactory, DealFactory
from tests.meetings.factories import ActionItemFactory, AgendaItemFactory, meeting_with

pytestmark = pytest.mark.django_db


def _meetings(personas, count: int) -> list:
    rep, manager = personas.person("rep_a1"), personas.person("manager_a")
    start = timezone.now() + dt.timedelta(days=1)
    made = []
    for i in range(count):
        account = AccountFactory()
        deal = DealFactory(owner=rep, account=account)
        meeting = meeting_with(
            rep,
            manager,
            start=start + dt.timedelta(hours=i),
            end=start + dt.timedelta(hours=i, minutes=30),
            account=account,
            deal=deal,
        )
        AgendaItemFactory(meeting=meeting, owner=rep)
        ActionItemFactory(meeting=meeting, owner=manager)
        made.append(meeting)
    return made


def _queries(fetch) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        response = fetch()
    assert response.status_code == 200
    return [q["sql"] for q in captured.captured_queries]


def _page_query(sqls: list[str]) -> str:
    [page] = [s for s in sqls if 'FROM "meetings_meeting"' in s and "COUNT(" not in s]
    return page


def test_api_list_has_a_fixed_query_count_and_no_account_or_deal_join(personas, api_client_for):
    client = api_client_for(personas.manager_a)
    _meetings(personas, 2)
    client.get("/api/v1/meetings/")  # the caller's scope is read once per user object
    few = _queries(lambda: client.get("/api/v1/meetings/"))
    made = _meetings(personas, 4)
    many = _queries(lambda: client.get("/api/v1/meetings/"))
    assert len(many) == len(few)
    page = _page_query(many)
    assert "salesops_account" not in page and "salesops_deal" not in page
    body = client.get("/api/v1/meetings/").json()
    by_id = {row["id"]: row for row in body["results"]}
    for meeting in made:
        assert by_id[meeting.pk]["account"] == meeting.account_id
        assert by_id[meeting.pk]["deal"] == meeting.deal_id


def test_meetings_page_has_a_fixed_query_count(personas, client_for):
    client = client_for(personas.rep_a1)
    _meetings(personas, 2)
    few = _queries(lambda: client.get("/meetings/"))
    _meetings(personas, 4)
    many = _queries(lambda: client.get("/meetings/"))
    assert len(many) == len(few)
    page = _page_query(many)
    assert "salesops_account" not in page and "salesops_deal" not in page

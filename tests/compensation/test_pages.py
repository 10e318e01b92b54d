"""Pages: my quota & pay, the team table, statements, the plan editor — scope, content, queries."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal as D

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from compensation.models import Dispute, Statement
from compensation.services import statements as svc
from salesops import calendar
from tests.compensation.factories import (
    MARGINAL_ATTAINMENT,
    approved_plan,
    assign,
    month_quota,
    won_deal,
)

pytestmark = pytest.mark.django_db
MAR = calendar.month_containing(dt.date(2026, 3, 15))
TODAY = dt.datetime(2026, 3, 20, 12, tzinfo=dt.UTC)


@pytest.fixture
def paid(personas):
    version = approved_plan("Accelerated", MARGINAL_ATTAINMENT, dt.date(2026, 1, 1))
    for name in ("rep_a1", "rep_a2", "rep_b1"):
        person = personas.person(name)
        assign(person, version, dt.date(2026, 1, 1))
        month_quota(person, MAR, "100000")
        won_deal(person, "150000", dt.date(2026, 3, 10))
    svc.statements_generate(period=MAR)
    return version


@time_machine.travel(TODAY, tick=False)
def test_my_pay_shows_attainment_pace_statement_and_whatif(personas, paid, client_for):
    response = client_for(personas.rep_a1).get("/compensation/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="attainment-month"' in html and "150.0 %" in html
    assert "Pace:" in html
    assert "Chairman&#x27;s Club" in html or "Chairman's Club" in html
    assert "USD 8,250.00" in html
    assert "25,000.00 × 6 %" in html
    assert "Send dispute" in html
    whatif = json.loads(response.context["whatif"] and json.dumps(response.context["whatif"]))
    assert whatif["quota"] == "100000.00"
    assert whatif["deals"] == [
        {
            "ref": whatif["deals"][0]["ref"],
            "amount": "150000.00",
            "date": "2026-03-10",
            "product": whatif["deals"][0]["product"],
            "split_percent": "100.00",
        }
    ]


@time_machine.travel(TODAY, tick=False)
def test_my_pay_page_runs_a_fixed_number_of_queries(personas, paid, client_for):
    client = client_for(personas.rep_a1)
    client.get("/compensation/")
    with CaptureQueriesContext(connection) as few:
        client.get("/compensation/")
    for i in range(5):
        won_deal(personas.person("rep_a1"), "10", dt.date(2026, 3, 11 + i))
    svc.statements_generate(period=MAR)
    with CaptureQueriesContext(connection) as many:
        client.get("/compensation/")
    assert len(many) == len(few)


@time_machine.travel(TODAY, tick=False)
def test_team_table_shows_the_managers_people_with_club_badges(personas, paid, client_for):
    response = client_for(personas.manager_a).get(f"/compensation/team/?period={MAR.name}")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Anna Rep" in html and "Arno Rep" in html and "Bert Rep" not in html
    assert html.count("Chairman&#x27;s Club") + html.count("Chairman's Club") >= 2


def test_team_table_sends_reps_to_their_own_page(personas, client_for):
    response = client_for(personas.rep_a1).get("/compensation/team/")
    assert response.status_code == 302 and response.url.endswith("/compensation/")


def test_statement_page_is_404_for_someone_elses_pay(personas, paid, client_for):
    theirs = Statement.objects.get(person=personas.person("rep_b1"))
    assert (
        client_for(personas.rep_a1).get(f"/compensation/statements/{theirs.pk}/").status_code == 404
    )
    assert (
        client_for(personas.manager_a).get(f"/compensation/statements/{theirs.pk}/").status_code
        == 404
    )
    assert (
        client_for(personas.manager_b).get(f"/compensation/statements/{theirs.pk}/").status_code
        == 200
    )


def test_rep_disputes_a_line_from_the_page(personas, paid, client_for):
    line = Statement.objects.get(person=personas.person("rep_a1")).lines.get()
    client = client_for(personas.rep_a1)
    response = client.post(f"/compensation/lines/{line.pk}/dispute/", {"comment": "check tier"})
    assert response.status_code == 302
    assert Dispute.objects.get().comment == "check tier"
    other = Statement.objects.get(person=personas.person("rep_b1")).lines.get()
    assert (
        client.post(f"/compensation/lines/{other.pk}/dispute/", {"comment": "x"}).status_code == 404
    )


def test_statement_list_page_scoped_and_ops_can_approve(personas, paid, client_for):
    html = client_for(personas.rep_a1).get("/compensation/statements/").content.decode()
    assert "Anna Rep" in html and "Bert Rep" not in html
    statement = Statement.objects.get(person=personas.person("rep_b1"))
    ops = client_for(personas.sales_ops)
    assert ops.get("/compensation/statements/").status_code == 200
    ops.post(f"/compensation/statements/{statement.pk}/approve/")
    statement.refresh_from_db()
    assert statement.status == "approved"


def test_rep_cannot_approve_from_the_page(personas, paid, client_for):
    statement = Statement.objects.get(person=personas.person("rep_a1"))
    response = client_for(personas.rep_a1).post(f"/compensation/statements/{statement.pk}/approve/")
    assert response.status_code == 404
    statement.refresh_from_db()
    assert statement.status == "draft"


def test_plan_pages_are_404_for_reps_and_managers(personas, paid, client_for):
    for who in ("rep_a1", "manager_a"):
        client = client_for(getattr(personas, who))
        assert client.get("/compensation/plans/").status_code == 404
        assert client.get(f"/compensation/plans/{paid.plan_id}/").status_code == 404


def test_pages_render_empty_states_without_data(personas, client_for):
    assert "No statement yet" in client_for(personas.rep_a1).get("/compensation/").content.decode()


def test_ops_recompute_a_draft_from_its_page(personas, paid, client_for):
    statement = Statement.objects.get(person=personas.person("rep_a1"))
    won_deal(personas.person("rep_a1"), "10000", dt.date(2026, 3, 20))
    response = client_for(personas.sales_ops).post(
        f"/compensation/statements/{statement.pk}/regenerate/"
    )
    assert response.status_code == 302
    statement.refresh_from_db()
    assert statement.payable == D("8950.00")  # 10,000 more at the 125 %+ rate of 7 %


def test_ops_generate_drafts_from_the_statements_page(personas, paid, client_for):
    # Queued for a worker and followed on its run's page (test_statements_generate_job.py).
    response = client_for(personas.sales_ops).post(
        "/compensation/statements/generate/", {"period": MAR.name}, follow=True
    )
    assert f"Draft statements of {MAR.name}" in response.content.decode()
    assert "Queued: waiting for a worker" in response.content.decode()

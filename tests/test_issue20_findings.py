"""Findings of issue 20 that had no test named by their behaviour (the others: test_bad_input.py,
test_deployment_security.py, tests/salesops/test_abuse_limits.py, test_offboarding.py,
test_csv_exports_neutralise_formulas.py, test_api_refusals.py, test_page_refusals.py,
tests/meetings/test_money_stays_private.py, test_recurrence_bounds.py, test_costs_and_load.py,
tests/territories/test_attainment_scope.py, test_api_fuzz.py)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.urls import reverse

from compensation.models import Statement
from compensation.services import statements as statement_services
from salesops import calendar
from tests.compensation.factories import FLAT_5, approved_plan, assign, won_deal
from tests.meetings.factories import meeting_with

pytestmark = pytest.mark.django_db
MAR = calendar.month_containing(dt.date(2026, 3, 15))


def test_the_payroll_csv_shows_a_formula_like_name_as_text_next_to_the_amounts(
    personas, api_client_for
):
    rep = personas.person("rep_a1")
    rep.name = '=HYPERLINK("http://evil.example","pay")'
    rep.save(update_fields=["name"])
    assign(rep, approved_plan("Flat", FLAT_5, dt.date(2026, 1, 1)), dt.date(2026, 1, 1))
    won_deal(rep, "10000", dt.date(2026, 3, 10))
    statement_services.statements_generate(period=MAR)
    ops = api_client_for(personas.sales_ops)
    statement = Statement.objects.get(person=rep)
    assert ops.post(f"/api/v1/compensation/statements/{statement.pk}/approve/").status_code == 200
    response = ops.get("/api/v1/compensation/statements/export/", {"period": MAR.name})
    assert response.status_code == 200
    row = response.content.decode().strip().splitlines()[1]
    assert "'=HYPERLINK(" in row  # a leading quote: the spreadsheet shows text, runs nothing
    assert ',"=HYPERLINK(' not in row and ",=HYPERLINK(" not in row
    assert str(Decimal(statement.payable).quantize(Decimal("0.01"))) in row


def test_the_meeting_load_and_attendees_are_documented_as_the_bare_arrays_they_return(
    personas, api_client_for
):
    client = api_client_for(personas.manager_a)
    schema = client.get(reverse("api-schema"), {"format": "json"}).json()
    meeting = meeting_with(personas.person("manager_a"), personas.person("rep_a1"))
    for path, url in (
        ("/api/v1/meetings/load/", "/api/v1/meetings/load/"),
        ("/api/v1/meetings/{id}/attendees/", f"/api/v1/meetings/{meeting.pk}/attendees/"),
    ):
        documented = schema["paths"][path]["get"]["responses"]["200"]["content"]
        assert documented["application/json"]["schema"]["type"] == "array"
        assert isinstance(json.loads(client.get(url).content), list)


def test_a_persons_work_start_and_empty_email_match_their_documented_formats(
    personas, api_client_for
):
    client = api_client_for(personas.sales_ops)
    schema = client.get(reverse("api-schema"), {"format": "json"}).json()
    person = schema["components"]["schemas"]["PersonOutput"]["properties"]
    rep = personas.person("rep_a1")
    rep.email = ""
    rep.save(update_fields=["email"])
    body = client.get(f"/api/v1/people/{rep.pk}/").json()
    assert body["email"] == ""
    assert {"type": "string", "maxLength": 0} in person["email"]["anyOf"]  # "" is allowed
    assert person["work_start"].get("format") != "time"  # a wall clock, no offset demanded
    assert body["work_start"][:5] == rep.work_start.strftime("%H:%M")

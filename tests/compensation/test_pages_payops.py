"""Pay operations pages (issue 19 item 5): search people, assign plans (person and team), set
quotas, CSV upload of quotas and assignments (dry run, row errors, all or nothing), bulk
approval with a summary, printable statements — and who may open them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from compensation.models import Dispute, PlanAssignment, Quota, Statement
from compensation.services import statements as svc
from salesops import calendar
from tests.compensation.factories import (
    MARGINAL_ATTAINMENT,
    approved_plan,
    assign,
    month_quota,
    won_deal,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("january_berlin")]
TODAY = dt.datetime(2026, 3, 20, 12, tzinfo=dt.UTC)
OPS_URLS = [
    "/compensation/ops/",
    "/compensation/ops/import/",
    "/compensation/ops/acknowledgements/",
]


def _csv(text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("upload.csv", text.encode(), content_type="text/csv")


@pytest.mark.parametrize("who", ["rep_a1", "outsider"])
@pytest.mark.parametrize("url", [*OPS_URLS[:2], "/compensation/statements/approve/"])
def test_reps_get_404_on_pay_operations(personas, client_for, who, url):
    client = client_for(getattr(personas, who))
    assert client.get(url).status_code == 404 or url.endswith("approve/")
    assert client.post(url, {"period": "FY2026-M03"}).status_code == 404


def test_manager_gets_404_on_pay_operations_but_sees_team_acknowledgements(personas, client_for):
    client = client_for(personas.manager_a)
    assert client.get("/compensation/ops/").status_code == 404
    assert client.post("/compensation/ops/quota/", {}).status_code == 404
    assert client.get("/compensation/ops/acknowledgements/").status_code == 200
    assert client_for(personas.rep_a1).get("/compensation/ops/acknowledgements/").status_code == 404


def test_sales_ops_searches_people_and_chooses_one(personas, client_for):
    client = client_for(personas.sales_ops)
    html = client.get("/compensation/ops/", {"q": "anna"}).content.decode()
    assert "Anna Rep" in html and "Bert Rep" not in html
    rep = personas.person("rep_b1")
    html = client.get("/compensation/ops/", {"person": rep.pk}).content.decode()
    assert f'value="{rep.pk}"' in html and "Set quota" in html


@time_machine.travel(TODAY, tick=False)
def test_people_search_shows_the_plan_each_is_on_today(personas, client_for):
    version = approved_plan("AE plan", MARGINAL_ATTAINMENT, dt.date(2026, 1, 1))
    assign(personas.person("rep_a1"), version, dt.date(2026, 1, 1))
    response = client_for(personas.sales_ops).get("/compensation/ops/", {"q": "rep"})
    plans = {p.name: plan for p, plan in response.context["rows"]}
    assert plans["Anna Rep"] == "AE plan" and plans["Bert Rep"] is None


@time_machine.travel(TODAY, tick=False)
def test_sales_ops_assigns_a_plan_to_a_whole_team_and_skips_who_is_already_on_one(
    personas, client_for
):
    version = approved_plan("AE plan", MARGINAL_ATTAINMENT, dt.date(2026, 1, 1))
    other = approved_plan("Other", MARGINAL_ATTAINMENT, dt.date(2026, 1, 1))
    assign(personas.person("rep_a2"), other, dt.date(2026, 1, 1))
    response = client_for(personas.sales_ops).post(
        "/compensation/ops/assign/",
        {"plan": version.plan_id, "team": personas.team_a.pk, "start": "2026-03-01"},
        follow=True,
    )
    assert response.status_code == 200
    on_plan = set(
        PlanAssignment.objects.filter(plan=version.plan).values_list("person__name", flat=True)
    )
    # team A and its sub-team A East, except Arno (already on a plan)
    assert on_plan == {"Maria Manager", "Anna Rep", "Ava East"}
    html = response.content.decode()
    assert "Arno Rep: " in html and "3 of Team A assigned, 1 skipped" in html


def test_assign_form_needs_a_team_or_a_person_and_says_so_once(personas, client_for):
    version = approved_plan("AE plan", MARGINAL_ATTAINMENT, dt.date(2026, 1, 1))
    response = client_for(personas.sales_ops).post(
        "/compensation/ops/assign/", {"plan": version.plan_id, "start": "2026-03-01"}
    )
    assert response.status_code == 400
    assert response.content.decode().count("Choose a team, or pick one person") == 1


def test_assigning_over_an_existing_assignment_is_a_field_error(personas, client_for):
    version = approved_plan("AE plan", MARGINAL_ATTAINMENT, dt.date(2026, 1, 1))
    rep = personas.person("rep_a1")
    assign(rep, version, dt.date(2026, 1, 1))
    response = client_for(personas.sales_ops).post(
        "/compensation/ops/assign/",
        {"plan": version.plan_id, "person": rep.pk, "start": "2026-03-01"},
    )
    assert response.status_code == 400
    assert "already on a plan" in str(response.context["assign_form"].errors["start"])


def test_sales_ops_sets_a_quarter_quota_from_the_page(personas, client_for):
    rep = personas.person("rep_a1")
    response = client_for(personas.sales_ops).post(
        "/compensation/ops/quota/",
        {"person": rep.pk, "metric": "revenue", "period": "FY2026-Q1", "amount": "300000"},
    )
    assert response.status_code == 302
    amounts = list(Quota.objects.filter(person=rep).values_list("amount", flat=True))
    assert amounts == [D("100000.00")] * 3


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("1000000000000", "a quota is at most 999,999,999,999.99"),
        ("99999999999999999999", "a quota is at most 999,999,999,999.99"),
        ("-5", "A quota cannot be negative."),
    ],
)
def test_quota_form_bounds_the_amount_at_the_field(personas, client_for, amount, message):
    rep = personas.person("rep_a1")
    response = client_for(personas.sales_ops).post(
        "/compensation/ops/quota/",
        {"person": rep.pk, "metric": "revenue", "period": "FY2026-M03", "amount": amount},
    )
    assert response.status_code == 400
    assert message in " ".join(response.context["quota_form"].errors["amount"])
    assert not Quota.objects.filter(person=rep).exists()


def test_quota_csv_dry_run_reports_nothing_changed_then_apply_writes(personas, client_for):
    client = client_for(personas.sales_ops)
    text = "person,metric,period,amount\nAnna Rep,revenue,FY2026-M03,100000\n"
    text += f"{personas.person('rep_b1').email},,FY2026-Q1,300000\n"
    response = client.post(
        "/compensation/ops/import/", {"kind": "quotas", "file": _csv(text), "dry_run": "on"}
    )
    assert response.status_code == 200
    assert "all 2 rows are valid" in response.content.decode()
    assert not Quota.objects.exists()
    carry = response.context["carry"]
    assert carry
    response = client.post("/compensation/ops/import/", {"kind": "quotas", "content": carry})
    assert response.status_code == 200 and response.context["report"].applied
    assert Quota.objects.filter(person__name="Anna Rep").get().amount == D("100000.00")
    assert Quota.objects.filter(person__name="Bert Rep").count() == 3


def test_quota_csv_with_a_bad_row_reports_each_row_and_changes_nothing(personas, client_for):
    text = (
        "person,metric,period,amount\n"
        "Anna Rep,revenue,FY2026-M03,100000\n"
        "Nobody Here,revenue,FY2026-M03,5\n"
        "Bert Rep,revenue,FY2026-M99,5\n"
        "Arno Rep,revenue,FY2026-M03,1000000000000\n"
        "Ava East,bananas,FY2026-M03,5\n"
    )
    response = client_for(personas.sales_ops).post(
        "/compensation/ops/import/", {"kind": "quotas", "file": _csv(text)}
    )
    assert response.status_code == 400
    errors = {(r.line, r.column) for r in response.context["report"].errors}
    assert errors == {(3, "person"), (4, "period"), (5, "amount"), (6, "metric")}
    assert "a quota is at most 999,999,999,999.99" in response.content.decode()
    assert not Quota.objects.exists()  # all or nothing: Anna's good row is not applied either


def test_assignment_csv_applies_and_reports_overlaps(personas, client_for):
    version = approved_plan("AE plan", MARGINAL_ATTAINMENT, dt.date(2026, 1, 1))
    text = (
        "person,plan,start,end,target_incentive\n"
        "Anna Rep,AE plan,2026-01-01,,60000\n"
        "Anna Rep,AE plan,2026-06-01,,\n"
        "Bert Rep,No such plan,2026-01-01,,\n"
        "Arno Rep,ae plan,2026-13-01,,\n"
    )
    client = client_for(personas.sales_ops)
    report = client.post(
        "/compensation/ops/import/", {"kind": "assignments", "file": _csv(text)}
    ).context["report"]
    assert [(r.line, r.column) for r in report.errors] == [
        (3, "start"),
        (4, "plan"),
        (5, "start"),
    ]
    assert not PlanAssignment.objects.exists()
    good = "person,plan,start,end,target_incentive\nAnna Rep,AE plan,2026-01-01,,60000\n"
    report = client.post(
        "/compensation/ops/import/", {"kind": "assignments", "file": _csv(good)}
    ).context["report"]
    assert report.applied
    assignment = PlanAssignment.objects.get()
    assert assignment.plan_id == version.plan_id and assignment.target_incentive == D("60000")


def test_csv_upload_is_bounded_and_names_missing_columns(personas, client_for, settings):
    client = client_for(personas.sales_ops)
    response = client.post(
        "/compensation/ops/import/", {"kind": "quotas", "file": _csv("person,amount\nA,1\n")}
    )
    assert "Missing column(s): period" in response.content.decode()
    settings.IMPORT_MAX_UPLOAD_BYTES = 10
    response = client.post(
        "/compensation/ops/import/",
        {"kind": "quotas", "file": _csv("person,metric,period,amount\n")},
    )
    assert response.status_code == 200
    assert "larger than 10 bytes" in str(response.context["form"].errors["file"])


def test_import_error_report_downloads_as_spreadsheet_safe_csv(personas, client_for):
    text = "person,metric,period,amount\n=HYPERLINK(1),revenue,FY2026-M03,5\n"
    response = client_for(personas.sales_ops).post(
        "/compensation/ops/import/errors.csv", {"kind": "quotas", "file": _csv(text)}
    )
    body = response.content.decode()
    assert response["Content-Type"] == "text/csv"
    assert "'=HYPERLINK(1)" in body and "No active person" in body


@pytest.fixture
def drafts(personas):
    mar = calendar.month_containing(dt.date(2026, 3, 15))
    version = approved_plan("Accelerated", MARGINAL_ATTAINMENT, dt.date(2026, 1, 1))
    for name in ("rep_a1", "rep_a2", "rep_b1"):
        person = personas.person(name)
        assign(person, version, dt.date(2026, 1, 1))
        month_quota(person, mar, "100000")
        won_deal(person, "150000", dt.date(2026, 3, 10))
    svc.statements_generate(period=mar)
    return mar


@time_machine.travel(TODAY, tick=False)
def test_bulk_approval_shows_a_summary_first_then_approves_through_the_services(
    personas, client_for, drafts
):
    disputed = Statement.objects.get(person__name="Arno Rep")
    Dispute.objects.create(
        statement=disputed,
        line=disputed.lines.first(),
        line_description="x",
        line_amount=D(1),
        comment="wrong",
    )
    client = client_for(personas.sales_ops)
    preview = client.post("/compensation/statements/approve/", {"period": drafts.key})
    summary = preview.context["summary"]
    assert (summary.approved, summary.total_payable) == (2, D("16500.00"))
    assert [e.reason for e in summary.exceptions] == ["has an open dispute"]
    assert not Statement.objects.exclude(status="draft").exists()  # nothing locked yet
    ids = preview.context["ids"]
    done = client.post("/compensation/statements/approve/", {"statements": ids, "confirm": "1"})
    summary = done.context["summary"]
    assert (summary.approved, summary.total_payable) == (2, D("16500.00"))
    assert set(
        Statement.objects.filter(status="approved").values_list("person__name", flat=True)
    ) == {
        "Anna Rep",
        "Bert Rep",
    }
    # approving again: both are exceptions now, nothing counted twice
    again = client.post("/compensation/statements/approve/", {"statements": ids, "confirm": "1"})
    assert again.context["summary"].approved == 0
    assert len(again.context["summary"].exceptions) == 3


def test_bulk_approval_without_a_selection_says_what_to_do(personas, client_for):
    response = client_for(personas.sales_ops).post(
        "/compensation/statements/approve/", {}, follow=True
    )
    assert "Tick statements, or give a month" in response.content.decode()


@time_machine.travel(TODAY, tick=False)
def test_printable_statement_follows_pay_scope(personas, client_for, drafts):
    statement = Statement.objects.get(person__name="Anna Rep")
    url = f"/compensation/statements/{statement.pk}/print/"
    for who in ("rep_a1", "manager_a", "sales_ops", "admin"):
        response = client_for(getattr(personas, who)).get(url)
        assert response.status_code == 200, who
        assert "8,250.00" in response.content.decode() and "print.css" in response.content.decode()
    for who in ("rep_a2", "manager_b", "outsider"):
        assert client_for(getattr(personas, who)).get(url).status_code == 404, who


@pytest.mark.parametrize("who", ["rep_a1", "manager_a", "outsider"])
@pytest.mark.parametrize(
    "url",
    [
        "/compensation/ops/assign/",
        "/compensation/ops/quota/",
        "/compensation/ops/import/",
        "/compensation/ops/import/errors.csv",
        "/compensation/statements/approve/",
    ],
)
def test_pay_operation_writes_are_404_outside_sales_ops(personas, client_for, who, url):
    version = approved_plan("AE plan", MARGINAL_ATTAINMENT, dt.date(2026, 1, 1))
    rep = personas.person("rep_a1")
    data = {
        "plan": version.plan_id,
        "person": rep.pk,
        "start": "2026-03-01",
        "metric": "revenue",
        "period": "FY2026-M03",
        "amount": "5",
        "kind": "quotas",
        "file": _csv("person,metric,period,amount\nAnna Rep,revenue,FY2026-M03,5\n"),
        "confirm": "1",
    }
    assert client_for(getattr(personas, who)).post(url, data).status_code == 404
    assert not PlanAssignment.objects.exists() and not Quota.objects.exists()

"""Generating a month's drafts from the statements page is a Celery task tracked by a JobRun
(issue 23 item 4): the request only queues it, the run's page shows the progress partial, a
duplicate delivery does nothing, and only sales ops/admin may start or watch it."""

from __future__ import annotations

import datetime as dt
import time
from decimal import Decimal as D

import pytest
from django.core.management import call_command

from compensation.models import Statement
from compensation.services import statements as svc
from compensation.services.jobs import (
    GENERATE_JOB,
    statements_generate_request,
    statements_generate_run,
)
from salesops import calendar
from salesops.models import JobRun, JobStatus
from salesops.services.jobs import job_runs_to_requeue, job_task_for
from tests.compensation.factories import (
    MARGINAL_ATTAINMENT,
    approved_plan,
    assign,
    month_quota,
    won_deal,
)

MAR = calendar.month_containing(dt.date(2026, 3, 15))
REPS = ("rep_a1", "rep_a2", "rep_b1")


def _plans(personas) -> None:
    version = approved_plan("Accelerated", MARGINAL_ATTAINMENT, dt.date(2026, 1, 1))
    for name in REPS:
        person = personas.person(name)
        assign(person, version, dt.date(2026, 1, 1))
        month_quota(person, MAR, "100000")
        won_deal(person, "150000", dt.date(2026, 3, 10))


@pytest.mark.django_db
def test_the_button_queues_a_run_and_the_worker_drafts_with_progress(personas, client_for):
    _plans(personas)
    client = client_for(personas.sales_ops)
    response = client.post("/compensation/statements/generate/", {"period": MAR.name})
    run = JobRun.objects.get(job=GENERATE_JOB, partition=MAR.name)
    assert response.status_code == 302
    assert response.url == f"/compensation/statements/generate/{run.pk}/"
    # Nothing was computed in the request: a worker does it.
    assert not Statement.objects.exists()
    page = client.get(response.url).content.decode()
    assert 'data-testid="progress"' in page and "Queued: waiting for a worker" in page
    assert f'hx-get="/compensation/statements/generate/{run.pk}/progress/"' in page

    done = statements_generate_run(business_date=run.business_date, period_key=MAR.name)
    assert done is not None and done.pk == run.pk
    run.refresh_from_db()
    assert run.status == JobStatus.SUCCESS and run.rows == 3
    assert run.progress_done == run.progress_total == 3  # the three people on a plan
    assert run.requested_by_id == personas.sales_ops.pk
    assert Statement.objects.filter(period_start=MAR.start).count() == 3
    # The poll tells the page to reload; the page then shows the outcome.
    poll = client.get(f"/compensation/statements/generate/{run.pk}/progress/")
    assert poll["HX-Refresh"] == "true"
    page = client.get(response.url).content.decode()
    assert "3 statements created or updated" in page and 'hx-get="' not in page


@pytest.mark.django_db
def test_a_duplicate_delivery_does_nothing_and_a_double_click_queues_once(personas):
    _plans(personas)
    first = statements_generate_request(period=MAR, user=personas.sales_ops)
    again = statements_generate_request(period=MAR, user=personas.sales_ops)
    assert again.pk == first.pk and JobRun.objects.filter(job=GENERATE_JOB).count() == 1
    assert statements_generate_run(business_date=first.business_date, period_key=MAR.name)
    assert statements_generate_run(business_date=first.business_date, period_key=MAR.name) is None
    first.refresh_from_db()
    assert first.attempts == 1 and first.status == JobStatus.SUCCESS


@pytest.mark.django_db
def test_generating_again_the_same_day_requeues_the_run_and_stays_idempotent(personas, client_for):
    _plans(personas)
    run = statements_generate_request(period=MAR, user=personas.sales_ops)
    statements_generate_run(business_date=run.business_date, period_key=MAR.name)
    payable = sorted(Statement.objects.values_list("payable", flat=True))
    again = statements_generate_request(period=MAR, user=personas.admin)
    assert again.pk == run.pk and again.rerun_pending
    page = client_for(personas.sales_ops).get(f"/compensation/statements/generate/{run.pk}/")
    assert "Queued: waiting for a worker" in page.content.decode()
    statements_generate_run(business_date=run.business_date, period_key=MAR.name)
    run.refresh_from_db()
    assert run.status == JobStatus.SUCCESS and run.attempts == 2 and not run.rerun_pending
    assert run.rows == 0  # the drafts did not change: nothing was written again
    assert sorted(Statement.objects.values_list("payable", flat=True)) == payable


@pytest.mark.django_db
def test_only_sales_ops_and_admin_start_or_watch_a_generation(personas, client_for):
    _plans(personas)
    run = statements_generate_request(period=MAR, user=personas.sales_ops)
    for who in ("rep_a1", "manager_a"):
        client = client_for(getattr(personas, who))
        url = "/compensation/statements/generate/"
        assert client.post(url, {"period": MAR.name}).status_code == 404
        assert client.get(f"{url}{run.pk}/").status_code == 404
        assert client.get(f"{url}{run.pk}/progress/").status_code == 404
    assert JobRun.objects.filter(job=GENERATE_JOB).count() == 1
    page = client_for(personas.admin).get(f"/compensation/statements/generate/{run.pk}/")
    assert page.status_code == 200


@pytest.mark.django_db
def test_the_sweeper_requeues_a_generation_whose_message_was_lost(personas):
    run = statements_generate_request(period=MAR, user=personas.sales_ops)
    target = (
        "compensation.statements_generate_task",
        {
            "business_date": run.business_date.isoformat(),
            "period": MAR.name,
        },
    )
    assert job_task_for(job=GENERATE_JOB, business_date=run.business_date, partition=MAR.name) == (
        target
    )
    assert target in job_runs_to_requeue()


@pytest.mark.django_db
def test_progress_callback_counts_every_person(personas):
    _plans(personas)
    calls: list[tuple[int, int]] = []
    svc.statements_generate(period=MAR, progress=lambda done, total: calls.append((done, total)))
    assert calls == [(0, 3), (1, 3), (2, 3), (3, 3)]


@pytest.mark.django_db
def test_the_command_drafts_a_month_and_reports_counts(personas, capsys):
    _plans(personas)
    call_command("generate_statements", "--period", MAR.name, verbosity=1)
    out, err = capsys.readouterr()
    assert f"{MAR.name}: 3 created, 0 updated, 0 unchanged, 0 locked, 0 skipped, 0 failed." in out
    assert "3/3" in err  # the tqdm bar on stderr
    assert Statement.objects.get(
        person=personas.person("rep_a1"), period_start=MAR.start
    ).payable > D(0)


@pytest.mark.celery
def test_a_real_worker_generates_the_drafts_the_page_asked_for(personas, celery_worker, client_for):
    _plans(personas)
    client_for(personas.sales_ops).post("/compensation/statements/generate/", {"period": MAR.name})
    deadline = time.monotonic() + 60
    while not JobRun.objects.filter(job=GENERATE_JOB, status=JobStatus.SUCCESS).exists():
        assert time.monotonic() < deadline, "the worker did not finish in time"
        time.sleep(0.2)
    run = JobRun.objects.get(job=GENERATE_JOB)
    assert run.rows == 3 and run.progress_done == run.progress_total == 3
    assert Statement.objects.filter(period_start=MAR.start).count() == 3

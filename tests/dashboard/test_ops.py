from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from salesops import calendar
from salesops.models import ImportRun, JobRun, JobStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def runs() -> dict[str, JobRun]:
    now = timezone.now()
    ok = JobRun.objects.create(
        job="efficiency_snapshots_compute",
        business_date=dt.date(2026, 3, 19),
        status=JobStatus.SUCCESS,
        started_at=now - dt.timedelta(seconds=90),
        finished_at=now,
        rows=1234,
    )
    failed = JobRun.objects.create(
        job="meetings_reminders_send",
        business_date=dt.date(2026, 3, 19),
        status=JobStatus.FAILED,
        started_at=now,
        finished_at=now,
        error="connection refused by smtp.example.com",
    )
    running = JobRun.objects.create(
        job="efficiency_snapshots_compute",
        business_date=dt.date(2026, 3, 20),
        partition="team:1",
        status=JobStatus.RUNNING,
        started_at=now,
    )
    return {"ok": ok, "failed": failed, "running": running}


@pytest.mark.parametrize("name", ["manager_a", "rep_a1", "outsider"])
def test_ops_page_is_404_for_everyone_but_sales_ops_and_admin(
    personas: Any, client_for: Any, runs: Any, name: str
) -> None:
    client = client_for(getattr(personas, name))
    assert client.get("/ops/").status_code == 404
    run = runs["ok"]
    response = client.post("/ops/jobs/rerun/", {"job": run.job, "business_date": "2026-03-19"})
    assert response.status_code == 404
    run.refresh_from_db()
    assert run.status == JobStatus.SUCCESS


@pytest.mark.parametrize("name", ["sales_ops", "admin"])
def test_ops_page_lists_runs_with_duration_rows_and_error(
    personas: Any, client_for: Any, runs: Any, name: str
) -> None:
    response = client_for(getattr(personas, name)).get("/ops/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "90.0 s" in html and "1234" in html
    assert "connection refused by smtp.example.com" in html
    assert html.count("Re-run</button>") == 2  # not for the running one
    summaries = {s.job: s for s in response.context["summaries"]}
    assert summaries["efficiency_snapshots_compute"].runs == 2
    assert summaries["meetings_reminders_send"].failed == 1


def test_ops_filters_runs_by_job_and_status(personas: Any, client_for: Any, runs: Any) -> None:
    client = client_for(personas.sales_ops)
    assert [r.pk for r in client.get("/ops/", {"status": "failed"}).context["runs"]] == [
        runs["failed"].pk
    ]
    by_job = client.get("/ops/", {"job": "efficiency_snapshots_compute"}).context["runs"]
    assert {r.pk for r in by_job} == {runs["ok"].pk, runs["running"].pk}


def test_rerun_button_makes_a_finished_run_claimable_again_without_changing_it(
    personas: Any, client_for: Any, runs: Any
) -> None:
    from salesops.services.jobs import job_claim

    run = runs["ok"]
    run.job = "efficiency_snapshots"  # a job a task runs (tests/salesops/test_jobs_rerun.py)
    run.save()
    assert job_claim(job=run.job, business_date=run.business_date, heartbeat=False) is None
    response = client_for(personas.sales_ops).post(
        "/ops/jobs/rerun/", {"job": run.job, "business_date": "2026-03-19", "partition": ""}
    )
    assert response.status_code == 302
    run.refresh_from_db()
    assert run.status == JobStatus.SUCCESS and run.rerun_pending
    assert run.requested_by_id == personas.sales_ops.pk
    claimed = job_claim(job=run.job, business_date=run.business_date, heartbeat=False)
    assert claimed is not None and claimed.trigger == "ops"


def test_rerun_of_a_running_job_changes_nothing(personas: Any, client_for: Any, runs: Any) -> None:
    run = runs["running"]
    client = client_for(personas.sales_ops)
    response = client.post(
        "/ops/jobs/rerun/",
        {"job": run.job, "business_date": "2026-03-20", "partition": "team:1"},
        follow=True,
    )
    assert "nothing to re-run" in response.content.decode()
    run.refresh_from_db()
    assert run.status == JobStatus.RUNNING
    assert client.post("/ops/jobs/rerun/", {"job": run.job}).status_code == 400
    assert client.get("/ops/jobs/rerun/").status_code == 405


def test_import_history_and_report(personas: Any, client_for: Any) -> None:
    run = ImportRun.objects.create(
        user=personas.sales_ops,
        status="partial",
        error_count=1,
        warning_count=2,
        report={
            "summary": [
                {
                    "file": "opportunities",
                    "entity": "deal",
                    "rows": 10,
                    "created": 9,
                    "updated": 0,
                    "unchanged": 0,
                    "errors": 1,
                    "warnings": 2,
                },
            ],
            "files": {
                "opportunities": {
                    "name": "sales_pipeline.csv",
                    "issues": [
                        {
                            "level": "error",
                            "file": "sales_pipeline.csv",
                            "line": 7,
                            "column": "deal_stage",
                            "reason": "unknown stage",
                            "value": "Dormant",
                            "count": 1,
                        },
                    ],
                    "issues_left_off": 0,
                },
            },
        },
    )
    client = client_for(personas.sales_ops)
    html = client.get("/ops/").content.decode()
    assert f"/ops/imports/{run.pk}/" in html and "Imported with errors" in html
    detail = client.get(f"/ops/imports/{run.pk}/").content.decode()
    assert 'data-testid="import-summary"' in detail
    assert "unknown stage" in detail and "<code>Dormant</code>" in detail
    assert "sales_pipeline.csv" in detail
    assert client_for(personas.manager_a).get(f"/ops/imports/{run.pk}/").status_code == 404
    assert client_for(personas.sales_ops).get("/ops/imports/999999/").status_code == 404


def test_empty_ops_page_tells_what_to_do_next(personas: Any, client_for: Any) -> None:
    html = client_for(personas.sales_ops).get("/ops/").content.decode()
    assert 'data-testid="jobs-empty"' in html and 'data-testid="imports-empty"' in html


def test_empty_job_list_says_when_the_nightly_run_is_due_not_that_the_worker_is_down(
    personas: Any, client_for: Any
) -> None:
    # 11:00 UTC on Friday 2026-03-20 is 12:00 in Berlin: the next nightly run is Saturday 01:30.
    with time_machine.travel(dt.datetime(2026, 3, 20, 11, 0, tzinfo=dt.UTC), tick=False):
        html = client_for(personas.sales_ops).get("/ops/").content.decode()
    empty = html[html.index('data-testid="jobs-empty"') :].split("</div>")[0]
    assert "No background job has run yet" in empty
    assert "Start the worker" not in html
    # The beat runs in the company zone (Los Angeles too: 04:00 there, next 01:30 is Saturday).
    assert f"2026-03-21 01:30 ({calendar.company_zone().key})" in empty


def test_a_command_line_run_is_listed_like_a_nightly_one_with_its_trigger(
    personas: Any, client_for: Any, runs: Any
) -> None:
    call_command("compute_efficiency", "--as-of", "2026-03-21", verbosity=0)
    response = client_for(personas.sales_ops).get("/ops/")
    html = response.content.decode()
    rows = {(r.job, r.business_date): r for r in response.context["runs"]}
    assert rows[("efficiency_snapshots", dt.date(2026, 3, 21))].status == JobStatus.SUCCESS
    row = html[html.index('data-job="efficiency_snapshots"') :].split("</tr>")[0]
    assert "2026-03-21" in row and "Command line" in row
    nightly = html[html.index('data-job="meetings_reminders_send"') :].split("</tr>")[0]
    assert "Celery worker" in nightly
    assert "efficiency_snapshots" in {s.job for s in response.context["summaries"]}


def test_each_run_on_ops_opens_its_run_page(personas: Any, client_for: Any, runs: Any) -> None:
    client = client_for(personas.sales_ops)
    html = client.get("/ops/").content.decode()
    for run in runs.values():
        link = f'<a href="/jobs/{run.pk}/" data-testid="job-run-link">{run.job}</a>'
        assert link in html
        assert client.get(f"/jobs/{run.pk}/").status_code == 200

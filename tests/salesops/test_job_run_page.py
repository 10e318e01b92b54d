"""The page of one background run (/jobs/<id>/, issue 23 item 4): an efficiency run or backfill
date started from /ops/ or the command line shows its progress from the JobRun while it runs
(a fan-out run: its partitions refreshed), then its outcome; sales ops and admin only."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from salesops.models import JobRun, JobStatus
from salesops.services.efficiency import JOB, PARTITION_JOB
from salesops.services.efficiency.daily import partition_names

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 3, 19)


def _run(job: str, partition: str = "", status: str = JobStatus.RUNNING, **kw) -> JobRun:
    now = timezone.now()
    return JobRun.objects.create(
        job=job,
        business_date=DAY,
        partition=partition,
        status=status,
        started_at=now,
        deadline=now + dt.timedelta(minutes=2),
        finished_at=None if status == JobStatus.RUNNING else now,
        **kw,
    )


def test_a_fanned_out_efficiency_run_shows_its_partitions_refreshed(personas, client_for):
    run = _run(JOB)
    names = partition_names()
    assert len(names) >= 2  # the personas' root teams and "no team"
    _run(PARTITION_JOB, names[0], JobStatus.SUCCESS)
    _run(PARTITION_JOB, names[1])
    client = client_for(personas.sales_ops)
    page = client.get(f"/jobs/{run.pk}/").content.decode()
    assert f"· 1 of {len(names)}" in page
    assert f'hx-get="/jobs/{run.pk}/progress/"' in page
    poll = client.get(f"/jobs/{run.pk}/progress/")
    assert "HX-Refresh" not in poll and f"1 of {len(names)}" in poll.content.decode()


def test_a_run_that_writes_progress_shows_it_and_a_finished_run_reloads(personas, client_for):
    run = _run("compensation.statements_generate", "FY2026-M03", progress_done=40)
    JobRun.objects.filter(pk=run.pk).update(progress_total=160)
    client = client_for(personas.admin)
    assert "· 40 of 160 (25 %)" in client.get(f"/jobs/{run.pk}/").content.decode()
    JobRun.objects.filter(pk=run.pk).update(
        status=JobStatus.SUCCESS, finished_at=timezone.now(), rows=7
    )
    assert client.get(f"/jobs/{run.pk}/progress/")["HX-Refresh"] == "true"
    page = client.get(f"/jobs/{run.pk}/").content.decode()
    assert 'data-testid="job-run-result"' in page and "7 rows" in page
    assert 'hx-get="' not in page


def test_only_sales_ops_and_admin_open_a_run(personas, client_for):
    run = _run(JOB)
    for who in ("rep_a1", "manager_a"):
        client = client_for(getattr(personas, who))
        assert client.get(f"/jobs/{run.pk}/").status_code == 404
        assert client.get(f"/jobs/{run.pk}/progress/").status_code == 404
    assert client_for(personas.sales_ops).get("/jobs/999999/").status_code == 404

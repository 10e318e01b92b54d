"""Expected runs of the other scheduled jobs (issue 21 item 2): a business date whose statement
regeneration never ran, or a closed month without its period-close reminder, is recorded as
missing by the sweeper, queued at once, and listed on /ops/."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from dashboard.ops import jobs_needing_attention
from salesops import calendar
from salesops.models import JobRun, JobStatus
from salesops.services.jobs import (
    MISSING_RUN_ERROR,
    job_missing_runs_create,
    job_runs_to_requeue,
)

pytestmark = pytest.mark.django_db
REGENERATE = "compensation.statements_regenerate"
REMIND = "compensation.period_close_remind"


def _done(job: str, day: dt.date, partition: str = "") -> None:
    at = calendar.company_midnight(day) + dt.timedelta(hours=3)
    JobRun.objects.create(
        job=job,
        business_date=day,
        partition=partition,
        status=JobStatus.SUCCESS,
        started_at=at,
        finished_at=at,
    )


def test_a_day_without_its_statement_regeneration_is_recorded_and_queued():
    today = dt.date(2026, 4, 12)
    _done(REGENERATE, dt.date(2026, 4, 9))
    _done(REGENERATE, dt.date(2026, 4, 11))
    now = calendar.company_midnight(today) + dt.timedelta(hours=10)
    with time_machine.travel(now, tick=False):
        missing = job_missing_runs_create()
        queued = job_runs_to_requeue()
    assert (REGENERATE, dt.date(2026, 4, 10), "") in missing
    assert (REGENERATE, today, "") in missing  # 02:30 today has passed
    gap = JobRun.objects.get(job=REGENERATE, business_date=dt.date(2026, 4, 10))
    assert gap.status == JobStatus.FAILED and gap.error == MISSING_RUN_ERROR
    assert gap.attempts == 0 and gap.trigger == "sweeper"
    task = "compensation.statements_regenerate_open_task"
    assert (task, {"business_date": "2026-04-10"}) in queued
    assert (task, {"business_date": "2026-04-12"}) in queued
    # Recording twice records nothing new.
    with time_machine.travel(now, tick=False):
        assert [m for m in job_missing_runs_create() if m[0] == REGENERATE] == []


def test_a_closed_month_without_its_reminder_is_missing():
    month = calendar.period_containing(dt.date(2026, 5, 20), calendar.MONTH)
    closed = month.previous()
    earlier = closed.previous()
    _done(REMIND, closed.start, partition=earlier.key)  # the reminder ran a month before
    now = calendar.company_midnight(month.start) + dt.timedelta(hours=9)
    with time_machine.travel(now, tick=False):
        missing = job_missing_runs_create()
        queued = job_runs_to_requeue()
    assert (REMIND, month.start, closed.key) in missing
    assert ("compensation.period_close_remind_task", {"business_date": str(month.start)}) in queued


def test_nothing_is_missing_before_a_jobs_first_run_or_before_its_time():
    today = dt.date(2026, 4, 12)
    _done(REGENERATE, dt.date(2026, 4, 11))
    early = calendar.company_midnight(today) + dt.timedelta(hours=2)  # before 02:30 + grace
    with time_machine.travel(early, tick=False):
        assert job_missing_runs_create() == []
    assert JobRun.objects.count() == 1


def test_ops_lists_a_missing_run(personas):
    today = dt.date(2026, 4, 12)
    _done(REGENERATE, dt.date(2026, 4, 10))
    now = calendar.company_midnight(today) + dt.timedelta(hours=10)
    with time_machine.travel(now, tick=False):
        job_missing_runs_create()
        items = jobs_needing_attention(user=personas.sales_ops)
    problems = {(i.job, i.business_date, i.problem) for i in items}
    assert (REGENERATE, dt.date(2026, 4, 11), "missing") in problems

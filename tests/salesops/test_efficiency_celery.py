"""The nightly task through a real Celery worker on the real Redis; JobRun claims; DST nights."""

from __future__ import annotations

import datetime as dt
import time
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone

from salesops.models import EfficiencySnapshot, JobRun, JobStatus
from salesops.services.efficiency import (
    JOB,
    efficiency_runs_to_sweep,
    efficiency_snapshots_compute,
    nightly_business_date,
)
from salesops.tasks import (
    efficiency_runs_sweep_task,
    efficiency_snapshots_compute_task,
    ping_task,
)
from tests.salesops.test_efficiency_support import cost, table, won

AS_OF = dt.date(2026, 4, 10)


def _drain() -> None:
    """The solo worker handles messages in order: once a ping returns, earlier ones are done."""
    assert ping_task.delay().get(timeout=60) == "pong"


def _wait_for_success(as_of: dt.date, timeout: float = 60) -> JobRun:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = JobRun.objects.filter(job=JOB, business_date=as_of).first()
        if run is not None and run.status == JobStatus.SUCCESS:
            return run
        time.sleep(0.2)
    raise AssertionError(f"no successful run for {as_of}: {run}")


def _data(personas):
    for name in ("rep_a1", "rep_a3", "rep_b1", "outsider"):
        person = personas.person(name)
        won(person, "1000", dt.date(2026, 3, 5))
        cost("400", dt.date(2026, 3, 6), person=person)
    cost("50", dt.date(2026, 4, 1), team=personas.team_a_east, category="tools")


@pytest.mark.celery
@pytest.mark.usefixtures("january_berlin")  # dates are worked examples of the January calendar
def test_task_on_a_real_worker_writes_the_snapshots(celery_worker, personas):
    _data(personas)
    efficiency_snapshots_compute_task.delay(as_of=AS_OF.isoformat())
    run = _wait_for_success(AS_OF)
    assert run.rows > 0
    company = EfficiencySnapshot.objects.get(
        scope_type="company", period="month", period_start=dt.date(2026, 3, 1)
    )
    assert (company.revenue, company.cost, company.ratio) == (4000, 1600, Decimal("250.0000"))


@pytest.mark.celery
def test_two_deliveries_of_a_business_date_run_once(celery_worker, personas):
    _data(personas)
    efficiency_snapshots_compute_task.delay(as_of=AS_OF.isoformat())
    efficiency_snapshots_compute_task.delay(as_of=AS_OF.isoformat())
    _drain()
    runs = JobRun.objects.filter(job=JOB, business_date=AS_OF)
    assert [(r.status, r.attempts) for r in runs] == [(JobStatus.SUCCESS, 1)]
    keys = EfficiencySnapshot.objects.values_list(
        "scope_type", "scope_id", "scope_key", "period", "period_start", "period_end"
    )
    assert len(keys) == len(set(keys)) > 0


@pytest.mark.celery
def test_fan_out_over_partitions_gives_the_same_snapshots_as_one_worker(celery_worker, personas):
    from salesops.services.people import person_move_team

    _data(personas)
    person_move_team(person=personas.person("rep_a1"), team=personas.team_b, on=dt.date(2026, 3, 6))
    won(personas.person("sales_ops"), "77", dt.date(2026, 4, 2))  # a person without a team
    efficiency_snapshots_compute(as_of=AS_OF, full=True)
    single = table()
    EfficiencySnapshot.objects.all().delete()

    efficiency_snapshots_compute_task.delay(as_of=AS_OF.isoformat(), full=True, fanout=True)
    _wait_for_success(AS_OF)
    assert table() == single

    # And incrementally after a change, still identical to a full single-worker run.
    won(personas.person("rep_b1"), "5", dt.date(2026, 4, 9))
    day = AS_OF + dt.timedelta(days=1)
    efficiency_snapshots_compute_task.delay(as_of=day.isoformat(), fanout=True)
    _wait_for_success(day)
    fanned = table()
    efficiency_snapshots_compute(as_of=day, full=True)
    assert table() == fanned


@pytest.mark.celery
def test_sweeper_reruns_a_run_whose_worker_died(celery_worker, personas):
    _data(personas)
    with time_machine.travel(dt.datetime(2026, 4, 11, 8, 0, tzinfo=dt.UTC), tick=True):
        JobRun.objects.create(
            job=JOB,
            business_date=AS_OF,
            status=JobStatus.RUNNING,
            started_at=timezone.now() - dt.timedelta(hours=3),
            deadline=timezone.now() - dt.timedelta(hours=2),
        )
        assert efficiency_runs_to_sweep() == [AS_OF]
        efficiency_runs_sweep_task.delay()
        run = _wait_for_success(AS_OF)
    assert run.attempts == 2
    assert EfficiencySnapshot.objects.filter(period_end=AS_OF, period="day").exists()


@pytest.mark.django_db
def test_a_running_or_succeeded_date_is_not_swept(personas):
    now = timezone.now()
    today = nightly_business_date(now)
    JobRun.objects.create(
        job=JOB,
        business_date=today,
        status=JobStatus.RUNNING,
        started_at=now,
        deadline=now + dt.timedelta(hours=1),
    )
    JobRun.objects.create(
        job=JOB,
        business_date=today - dt.timedelta(days=1),
        status=JobStatus.SUCCESS,
        started_at=now,
    )
    assert efficiency_runs_to_sweep() == []


@pytest.mark.parametrize(
    ("instant", "business_date"),
    [
        # Spring forward in Berlin (02:00 → 03:00 on 29 March 2026): 01:30 CET = 00:30 UTC.
        (dt.datetime(2026, 3, 29, 0, 30, tzinfo=dt.UTC), dt.date(2026, 3, 28)),
        (dt.datetime(2026, 3, 29, 1, 30, tzinfo=dt.UTC), dt.date(2026, 3, 28)),  # 03:30 CEST
        # Fall back (03:00 → 02:00 on 25 October 2026): 02:30 happens twice.
        (dt.datetime(2026, 10, 25, 0, 30, tzinfo=dt.UTC), dt.date(2026, 10, 24)),  # 02:30 CEST
        (dt.datetime(2026, 10, 25, 1, 30, tzinfo=dt.UTC), dt.date(2026, 10, 24)),  # 02:30 CET
        (dt.datetime(2026, 10, 24, 23, 30, tzinfo=dt.UTC), dt.date(2026, 10, 24)),  # 01:30 CEST
    ],
)
@pytest.mark.usefixtures("january_berlin")  # Berlin's DST nights
def test_nightly_business_date_is_the_company_day_that_ended(instant, business_date):
    assert nightly_business_date(instant) == business_date


@pytest.mark.django_db
@pytest.mark.parametrize(
    "instants",
    [
        # The repeated hour of the autumn change: a beat that fires "01:30" and again later in
        # the same night still computes 24 October exactly once.
        (
            dt.datetime(2026, 10, 24, 23, 30, tzinfo=dt.UTC),
            dt.datetime(2026, 10, 25, 0, 30, tzinfo=dt.UTC),
            dt.datetime(2026, 10, 25, 1, 30, tzinfo=dt.UTC),
        ),
        (
            dt.datetime(2026, 3, 29, 0, 30, tzinfo=dt.UTC),
            dt.datetime(2026, 3, 29, 1, 30, tzinfo=dt.UTC),
        ),
    ],
)
def test_daylight_saving_nights_run_exactly_once_per_business_date(personas, instants):
    won(personas.person("rep_a1"), "10", dt.date(2026, 3, 20))
    for instant in instants:
        with time_machine.travel(instant, tick=False):
            efficiency_snapshots_compute_task()  # as beat calls it: no date
    runs = JobRun.objects.filter(job=JOB)
    assert [(r.business_date, r.status, r.attempts) for r in runs] == [
        (nightly_business_date(instants[0]), JobStatus.SUCCESS, 1)
    ]


def test_beat_runs_nightly_at_01_30_company_time_with_an_expiry():
    from salesops.celery import app
    from salesops.schedule import BEAT_SCHEDULE

    entry: dict[str, Any] = BEAT_SCHEDULE["efficiency-nightly"]
    assert entry["task"] == efficiency_snapshots_compute_task.name
    assert entry["schedule"].hour == {1} and entry["schedule"].minute == {30}
    assert entry["options"]["expires"] > 0
    assert app.conf.timezone == settings.COMPANY_TIME_ZONE
    policy = efficiency_snapshots_compute_task
    assert policy.acks_late and policy.reject_on_worker_lost and policy.max_retries == 10

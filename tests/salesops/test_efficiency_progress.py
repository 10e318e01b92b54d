"""A single-worker efficiency run writes its progress on its JobRun as it goes (issue 23), so
/jobs/<id>/ shows it: the nightly task without fan-out, `compute_efficiency` and its
`--history-months` dates. The steps: the refresh of the per-day tables, then the publish's."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection

from salesops.models import JobRun, JobStatus
from salesops.services.efficiency import (
    COMPUTE_STEPS,
    JOB,
    efficiency_run_command,
)
from salesops.services.efficiency import snapshots as snapshots_module
from salesops.services.efficiency.snapshots import PUBLISH_STEPS
from salesops.tasks import efficiency_snapshots_compute_task
from tests.salesops.test_efficiency_support import cost, won

AS_OF = dt.date(2026, 4, 10)


def _ledger(personas: Any) -> None:
    a1, b1 = personas.person("rep_a1"), personas.person("rep_b1")
    won(a1, "1200", dt.date(2026, 3, 3))
    won(b1, "800", AS_OF)
    cost("400", dt.date(2026, 3, 1), person=a1)
    cost("90", AS_OF, team=personas.team_a, category="tools")


def _seen_from_another_session(run_id: int) -> tuple[int, int]:
    """The run's progress as the /jobs/<id>/ page reads it: committed, from its own session."""
    seen: list[tuple[int, int]] = []

    def read() -> None:
        try:
            seen.extend(
                JobRun.objects.filter(pk=run_id).values_list("progress_done", "progress_total")
            )
        finally:
            connection.close()

    thread = threading.Thread(target=read)
    thread.start()
    thread.join()
    return seen[0]


@pytest.mark.django_db(transaction=True)
def test_a_run_shows_its_progress_while_it_computes(personas, settings, monkeypatch):
    settings.EFFICIENCY_PROGRESS_SECONDS = 0  # write every step (the default waits a second)
    _ledger(personas)
    during: list[tuple[int, int]] = []
    derived_table = snapshots_module.derived_table

    def spy(derived: Any) -> None:
        # The built-in scopes' derived periods come last: the run is inside its transaction.
        run = JobRun.objects.get(job=JOB, business_date=AS_OF, partition="")
        during.append(_seen_from_another_session(run.pk))
        derived_table(derived)

    monkeypatch.setattr(snapshots_module, "derived_table", spy)
    efficiency_run_command(as_of=AS_OF, full=True)
    assert during, "the publish did not run"
    done, total = during[-1]
    assert total == COMPUTE_STEPS and 0 < done < total
    run = JobRun.objects.get(job=JOB, business_date=AS_OF, partition="")
    assert run.status == JobStatus.SUCCESS
    assert (run.progress_done, run.progress_total) == (COMPUTE_STEPS, COMPUTE_STEPS)


@pytest.mark.django_db
def test_the_nightly_task_without_fan_out_ends_with_every_step_done(personas):
    _ledger(personas)
    efficiency_snapshots_compute_task.apply(kwargs={"as_of": AS_OF.isoformat(), "fanout": False})
    run = JobRun.objects.get(job=JOB, business_date=AS_OF, partition="")
    assert run.status == JobStatus.SUCCESS
    assert run.progress_total > 0 and run.progress_done == run.progress_total
    assert run.heartbeat_at is not None and run.heartbeat_at >= run.started_at


@pytest.mark.django_db(transaction=True)
def test_every_date_of_a_history_run_ends_with_its_progress_complete(personas):
    _ledger(personas)
    call_command(
        "compute_efficiency", "--as-of", AS_OF.isoformat(), "--history-months", "1", verbosity=0
    )
    runs = list(JobRun.objects.filter(job=JOB, partition="").order_by("business_date"))
    assert len(runs) == 31 and all(r.status == JobStatus.SUCCESS for r in runs)
    # The first date refreshes the per-day tables; each later one publishes from them.
    assert (runs[0].progress_done, runs[0].progress_total) == (COMPUTE_STEPS, COMPUTE_STEPS)
    assert {(r.progress_done, r.progress_total) for r in runs[1:]} == {
        (PUBLISH_STEPS, PUBLISH_STEPS)
    }
    assert all(r.heartbeat_at is not None for r in runs)

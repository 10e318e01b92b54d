"""`compute_efficiency` from the command line: every run is a JobRun like the nightly ones, and
`--history-months` computes the missing business dates of the last months once (idempotent),
with the same snapshots as a recomputation of each date."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from salesops.models import EfficiencySnapshot, JobRun, JobStatus, Team
from salesops.models.jobs import JobTrigger
from salesops.services.efficiency import JOB, efficiency_run_claim, efficiency_snapshots_compute
from salesops.services.jobs import job_succeed
from tests.salesops.test_efficiency_support import cost, won

# Each business date in its own committed transaction, as the command runs them.
pytestmark = pytest.mark.django_db(transaction=True)

AS_OF = dt.date(2026, 4, 10)
DAY = dt.timedelta(days=1)
ROLLING = ("day", "mtd", "qtd", "ytd", "t90")


def _ledger(personas: Any) -> None:
    a1, a2, b1 = (personas.person(n) for n in ("rep_a1", "rep_a2", "rep_b1"))
    for i, day in enumerate((dt.date(2026, 1, 20), dt.date(2026, 2, 27), dt.date(2026, 3, 31))):
        won(a1, str(1000 + i), day)
        won(a2, "300", day + 3 * DAY, splits=[(a2, "50"), (b1, "50")])
        cost("400", day - 9 * DAY, person=a1)
        cost("90", day, team=personas.team_a, category="tools")
    cost("250", AS_OF, person=b1)


def _history(*args: str) -> str:
    out = StringIO()
    call_command("compute_efficiency", *args, stdout=out, stderr=StringIO(), verbosity=1)
    return out.getvalue()


def _rolling_rows(day: dt.date) -> set[tuple[Any, ...]]:
    return set(
        EfficiencySnapshot.objects.filter(period_end=day, period__in=ROLLING).values_list(
            "scope_type",
            "scope_id",
            "scope_key",
            "period",
            "period_start",
            "revenue",
            "cost",
            "ratio",
            "won_deals",
            "source_rows",
        )
    )


def test_a_command_line_run_is_recorded_as_a_job_run_of_the_nightly_job(personas: Any) -> None:
    _ledger(personas)
    call_command("compute_efficiency", "--as-of", AS_OF.isoformat(), verbosity=0)
    run = JobRun.objects.get(job=JOB, business_date=AS_OF, partition="")
    assert run.status == JobStatus.SUCCESS and run.trigger == JobTrigger.COMMAND
    assert run.rows > 0 and run.finished_at is not None
    # The worker does not compute the date again: the command's run counts as the nightly one.
    assert efficiency_run_claim(as_of=AS_OF) is None


def test_an_explicit_date_runs_again_even_when_it_already_succeeded(personas: Any) -> None:
    _ledger(personas)
    run = efficiency_run_claim(as_of=AS_OF)
    assert run is not None and run.trigger == JobTrigger.WORKER
    # While the worker computes the date, the command leaves it alone.
    assert "skipped" in _history("--as-of", AS_OF.isoformat())
    run.refresh_from_db()
    assert run.status == JobStatus.RUNNING and run.trigger == JobTrigger.WORKER
    job_succeed(run=run)
    call_command("compute_efficiency", "--as-of", AS_OF.isoformat(), verbosity=0)
    run.refresh_from_db()
    assert run.status == JobStatus.SUCCESS and run.trigger == JobTrigger.COMMAND
    call_command("compute_efficiency", "--as-of", AS_OF.isoformat(), verbosity=0)
    run.refresh_from_db()
    assert run.attempts == 3


def test_history_computes_every_business_date_of_the_last_months(personas: Any) -> None:
    _ledger(personas)
    out = _history("--history-months", "2", "--as-of", AS_OF.isoformat())
    first = dt.date(2026, 2, 11)  # two months before AS_OF, exclusive
    days = [first + i * DAY for i in range((AS_OF - first).days + 1)]
    t90 = EfficiencySnapshot.objects.filter(scope_type="company", period="t90")
    assert sorted(t90.values_list("period_end", flat=True)) == days
    runs = JobRun.objects.filter(job=JOB, status=JobStatus.SUCCESS, trigger=JobTrigger.COMMAND)
    assert sorted(runs.values_list("business_date", flat=True)) == days
    assert f"{len(days)} business date(s)" in out


def test_history_rows_equal_a_recomputation_of_each_date(personas: Any) -> None:
    _ledger(personas)
    _history("--history-months", "3", "--as-of", AS_OF.isoformat())
    for day in (AS_OF - 80 * DAY, dt.date(2026, 3, 1), dt.date(2026, 3, 31), AS_OF):
        history = _rolling_rows(day)
        assert history
        efficiency_snapshots_compute(as_of=day, full=True)
        assert _rolling_rows(day) == history, day


def test_a_second_history_run_computes_nothing(personas: Any) -> None:
    _ledger(personas)
    _history("--history-months", "1", "--as-of", AS_OF.isoformat())
    stamps = set(EfficiencySnapshot.objects.values_list("pk", "computed_at"))
    runs = set(JobRun.objects.values_list("id", "attempts", "finished_at"))
    out = _history("--history-months", "1", "--as-of", AS_OF.isoformat())
    assert "already computed" in out
    assert set(EfficiencySnapshot.objects.values_list("pk", "computed_at")) == stamps
    assert set(JobRun.objects.values_list("id", "attempts", "finished_at")) == runs


def test_history_fills_only_the_dates_missing_or_failed(personas: Any) -> None:
    _ledger(personas)
    nightly = efficiency_run_claim(as_of=AS_OF - DAY)
    assert nightly is not None
    JobRun.objects.filter(pk=nightly.pk).update(status=JobStatus.SUCCESS)
    failed = efficiency_run_claim(as_of=AS_OF - 2 * DAY)
    assert failed is not None
    JobRun.objects.filter(pk=failed.pk).update(status=JobStatus.FAILED, error="boom")
    _history("--history-months", "1", "--as-of", AS_OF.isoformat())
    nightly.refresh_from_db()
    failed.refresh_from_db()
    assert nightly.trigger == JobTrigger.WORKER and nightly.attempts == 1  # left alone
    assert failed.status == JobStatus.SUCCESS and failed.trigger == JobTrigger.COMMAND
    assert not EfficiencySnapshot.objects.filter(period_end=AS_OF - DAY, period="t90").exists()


def test_a_run_right_after_a_team_change_recomputes_in_full_once_not_every_night(
    personas: Any,
) -> None:
    """The team tree is compared by content, not by a change time within the overlap window:
    runs minutes after seeding (or after a team edit) stay incremental."""
    _ledger(personas)
    assert efficiency_snapshots_compute(as_of=AS_OF - DAY).full
    assert not efficiency_snapshots_compute(as_of=AS_OF).full
    personas.team_a_east.parent = personas.team_b
    personas.team_a_east.save()
    assert efficiency_snapshots_compute(as_of=AS_OF + DAY).full
    assert not efficiency_snapshots_compute(as_of=AS_OF + 2 * DAY).full
    spare = Team.objects.create(name="Spare", parent=personas.team_a)
    assert efficiency_snapshots_compute(as_of=AS_OF + 3 * DAY).full
    assert not efficiency_snapshots_compute(as_of=AS_OF + 4 * DAY).full
    spare.delete()  # a deleted team leaves no change time behind, but the tree changed
    assert efficiency_snapshots_compute(as_of=AS_OF + 5 * DAY).full

"""Progress of one efficiency run, for its /jobs/<id>/ page (salesops.progress).

A run is a few steps: the refresh of the per-day tables (when it refreshes) and the publish's
steps (snapshots.PUBLISH_STEPS). The run works inside one transaction nobody else can see into,
so the steps done are written on a connection of their own (salesops.services.progress.
JobProgress), at most once every EFFICIENCY_PROGRESS_SECONDS (default 1 s) and not before the run
has taken that long: a night of a backfill takes a twentieth of a second, and a progress write
costs a connection. The end (every step done) is written on the caller's connection when the run
succeeds, so a finished run's page shows it complete however fast it was.
"""

from __future__ import annotations

import time

from django.conf import settings

from salesops.models import JobRun
from salesops.services.progress import JobProgress


def _interval() -> float:
    return float(getattr(settings, "EFFICIENCY_PROGRESS_SECONDS", 1.0))


class RunProgress:
    """The steps of one JobRun: `step(done)` as they are done, `finish()` when it succeeded."""

    def __init__(self, *, run: JobRun, total: int) -> None:
        self.run = run
        self.total = total
        self.interval = _interval()
        self.started = time.monotonic()
        self.writer = JobProgress(model=JobRun, pk=run.pk, total=total, interval=self.interval)

    def step(self, done: int) -> None:
        if time.monotonic() - self.started >= self.interval:
            self.writer.update(done=min(done, self.total), total=self.total)

    def finish(self) -> None:
        JobRun.objects.filter(pk=self.run.pk).update(
            progress_done=self.total, progress_total=self.total
        )
        self.run.progress_done = self.run.progress_total = self.total

"""Progress of long jobs, written for the progress partial (salesops/progress.py)."""

from __future__ import annotations

import logging
import threading
import time

from django.db import DatabaseError, connection

from salesops.models import ImportRun, JobRun

logger = logging.getLogger(__name__)


class JobProgress:
    """Progress of a long job (a JobRun or an ImportRun), written for the progress partial.

    The job usually works inside one transaction that other sessions cannot see into, so each
    write runs on a short connection of its own (a thread), outside that transaction. Writes are
    throttled to one per `interval` seconds; `finish` always writes. A row that is gone is a no-op.
    """

    def __init__(
        self,
        *,
        model: type[JobRun] | type[ImportRun],
        pk: int,
        total: int = 0,
        interval: float = 1.0,
    ) -> None:
        self.model = model
        self.pk = pk
        self.total = max(int(total), 0)
        self.done = 0
        self.interval = interval
        self._last = 0.0

    def _write(self) -> None:
        done, total = self.done, self.total

        def write() -> None:
            try:
                self.model.objects.filter(pk=self.pk).update(
                    progress_done=done, progress_total=total
                )
            except DatabaseError as exc:  # progress is a courtesy: never fail the job for it
                logger.warning(
                    "progress of %s %s not written: %s", self.model.__name__, self.pk, exc
                )
            finally:
                connection.close()

        thread = threading.Thread(target=write, name=f"progress-{self.pk}", daemon=True)
        thread.start()
        thread.join()

    def update(
        self, *, done: int | None = None, advance: int = 0, total: int | None = None
    ) -> None:
        if total is not None:
            self.total = max(int(total), 0)
        self.done = int(done) if done is not None else self.done + advance
        now = time.monotonic()
        if now - self._last >= self.interval:
            self._last = now
            self._write()

    def finish(self) -> None:
        """All done: written outside and inside the caller's transaction (whichever commits)."""
        self.done = max(self.done, self.total)
        self._write()
        self.model.objects.filter(pk=self.pk).update(
            progress_done=self.done, progress_total=self.total
        )

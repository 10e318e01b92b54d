from __future__ import annotations

from django.conf import settings
from django.db import models


class JobStatus(models.TextChoices):
    RUNNING = "running", "Running"
    SUCCESS = "success", "Success"
    FAILED = "failed", "Failed"


class JobTrigger(models.TextChoices):
    # The Celery worker: the beat's nightly run, the sweeper's re-queue, the ops page's re-run.
    WORKER = "worker", "Celery worker"
    COMMAND = "command", "Command line"
    # The worker, for an operator's re-run from /ops/ (`requested_by` says who).
    OPS = "ops", "Re-run from /ops/"
    # The sweeper: a run that should exist (a missing business date) or whose heartbeat stopped.
    SWEEPER = "sweeper", "Sweeper"


class JobRun(models.Model):
    """One run of a background job for one business date (and partition).

    The unique key makes a duplicate delivery a no-op: the service claims the row with a
    conditional insert/update and only the claimant works. A RUNNING row past `deadline` (its
    lease, renewed by the running job's heartbeat) may be re-claimed by the next delivery or the
    sweeper. `rerun_pending` is an operator's re-run request not yet taken by a worker: the status
    of the finished run stays what it was until the new attempt claims it.
    """

    job = models.CharField(max_length=100)
    business_date = models.DateField()
    partition = models.CharField(max_length=100, blank=True)
    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.RUNNING)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    deadline = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=1)
    rows = models.BigIntegerField(default=0)
    error = models.TextField(blank=True)
    # Who started the latest attempt (a take-over records its own).
    trigger = models.CharField(max_length=10, choices=JobTrigger.choices, default=JobTrigger.WORKER)
    # The last heartbeat of the attempt holding the lease, and which process that is.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    worker = models.CharField(max_length=200, blank=True)
    # The latest re-run request from /ops/: who asked, when, and whether a worker took it yet.
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    requested_at = models.DateTimeField(null=True, blank=True)
    rerun_pending = models.BooleanField(default=False)
    # Progress of the running attempt (units of work done of total; 0 total = unknown), written
    # by the job through job_progress and read by the progress partial.
    progress_done = models.BigIntegerField(default=0)
    progress_total = models.BigIntegerField(default=0)

    class Meta:
        ordering = ["-business_date", "job", "partition"]
        constraints = [
            models.UniqueConstraint(
                fields=["job", "business_date", "partition"], name="jobrun_unique_key"
            )
        ]
        indexes = [models.Index(fields=["job", "status"])]

    def __str__(self) -> str:
        return f"{self.job} {self.business_date} {self.partition} {self.status}"

    @property
    def duration_seconds(self) -> float | None:
        if self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()


class ImportStatus(models.TextChoices):
    RUNNING = "running", "Running"
    SUCCESS = "success", "Success"
    PARTIAL = "partial", "Imported with errors"
    FAILED = "failed", "Failed"
    DRY_RUN = "dry_run", "Dry run"


class ImportRun(models.Model):
    """One CRM import (command, admin upload or API), with its full report."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    origin = models.CharField(max_length=20, default="command")
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(
        max_length=10, choices=ImportStatus.choices, default=ImportStatus.RUNNING
    )
    dry_run = models.BooleanField(default=False)
    strict = models.BooleanField(default=False)
    files = models.JSONField(default=dict, blank=True)
    report = models.JSONField(default=dict, blank=True)
    error_count = models.PositiveIntegerField(default=0)
    warning_count = models.PositiveIntegerField(default=0)
    # Rows read of all rows (physical lines), written as the import goes; 0 total = not started.
    progress_done = models.BigIntegerField(default=0)
    progress_total = models.BigIntegerField(default=0)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"import {self.pk} {self.status}"


class ImportUpload(models.Model):
    """An uploaded CRM file waiting for the import task (the web request stores, the worker
    imports). Deleted when its run finishes; the upload limit bounds its size."""

    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="uploads")
    kind = models.CharField(max_length=20)
    name = models.CharField(max_length=255)
    content = models.BinaryField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["run", "kind"], name="importupload_one_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.kind} of import {self.run_id}"

"""The Celery app. Configured from Django settings (namespace CELERY); the beat schedule is code.

Each app keeps its periodic jobs in `<app>/schedule.py` as BEAT_SCHEDULE; they are merged here so no
two apps edit the same file.
"""

from __future__ import annotations

import importlib
import os

from celery import Celery
from celery.signals import task_postrun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salesops.settings")

app = Celery("salesops")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

SCHEDULE_MODULES = (
    "salesops.schedule",
    "meetings.schedule",
    "territories.schedule",
    "compensation.schedule",
)


@app.on_after_configure.connect
def _load_beat_schedule(sender: Celery, **_: object) -> None:
    schedule: dict[str, dict[str, object]] = {}
    for name in SCHEDULE_MODULES:
        schedule.update(getattr(importlib.import_module(name), "BEAT_SCHEDULE", {}))
    sender.conf.beat_schedule = schedule


@task_postrun.connect
def _stop_job_heartbeats(**_: object) -> None:
    """A task that ended without closing its JobRun (an exception before job_fail, a fan-out
    that handed on) stops renewing its lease here: the run then looks dead once the lease runs
    out, and is taken over, instead of looking alive for as long as the worker lives."""
    from salesops.services.jobs import job_heartbeats_stop_all

    job_heartbeats_stop_all()

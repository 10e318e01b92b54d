"""The Celery app. Configured from Django settings (namespace CELERY); the beat schedule is code.

Each app keeps its periodic jobs in `<app>/schedule.py` as BEAT_SCHEDULE; they are merged here so no
two apps edit the same file.
"""

from __future__ import annotations

import importlib
import os

from celery import Celery

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

"""Periodic jobs of this app, merged into the beat schedule by salesops/celery.py."""

from celery.schedules import crontab

BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    "compensation-statements-regenerate-open": {
        "task": "compensation.statements_regenerate_open_task",
        "schedule": crontab(hour=2, minute=30),
        "options": {"expires": 6 * 3600},
    },
    "compensation-period-close-remind": {
        "task": "compensation.period_close_remind_task",
        "schedule": crontab(hour=7, minute=0),
        "options": {"expires": 12 * 3600},
    },
}

"""Periodic jobs of this app, merged into the beat schedule by salesops/celery.py."""

from celery.schedules import crontab

BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    # Backstop for account edits that bypassed the services (imports, SQL): a full re-assignment.
    "territories-assignments-nightly": {
        "task": "territories.tasks.territory_assignments_nightly_task",
        "schedule": crontab(hour=2, minute=30),
        "options": {"expires": 60 * 60 * 3},
    },
    # After the nightly assignment backstop (02:30): the balance figures the dashboards read.
    "territories-balance-snapshot-nightly": {
        "task": "territories.tasks.territory_balance_snapshots_nightly_task",
        "schedule": crontab(hour=3, minute=15),
        "options": {"expires": 60 * 60 * 3},
    },
}

"""Periodic jobs of the core app, merged into the beat schedule by salesops/celery.py.

Beat runs in the company time zone (CELERY_TIMEZONE = COMPANY_TIME_ZONE). The nightly run
computes the business date that just ended; a daylight-saving night may fire 01:30 twice or
not at all in some zones, but the JobRun claim makes it run exactly once per business date, and
the sweeper (every minute) re-queues a run that failed, whose worker died (its heartbeat
stopped) or that never ran (a lost message).
"""

from celery.schedules import crontab

BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    "efficiency-nightly": {
        "task": "salesops.efficiency_snapshots_compute",
        "schedule": crontab(hour=1, minute=30),
        # Not worth running after breakfast: the sweeper or an operator takes over.
        "options": {"expires": 6 * 3600},
    },
    # The sweeper, every minute: runs whose heartbeat stopped (a lease is 2 minutes), failed
    # runs, business dates with no run, imports whose process died.
    "efficiency-sweep": {
        "task": "salesops.efficiency_runs_sweep",
        "schedule": crontab(),
        "options": {"expires": 55},
    },
}

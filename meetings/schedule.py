"""Periodic jobs of this app, merged into the beat schedule by salesops/celery.py."""

from celery.schedules import crontab

BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    # Every minute: plan due reminders and send them (exactly once, see services/reminders.py).
    "meetings-reminders-dispatch": {
        "task": "meetings.reminders_dispatch",
        "schedule": crontab(),
        "options": {"expires": 55},
    },
    # Nightly: keep recurring meetings materialised up to the horizon.
    "meetings-series-extend": {
        "task": "meetings.meeting_series_extend",
        "schedule": crontab(hour=2, minute=15),
        "options": {"expires": 3600},
    },
    # Every 5 minutes: refresh the outside calendars that are due (MEETING_FEEDS_REFRESH_MINUTES).
    "meetings-busy-feeds-fetch": {
        "task": "meetings.busy_feeds_fetch",
        "schedule": crontab(minute="*/5"),
        "options": {"expires": 240},
    },
}

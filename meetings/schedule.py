"""Periodic jobs of this app, merged into the beat schedule by salesops/celery.py."""

BEAT_SCHEDULE: dict[str, dict[str, object]] = {}

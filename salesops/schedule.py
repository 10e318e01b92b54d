"""Periodic jobs of the core app, merged into the beat schedule by salesops/celery.py."""

BEAT_SCHEDULE: dict[str, dict[str, object]] = {}

"""Settings of the meetings app, with their defaults (the lead declares the shared ones)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.conf import settings

from salesops import calendar


def load_limit_hours() -> Decimal:
    return Decimal(str(getattr(settings, "MEETING_LOAD_LIMIT_HOURS", 8.0)))


def reminder_offsets_minutes() -> list[int]:
    """Minutes before a meeting to remind, largest first (default 24 h and 1 h)."""
    return sorted(getattr(settings, "MEETING_REMINDER_OFFSETS_MINUTES", [1440, 60]), reverse=True)


def follow_up_days() -> int:
    return int(getattr(settings, "FOLLOW_UP_DAYS_AFTER_WON", 30))


def company_time_zone() -> str:
    """The company zone's name (salesops.calendar owns COMPANY_TIME_ZONE)."""
    return calendar.company_zone().key


def recurrence_horizon() -> timedelta:
    """How far ahead recurring meetings are materialised as rows."""
    return timedelta(days=int(getattr(settings, "MEETING_RECURRENCE_HORIZON_DAYS", 120)))


def digest_hour() -> int:
    """Local hour (company time zone) from which the daily action-item digest goes out."""
    return int(getattr(settings, "MEETING_DIGEST_HOUR", 7))


def delivery_max_attempts() -> int:
    return int(getattr(settings, "MEETING_DELIVERY_MAX_ATTEMPTS", 6))


def delivery_lease() -> timedelta:
    """How long a worker owns a claimed delivery before another may take it over."""
    return timedelta(seconds=int(getattr(settings, "MEETING_DELIVERY_LEASE_SECONDS", 300)))


def site_url() -> str:
    return str(getattr(settings, "SITE_URL", "http://localhost:8000")).rstrip("/")


def delivery_batch() -> int:
    """Deliveries one worker claims at a time (smaller batches spread work across workers)."""
    return int(getattr(settings, "MEETING_DELIVERY_BATCH", 50))


def cost_max_hours() -> Decimal:
    """A done meeting longer than this posts no cost until sales ops confirms it."""
    return Decimal(str(getattr(settings, "MEETING_COST_MAX_HOURS", 10)))


def cost_max_age_days() -> int:
    """A meeting marked done more than this many days after it ended posts no cost until sales
    ops confirms it."""
    return int(getattr(settings, "MEETING_COST_MAX_AGE_DAYS", 14))

"""Company time: the company's zone, now, today and the nightly business date.

settings.COMPANY_TIME_ZONE is read here and nowhere else. Django's TIME_ZONE (and the zone a
request activates for display) never decides a business date: "today" is always the date on the
company's wall clock, so a job at 00:30 Berlin time on the 1st already works in the new month.
"""

from __future__ import annotations

import zoneinfo
from datetime import UTC, date, datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone


def company_zone() -> zoneinfo.ZoneInfo:
    """settings.COMPANY_TIME_ZONE as a ZoneInfo (default Europe/Berlin)."""
    name = str(getattr(settings, "COMPANY_TIME_ZONE", "Europe/Berlin"))
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ImproperlyConfigured(f"COMPANY_TIME_ZONE {name!r} is not an IANA zone") from exc


def company_now() -> datetime:
    """The current instant on the company's wall clock (aware, in the company zone)."""
    return timezone.now().astimezone(company_zone())


def company_date(instant: datetime) -> date:
    """The company's calendar date at an aware `instant`."""
    if timezone.is_naive(instant):
        raise ValueError("company_date needs an aware datetime")
    return instant.astimezone(company_zone()).date()


def company_today() -> date:
    """Today's date in the company zone: the date every "today", default and period uses."""
    return company_date(timezone.now())


def nightly_business_date(instant: datetime | None = None) -> date:
    """The business date a nightly run at `instant` (default now) computes: the company day that
    has just ended (yesterday in company time)."""
    return company_date(instant or timezone.now()) - timedelta(days=1)


def company_midnight(day: date) -> datetime:
    """The instant the company day `day` starts (00:00 company time), in UTC: arithmetic on
    instants in one zone object would count wall-clock hours, not elapsed ones, across DST."""
    return datetime.combine(day, time.min, tzinfo=company_zone()).astimezone(UTC)


def company_day_bounds(first: date, last: date) -> tuple[datetime, datetime]:
    """[start, end) instants of the company days `first`..`last` (for timestamp filters)."""
    return company_midnight(first), company_midnight(last + timedelta(days=1))

"""Bounds for dates and times arriving from outside (API, pages): the range the calendar, the
engines and PostgreSQL all handle, so a year 1 or 9999 or a "+19:46" offset is a 400 at the edge
rather than an OverflowError or a DataError deep inside."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from django.core.exceptions import ValidationError

EARLIEST = date(1900, 1, 1)
LATEST = date(2199, 12, 31)
# The widest offset any zone has (Line Islands); PostgreSQL refuses beyond ±15:59.
MAX_UTC_OFFSET = timedelta(hours=14)

OUT_OF_RANGE = f"Use a date between {EARLIEST.isoformat()} and {LATEST.isoformat()}."


def check_date(value: date) -> date:
    if not EARLIEST <= value <= LATEST:
        raise ValidationError(OUT_OF_RANGE, code="out_of_range")
    return value


def check_datetime(value: datetime) -> datetime:
    """The same instant in UTC; a 400 for an offset no zone has or a date outside the range."""
    offset = value.utcoffset()
    if offset is not None and abs(offset) > MAX_UTC_OFFSET:
        raise ValidationError("Use a UTC offset between -14:00 and +14:00.", code="offset")
    check_date(value.date())
    return value.astimezone(UTC) if offset is not None else value


def validate_date_in_range(value: date) -> None:
    """check_date as a form-field validator."""
    check_date(value)


def validate_datetime_in_range(value: datetime) -> None:
    """The date part of a (wall-clock) date-time within the range, as a form-field validator."""
    check_date(value.date())

"""Quota metrics the meetings app supplies to compensation (registered in MeetingsConfig.ready).

`meetings_held_by_person(person_ids, start, end) -> {person_id: Decimal count}`: client meetings
(sales calls, what an SDR books) with status done whose start, on the company time zone's
calendar (settings.COMPANY_TIME_ZONE), falls in [start, end], that the person organised or attended
without declining. A meeting counts once per person (the organizer is normally an accepted attendee
too). One GROUP BY query; people without such meetings are absent (compensation reads them as 0).
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db import connection

from meetings.conf import company_time_zone
from meetings.models import MeetingStatus, MeetingType, Rsvp

# The person ids go in as one array parameter each time (`= ANY(%s)`).
_HELD_SQL = """
    SELECT x.person_id, COUNT(*) FROM (
        SELECT a.person_id, m.id
        FROM meetings_meeting m JOIN meetings_attendee a ON a.meeting_id = m.id
        WHERE m.type = %s AND m.status = %s AND m.start >= %s AND m.start < %s
          AND a.rsvp <> %s AND a.person_id = ANY(%s)
        UNION
        SELECT m.organizer_id, m.id
        FROM meetings_meeting m
        WHERE m.type = %s AND m.status = %s AND m.start >= %s AND m.start < %s
          AND m.organizer_id = ANY(%s)
    ) x
    GROUP BY x.person_id
"""


def company_day_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """[start 00:00, the day after end 00:00) in the company time zone, as aware datetimes."""
    tz = zoneinfo.ZoneInfo(company_time_zone())
    return (
        datetime.combine(start, time.min, tzinfo=tz),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz),
    )


def meetings_held_by_person(
    person_ids: Iterable[int], start: date, end: date
) -> dict[int, Decimal]:
    ids = sorted(set(person_ids))
    if not ids:
        return {}
    lower, upper = company_day_bounds(start, end)
    held = [MeetingType.CLIENT.value, MeetingStatus.DONE.value, lower, upper]
    params: list[Any] = [*held, Rsvp.DECLINED.value, ids, *held, ids]
    with connection.cursor() as cursor:
        cursor.execute(_HELD_SQL, params)
        return {person_id: Decimal(count) for person_id, count in cursor.fetchall()}

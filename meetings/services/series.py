"""Recurring meetings: a series is materialised within a horizon (conf.recurrence_horizon). The
first meeting carries the RRULE; every later occurrence is a Meeting row with `series` and
`original_start`, with its own attendees and agenda copied from the first.
`meeting_series_extend` (daily beat) keeps the horizon filled."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from meetings import conf
from meetings.models import Meeting, MeetingStatus
from meetings.services.recurrence import expand
from meetings.services.schedule_rows import occurrence_rows, people_and_agenda_write


def series_materialise(*, master: Meeting, occurrences: Sequence[tuple[datetime, datetime]]) -> int:
    """Create the missing occurrences of a series, copying its attendees and agenda."""
    existing = set(master.occurrences.values_list("original_start", flat=True))
    missing = [o for o in occurrences if o[0] not in existing and o[0] != master.original_start]
    if not missing:
        return 0
    rows = Meeting.objects.bulk_create(occurrence_rows(master=master, occurrences=missing))
    people_and_agenda_write(
        meetings=rows,
        attendees=list(master.attendees.all()),
        agenda=list(master.agenda_items.all()),
    )
    return len(rows)


def meeting_series_extend(*, now: datetime | None = None) -> int:
    """Materialise occurrences up to now + horizon for every live series (daily beat; safe to run
    twice: the unique (series, original_start) turns a racing duplicate into a no-op)."""
    now = now or timezone.now()
    until = now + conf.recurrence_horizon()
    created = 0
    masters = Meeting.objects.filter(series__isnull=True, status=MeetingStatus.SCHEDULED).exclude(
        rrule=""
    )
    for master in masters.iterator():
        occurrences = expand(
            rule=master.rrule,
            start=master.start,
            end=master.end,
            time_zone=master.time_zone,
            until=until,
        )
        try:
            with transaction.atomic():
                created += series_materialise(
                    master=master, occurrences=[o for o in occurrences[1:] if o[0] > now]
                )
        except IntegrityError:
            continue
    return created

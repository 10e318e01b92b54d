"""Busy times from people's outside calendars (BusyBlock rows kept by services/feeds.py).

Start and end only: an outside block never carries a title, so it can be shown to anyone who
may see that the person is busy.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from meetings.models import BusyBlock, BusyFeed
from salesops.models import Person

Interval = tuple[datetime, datetime]


def outside_busy(*, person_ids: Sequence[int], start: datetime, end: datetime) -> list[Interval]:
    """Outside busy intervals of these people overlapping [start, end). One query."""
    return list(
        BusyBlock.objects.filter(person_id__in=list(person_ids), start__lt=end, end__gt=start)
        .order_by("start")
        .values_list("start", "end")
    )


def outside_busy_by_person(
    *, person_ids: Sequence[int], start: datetime, end: datetime
) -> list[tuple[int, datetime, datetime]]:
    """(person id, start, end) of the outside blocks overlapping [start, end). One query."""
    return list(
        BusyBlock.objects.filter(person_id__in=list(person_ids), start__lt=end, end__gt=start)
        .order_by("start", "person_id")
        .values_list("person_id", "start", "end")
    )


def busy_feeds_for(*, person: Person) -> list[BusyFeed]:
    """The person's own feeds (a person sees only theirs: the addresses are secrets)."""
    return list(BusyFeed.objects.filter(person=person).order_by("id"))

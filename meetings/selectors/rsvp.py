"""Reads about invitation answers (RSVP)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet

from meetings.models import Attendee, Rsvp


def declined_attendee_ids(*, meeting_ids: Iterable[int]) -> dict[int, set[int]]:
    """Per meeting, the ids of the people who declined it: their time is free (find-a-time and
    conflict checks count only BUSY_RSVPS, which leaves declines out)."""
    out: dict[int, set[int]] = {}
    rows = Attendee.objects.filter(
        meeting_id__in=list(meeting_ids), rsvp=Rsvp.DECLINED, person__isnull=False
    ).values_list("meeting_id", "person_id")
    for meeting_id, person_id in rows:
        out.setdefault(meeting_id, set()).add(person_id)
    return out


def rsvp_summary(attendees: Iterable[Attendee]) -> dict[str, list[Attendee]]:
    """Prefetched attendees grouped by answer, for the organizer's view (no query)."""
    out: dict[str, list[Attendee]] = {value: [] for value in Rsvp.values}
    for attendee in attendees:
        out[attendee.rsvp].append(attendee)
    return out


def declined_for_meeting(*, meeting_id: int) -> QuerySet[Attendee]:
    return Attendee.objects.filter(meeting_id=meeting_id, rsvp=Rsvp.DECLINED).select_related(
        "person"
    )

"""iCalendar (RFC 5545) output and the per-person subscription feed.

A series is one VEVENT with the RRULE (the first meeting) plus a RECURRENCE-ID override for each
occurrence that was moved, edited or cancelled. UID is the meeting's UUID (stable across
updates); SEQUENCE is bumped by every change; times carry TZID with a VTIMEZONE.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Prefetch, Q
from django.utils import timezone
from icalendar import Calendar, Event, Timezone, vCalAddress, vRecur

from meetings import conf
from meetings.models import (
    AgendaItem,
    Attendee,
    CalendarFeed,
    Meeting,
    MeetingStatus,
    Rsvp,
)
from salesops.models import Person

PRODID = "-//SalesOps//Meetings//EN"
PARTSTAT = {
    Rsvp.PENDING: "NEEDS-ACTION",
    Rsvp.ACCEPTED: "ACCEPTED",
    Rsvp.DECLINED: "DECLINED",
    Rsvp.TENTATIVE: "TENTATIVE",
}
FEED_PAST = timedelta(days=90)
# VTIMEZONEs cover the meetings' years and this far beyond (open-ended series keep their TZID).
VTIMEZONE_AHEAD = timedelta(days=3 * 366)


def _address(person: Person | None, email: str, name: str) -> vCalAddress:
    if person is not None:
        email = person.email or f"person-{person.pk}@salesops.invalid"
        name = person.name
    address = vCalAddress(f"mailto:{email}")
    if name:
        address.params["cn"] = name
    return address


def _description(meeting: Meeting) -> str:
    lines = [meeting.description.strip()] if meeting.description.strip() else []
    items = list(meeting.agenda_items.all())
    if items:
        lines.append("Agenda:")
        for item in items:
            owner = f" — {item.owner.name}" if item.owner else ""
            lines.append(f"{item.order}. {item.title} ({item.minutes} min){owner}")
    lines.append(f"{conf.site_url()}/meetings/{meeting.pk}/")
    return "\n".join(lines)


def _event(meeting: Meeting, *, uid: str, recurrence_id: datetime | None, now: datetime) -> Event:
    zone = ZoneInfo(meeting.time_zone)
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", now)
    event.add("last-modified", meeting.updated_at.astimezone(UTC))
    event.add("sequence", meeting.sequence)
    event.add("summary", meeting.title)
    event.add("dtstart", meeting.start.astimezone(zone))
    event.add("dtend", meeting.end.astimezone(zone))
    if recurrence_id is not None:
        event.add("recurrence-id", recurrence_id.astimezone(zone))
    elif meeting.rrule:
        event.add("rrule", vRecur.from_ical(meeting.rrule))
    event.add("status", "CANCELLED" if meeting.status == MeetingStatus.CANCELLED else "CONFIRMED")
    location = meeting.location or meeting.video_link
    if location:
        event.add("location", location)
    if meeting.video_link:
        event.add("url", meeting.video_link)
    event.add("description", _description(meeting))
    event.add("categories", [meeting.get_type_display()])
    event.add("organizer", _address(meeting.organizer, "", ""), encode=False)
    for attendee in meeting.attendees.all():
        address = _address(attendee.person, attendee.email, attendee.name)
        address.params["role"] = "REQ-PARTICIPANT" if attendee.required else "OPT-PARTICIPANT"
        address.params["partstat"] = PARTSTAT[Rsvp(attendee.rsvp)]
        address.params["cutype"] = "INDIVIDUAL"
        event.add("attendee", address, encode=False)
    return event


def _vtimezone(tzid: str, first: date, last: date) -> Timezone:
    """A VTIMEZONE covering [first, last] with one sub-component per transition (no RDATE
    lists: some parsers, e.g. vobject, mangle long RDATE lines and then get the offsets wrong)."""
    source = Timezone.from_tzid(tzid, first_date=first, last_date=last)
    out = Timezone()
    out.add("tzid", tzid)
    for sub in source.subcomponents:
        rdates = sub.get("rdate")
        lists = rdates if isinstance(rdates, list) else [rdates] if rdates is not None else []
        onsets = [sub.decoded("dtstart"), *(d.dt for rl in lists for d in rl.dts)]
        for onset in onsets:
            part = type(sub)()
            part.add("dtstart", onset)
            for key in ("tzname", "tzoffsetfrom", "tzoffsetto"):
                if key in sub:
                    part.add(key, sub[key])
            out.add_component(part)
    return out


def _add_timezones(cal: Calendar, meetings: Iterable[Meeting]) -> None:
    spans: dict[str, tuple[date, date]] = {}
    for m in meetings:
        day = m.start.date()
        lo, hi = spans.get(m.time_zone, (day, day))
        spans[m.time_zone] = (min(lo, day), max(hi, day))
    for tzid in sorted(spans):
        lo, hi = spans[tzid]
        last = min(hi + VTIMEZONE_AHEAD, date(2037, 12, 31))
        cal.add_component(_vtimezone(tzid, lo - timedelta(days=400), last))


def _is_override(occurrence: Meeting) -> bool:
    return (
        occurrence.sequence > 0
        or occurrence.status == MeetingStatus.CANCELLED
        or occurrence.start != occurrence.original_start
    )


def _details() -> list[Any]:
    return [
        Prefetch("attendees", queryset=Attendee.objects.select_related("person")),
        Prefetch("agenda_items", queryset=AgendaItem.objects.select_related("owner")),
    ]


def build_calendar(meetings: Iterable[Meeting], *, now: datetime | None = None) -> bytes:
    """Serialise meetings; occurrences of a series become RECURRENCE-ID overrides of their
    first meeting (fetched if missing). Meetings need attendees and agenda prefetched."""
    now = (now or timezone.now()).astimezone(UTC)
    given = list(meetings)
    have = {m.pk for m in given}
    missing = {m.series_id for m in given if m.series_id and m.series_id not in have}
    masters = {
        m.pk: m
        for m in Meeting.objects.filter(pk__in=missing)
        .select_related("organizer")
        .prefetch_related(*_details())
    }
    masters.update({m.pk: m for m in given if m.series_id is None})
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    for master in sorted(masters.values(), key=lambda m: m.pk):
        cal.add_component(_event(master, uid=f"{master.uid}@salesops", recurrence_id=None, now=now))
    for occurrence in given:
        if occurrence.series_id is None or not _is_override(occurrence):
            continue
        master = masters[occurrence.series_id]
        cal.add_component(
            _event(
                occurrence,
                uid=f"{master.uid}@salesops",
                recurrence_id=occurrence.original_start,
                now=now,
            )
        )
    _add_timezones(cal, [*masters.values(), *given])
    return bytes(cal.to_ical())


def meeting_ics(*, meeting: Meeting) -> bytes:
    """The meeting's calendar file; for a series, the whole series with its overrides."""
    master_id = meeting.series_id or meeting.pk
    series = (
        Meeting.objects.filter(Q(pk=master_id) | Q(series_id=master_id))
        .select_related("organizer")
        .prefetch_related(*_details())
    )
    return build_calendar(series)


def person_feed_ics(*, person: Person, now: datetime | None = None) -> bytes:
    """Everything the person organises or attends from 90 days ago on (all occurrences of a
    series they are in, so overrides are complete)."""
    now = now or timezone.now()
    mine = Meeting.objects.filter(
        Q(attendees__person=person) | Q(organizer=person), end__gte=now - FEED_PAST
    ).values("pk")
    series_ids = Meeting.objects.filter(pk__in=mine).values("series_id")
    meetings = (
        Meeting.objects.filter(Q(pk__in=mine) | Q(pk__in=series_ids))
        .select_related("organizer")
        .prefetch_related(*_details())
        .order_by("start", "pk")
    )
    return build_calendar(meetings, now=now)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def calendar_feed_regenerate(*, person: Person) -> str:
    """A new secret for the person's feed; the old URL stops working. Returns the token (shown
    once: only its hash is stored)."""
    token = secrets.token_urlsafe(32)
    CalendarFeed.objects.update_or_create(person=person, defaults={"token_hash": _hash(token)})
    return token


def calendar_feed_revoke(*, person: Person) -> int:
    deleted, _ = CalendarFeed.objects.filter(person=person).delete()
    return deleted


def calendar_feed_resolve(*, token: str) -> Person | None:
    """The active person whose feed this token opens (and note when it was last used)."""
    feed = (
        CalendarFeed.objects.select_related("person")
        .filter(token_hash=_hash(token), person__active=True)
        .first()
    )
    if feed is None:
        return None
    CalendarFeed.objects.filter(pk=feed.pk).update(last_used_at=timezone.now())
    return feed.person

"""Invitations by e-mail: iTIP (RFC 5546) over iMIP (RFC 6047).

Why one module: the iTIP messages (REQUEST, CANCEL) and the planning of their deliveries are one
protocol: what a message carries depends on the change being planned, so building and planning stay
together.

Every change the scheduling services make plans one invitation Delivery per recipient, in the
same transaction as the change (a rolled-back change sends nothing), with the text/calendar part
frozen in an InvitationPart; `transaction.on_commit` then queues `invitations_send_task`, which
claims and sends through the outgoing-message path of meetings.services.reminders (a lease per
message, sent once per natural key, retried with backoff by the reminder dispatcher).

- booking → METHOD:REQUEST to every attendee but the organizer;
- a change → METHOD:REQUEST with the meeting's new SEQUENCE; attendees removed by the change get
  METHOD:CANCEL (their ATTENDEE only);
- cancelling → METHOD:CANCEL, STATUS:CANCELLED; an occurrence of a series is cancelled or updated
  by its RECURRENCE-ID under the series' UID.
A series is sent as its first meeting's VEVENT with the RRULE, an EXDATE per cancelled occurrence
and a RECURRENCE-ID override per moved or edited one. The natural key of a message is (kind
"invitation", "meeting:<id>", recipient, "<METHOD>:<SEQUENCE>").
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress

from meetings import display
from meetings.models import (
    AgendaItem,
    Attendee,
    Delivery,
    DeliveryKind,
    InvitationPart,
    ItipMethod,
    Meeting,
    MeetingStatus,
)
from meetings.services.calendar import PRODID, _add_timezones, _address, _event, _is_override
from meetings.services.rsvp import rsvp_links

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Recipient:
    key: str  # "person:<id>" or "email:<address>", as Delivery.recipient_key
    email: str
    name: str
    person_id: int | None
    attendee: Attendee


def recipient_key(attendee: Attendee) -> str:
    if attendee.person_id is not None:
        return f"person:{attendee.person_id}"
    return f"email:{attendee.email}"


def recipients(meeting: Meeting) -> dict[str, Recipient]:
    """Who gets the meeting's invitations: every attendee with an address except the
    organizer (who sends them)."""
    out: dict[str, Recipient] = {}
    for attendee in meeting.attendees.select_related("person"):
        if attendee.person_id is not None and attendee.person_id == meeting.organizer_id:
            continue
        person = attendee.person
        if person is not None and not person.active:
            continue
        email = person.email if person is not None else attendee.email
        if not email:
            continue
        key = recipient_key(attendee)
        out[key] = Recipient(key, email, attendee.display_name, attendee.person_id, attendee)
    return out


# --- the calendar part ------------------------------------------------------------------------


def _with_details(qs: Iterable[Meeting]) -> list[Meeting]:
    return list(
        Meeting.objects.filter(pk__in=[m.pk for m in qs])
        .select_related("organizer")
        .prefetch_related(
            Prefetch("attendees", queryset=Attendee.objects.select_related("person")),
            Prefetch("agenda_items", queryset=AgendaItem.objects.select_related("owner")),
        )
        .order_by("start", "pk")
    )


def _itip_event(
    meeting: Meeting,
    *,
    uid: str,
    recurrence_id: datetime | None,
    now: datetime,
    method: str,
    only: Sequence[Attendee] | None = None,
) -> Event:
    event = _event(meeting, uid=uid, recurrence_id=recurrence_id, now=now)
    if only is not None:  # a CANCEL to removed attendees names just them
        event.pop("attendee", None)
        for attendee in only:
            address = _address(attendee.person, attendee.email, attendee.name)
            address.params["partstat"] = "NEEDS-ACTION"
            address.params["cutype"] = "INDIVIDUAL"
            event.add("attendee", address, encode=False)
    attendees = event.get("attendee", [])
    for address in attendees if isinstance(attendees, list) else [attendees]:
        if not isinstance(address, vCalAddress):
            continue
        organizer = str(event["organizer"])
        if method == ItipMethod.REQUEST and str(address) != organizer:
            address.params["rsvp"] = "TRUE"
    if method == ItipMethod.CANCEL:
        event.pop("status", None)
        event.add("status", "CANCELLED")
    return event


def _calendar(method: str) -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", method)
    return cal


def series_request_ics(*, master: Meeting, now: datetime) -> bytes:
    """METHOD:REQUEST for a meeting, or for a whole series: the first meeting with its RRULE, an
    EXDATE per cancelled occurrence and an override per moved or edited one."""
    [master] = _with_details([master])
    occurrences = _with_details(master.occurrences.all()) if master.rrule else []
    uid = f"{master.uid}@salesops"
    cal = _calendar(ItipMethod.REQUEST)
    head = _itip_event(master, uid=uid, recurrence_id=None, now=now, method=ItipMethod.REQUEST)
    zone = ZoneInfo(master.time_zone)
    cancelled = [o for o in occurrences if o.status == MeetingStatus.CANCELLED]
    if cancelled:
        head.add(
            "exdate", [o.original_start.astimezone(zone) for o in cancelled if o.original_start]
        )
    cal.add_component(head)
    for occurrence in occurrences:
        if occurrence.status == MeetingStatus.CANCELLED or not _is_override(occurrence):
            continue
        cal.add_component(
            _itip_event(
                occurrence,
                uid=uid,
                recurrence_id=occurrence.original_start,
                now=now,
                method=ItipMethod.REQUEST,
            )
        )
    _add_timezones(cal, [master, *occurrences])
    return bytes(cal.to_ical())


def occurrence_ics(
    *,
    occurrences: Sequence[Meeting],
    method: str,
    now: datetime,
    only: Sequence[Attendee] | None = None,
) -> bytes:
    """One VEVENT per occurrence, each under the series' UID with its RECURRENCE-ID (or, for a
    meeting that is not part of a series, the meeting's own UID without one)."""
    rows = _with_details(occurrences)
    masters = {m.pk: m for m in Meeting.objects.filter(pk__in={o.series_id for o in rows})}
    cal = _calendar(method)
    for meeting in rows:
        master = masters.get(meeting.series_id or 0)
        uid = f"{(master or meeting).uid}@salesops"
        recurrence_id = meeting.original_start if master is not None else None
        cal.add_component(
            _itip_event(
                meeting, uid=uid, recurrence_id=recurrence_id, now=now, method=method, only=only
            )
        )
    _add_timezones(cal, rows)
    return bytes(cal.to_ical())


# --- planning ---------------------------------------------------------------------------------

SUBJECTS = {
    "new": "Invitation: {title}",
    "update": "Updated invitation: {title}",
    "cancel": "Cancelled: {title}",
    "removed": "Removed from: {title}",
}


def _body(meeting: Meeting, recipient: Recipient, *, kind: str, links: dict[str, str]) -> str:
    person = recipient.attendee.person
    when = display.when(
        meeting.start,
        meeting.end,
        zone=meeting.time_zone,
        viewer_zone=person.time_zone if person is not None else None,
    )
    return render_to_string(
        "email/invitation.txt",
        {
            "meeting": meeting,
            "recipient": recipient,
            "kind": kind,
            "when": when,
            "links": links,
            "organizer": meeting.organizer,
        },
    )


def _plan(
    *,
    meeting: Meeting,
    to: Iterable[Recipient],
    method: str,
    sequence: int,
    ics: bytes,
    kind: str,
    now: datetime,
) -> int:
    """One Delivery + InvitationPart per recipient; an existing natural key is left alone."""
    planned = 0
    for recipient in to:
        links = (
            rsvp_links(meeting=meeting, recipient_key=recipient.key)
            if kind in ("new", "update")
            else {}
        )
        delivery, created = Delivery.objects.get_or_create(
            kind=DeliveryKind.INVITATION,
            object_ref=f"meeting:{meeting.pk}",
            recipient_key=recipient.key,
            occurrence=f"{method}:{sequence}",
            defaults={
                "recipient_id": recipient.person_id,
                "meeting": meeting,
                "email": recipient.email,
                "subject": SUBJECTS[kind].format(title=meeting.title)[:250],
                "body": _body(meeting, recipient, kind=kind, links=links),
                "url": f"/meetings/{meeting.pk}/",
                "next_attempt_at": now,
            },
        )
        if created:
            InvitationPart.objects.create(
                delivery=delivery, method=method, sequence=sequence, ics=ics.decode()
            )
            planned += 1
    return planned


def _send_soon() -> None:
    from meetings.tasks import invitations_send_task

    try:
        invitations_send_task.delay()
    except Exception as exc:  # noqa: BLE001 - the change is committed; the beat sends later
        logger.warning("invitations queued for the next reminder dispatch: %s", exc)


def _queue_send() -> None:
    """After commit, ask a worker to send now; if the broker is down the planned deliveries
    wait for the reminder dispatcher's next run (they are already in the database)."""
    transaction.on_commit(_send_soon)


def invitations_for_booking(*, meeting: Meeting) -> int:
    """A new meeting (or series): METHOD:REQUEST to every recipient."""
    now = timezone.now()
    meeting.refresh_from_db()
    ics = series_request_ics(master=meeting, now=now)
    planned = _plan(
        meeting=meeting,
        to=recipients(meeting).values(),
        method=ItipMethod.REQUEST,
        sequence=meeting.sequence,
        ics=ics,
        kind="new",
        now=now,
    )
    _queue_send()
    return planned


def invitations_for_update(*, meeting: Meeting, before: dict[str, Recipient]) -> int:
    """A changed meeting: METHOD:REQUEST (its new SEQUENCE) to the recipients it has now, and
    METHOD:CANCEL to those the change removed."""
    now = timezone.now()
    meeting.refresh_from_db()
    current = recipients(meeting)
    if meeting.series_id is None:
        ics = series_request_ics(master=meeting, now=now)
    else:
        ics = occurrence_ics(occurrences=[meeting], method=ItipMethod.REQUEST, now=now)
    planned = _plan(
        meeting=meeting,
        to=current.values(),
        method=ItipMethod.REQUEST,
        sequence=meeting.sequence,
        ics=ics,
        kind="update",
        now=now,
    )
    for key, gone in before.items():
        if key in current:
            continue
        cancel = occurrence_ics(
            occurrences=[meeting], method=ItipMethod.CANCEL, now=now, only=[gone.attendee]
        )
        planned += _plan(
            meeting=meeting,
            to=[gone],
            method=ItipMethod.CANCEL,
            sequence=meeting.sequence,
            ics=cancel,
            kind="removed",
            now=now,
        )
    _queue_send()
    return planned


def invitations_for_cancel(*, meeting_ids: Sequence[int]) -> int:
    """Cancelled meetings: METHOD:CANCEL to their recipients. A whole series cancelled from its
    first meeting is one CANCEL of its UID; cancelled occurrences are one CANCEL naming each
    RECURRENCE-ID."""
    if not meeting_ids:
        return 0
    now = timezone.now()
    rows = list(Meeting.objects.filter(pk__in=list(meeting_ids)).order_by("start", "pk"))
    masters = [m for m in rows if m.series_id is None]
    covered = {m.pk for m in masters}
    planned = 0
    for master in masters:
        ics = occurrence_ics(occurrences=[master], method=ItipMethod.CANCEL, now=now)
        planned += _plan(
            meeting=master,
            to=recipients(master).values(),
            method=ItipMethod.CANCEL,
            sequence=master.sequence,
            ics=ics,
            kind="cancel",
            now=now,
        )
    # Occurrences whose series' first meeting was not cancelled with them.
    loose = [m for m in rows if m.series_id is not None and m.series_id not in covered]
    if loose:
        first = loose[0]
        ics = occurrence_ics(occurrences=loose, method=ItipMethod.CANCEL, now=now)
        planned += _plan(
            meeting=first,
            to=recipients(first).values(),
            method=ItipMethod.CANCEL,
            sequence=max(m.sequence for m in loose),
            ics=ics,
            kind="cancel",
            now=now,
        )
    _queue_send()
    return planned


# --- sending ----------------------------------------------------------------------------------


def invitation_email(delivery: Delivery) -> EmailMultiAlternatives:
    """The message of an invitation Delivery: the text body and the text/calendar part with its
    method parameter (RFC 6047), plus the same calendar as an invite.ics attachment."""
    part = InvitationPart.objects.get(delivery=delivery)
    message = EmailMultiAlternatives(
        subject=delivery.subject, body=delivery.body, to=[delivery.email]
    )
    message.attach_alternative(part.ics, f"text/calendar; method={part.method}")
    message.attach("invite.ics", part.ics.encode(), "application/ics")
    return message


def invitations_send(*, batch: int = 50) -> tuple[int, int]:
    """Claim and send what is due (invitations and anything else due), batch after batch."""
    from meetings.services.reminders import deliveries_claim, deliveries_send

    sent = failed = 0
    while True:
        claimed = deliveries_claim(now=datetime.now(UTC), batch=batch)
        if not claimed:
            return sent, failed
        s, f = deliveries_send(deliveries=claimed)
        sent += s
        failed += f

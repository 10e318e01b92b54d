"""Answering an invitation by a signed link (no login): accept, decline or tentative.

A link carries a TimestampSigner-signed payload (meeting, recipient, a random nonce) and expires
after MEETING_RSVP_LINK_MAX_AGE_DAYS. The three answers of one e-mail share the nonce, and using
a link records the nonce (RsvpLinkUse, unique), so each e-mail's links answer once. Opening a
link shows the answer to confirm (a GET changes nothing: mail scanners open links); the POST
records it. The answer goes to the attendee row (and, for a series, its future occurrences'), is
shown to the organizer on the meeting page and, for a decline, in their notifications.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from meetings import conf
from meetings.models import Attendee, Meeting, MeetingStatus, Notification, Rsvp, RsvpLinkUse
from salesops.exceptions import ApplicationError

SALT = "meetings.rsvp-link"
ANSWERS = (Rsvp.ACCEPTED, Rsvp.DECLINED, Rsvp.TENTATIVE)


def link_max_age() -> timedelta:
    return timedelta(days=int(getattr(settings, "MEETING_RSVP_LINK_MAX_AGE_DAYS", 30)))


@dataclass(frozen=True)
class RsvpLink:
    meeting: Meeting
    attendee: Attendee
    recipient_key: str
    nonce: str
    used: RsvpLinkUse | None


def rsvp_token(*, meeting: Meeting, recipient_key: str) -> str:
    payload = {"m": meeting.pk, "r": recipient_key, "n": secrets.token_urlsafe(16)}
    return signing.dumps(payload, salt=SALT, compress=True)


def rsvp_links(*, meeting: Meeting, recipient_key: str) -> dict[str, str]:
    """Absolute URLs answering accepted / declined / tentative, sharing one single-use token."""
    token = rsvp_token(meeting=meeting, recipient_key=recipient_key)
    base = conf.site_url() + reverse("meetings:rsvp-link", kwargs={"token": token})
    return {answer.value: f"{base}?{urlencode({'answer': answer.value})}" for answer in ANSWERS}


def _attendee_for(meeting: Meeting, recipient_key: str) -> Attendee | None:
    kind, _, value = recipient_key.partition(":")
    qs = meeting.attendees.select_related("person")
    if kind == "person" and value.isdigit():
        return qs.filter(person_id=int(value)).first()
    if kind == "email":
        return qs.filter(person__isnull=True, email=value).first()
    return None


def rsvp_link_resolve(*, token: str) -> RsvpLink:
    """The link's meeting and attendee; ApplicationError if it is forged, expired, or the
    meeting or the invitation is gone."""
    try:
        payload = signing.loads(token, salt=SALT, max_age=link_max_age())
    except signing.SignatureExpired as exc:
        raise ApplicationError("This link has expired; answer on the meeting page.") from exc
    except signing.BadSignature as exc:
        raise ApplicationError("This link is not valid.") from exc
    meeting = Meeting.objects.select_related("organizer").filter(pk=payload.get("m")).first()
    if meeting is None:
        raise ApplicationError("This meeting no longer exists.")
    attendee = _attendee_for(meeting, str(payload.get("r", "")))
    if attendee is None:
        raise ApplicationError("You are no longer invited to this meeting.")
    nonce = str(payload.get("n", ""))
    used = RsvpLinkUse.objects.filter(nonce=nonce).first()
    return RsvpLink(meeting, attendee, str(payload["r"]), nonce, used)


def _apply(*, meeting: Meeting, attendee: Attendee, answer: str) -> int:
    """Store the answer on the attendee and, for the first meeting of a series, on the same
    person's rows of its scheduled future occurrences. Returns rows changed."""
    now = timezone.now()
    same = Q(person_id=attendee.person_id) if attendee.person_id else Q(email=attendee.email)
    rows = Attendee.objects.filter(same, meeting=meeting)
    if meeting.series_id is None and meeting.rrule:
        rows = Attendee.objects.filter(same).filter(
            Q(meeting=meeting)
            | Q(
                meeting__series=meeting,
                meeting__status=MeetingStatus.SCHEDULED,
                meeting__start__gt=now,
            )
        )
    return rows.update(rsvp=answer, responded_at=now)


def rsvp_notify_organizer(*, meeting: Meeting, attendee: Attendee, answer: str) -> None:
    """An in-app notification to the organizer when someone declines."""
    if answer != Rsvp.DECLINED or attendee.person_id == meeting.organizer_id:
        return
    Notification.objects.create(
        person=meeting.organizer,
        title=f"{attendee.display_name} declined “{meeting.title}”"[:250],
        url=f"/meetings/{meeting.pk}/",
    )


@transaction.atomic
def rsvp_link_use(*, token: str, answer: str) -> RsvpLink:
    """Answer by link, once: the nonce is recorded (a second use, or a race, is refused)."""
    if answer not in ANSWERS:
        raise ValidationError({"answer": "Answer accepted, declined or tentative."})
    link = rsvp_link_resolve(token=token)
    if link.used is not None:
        raise ApplicationError(
            "This link was already used; change your answer on the meeting page."
        )
    meeting = Meeting.objects.select_for_update().get(pk=link.meeting.pk)
    if meeting.status != MeetingStatus.SCHEDULED:
        raise ApplicationError(f"This meeting is {meeting.get_status_display().lower()}.")
    if link.attendee.person_id == meeting.organizer_id and answer == Rsvp.DECLINED:
        raise ApplicationError("The organizer cannot decline; cancel the meeting instead.")
    try:
        with transaction.atomic():
            used = RsvpLinkUse.objects.create(
                nonce=link.nonce, meeting=meeting, recipient_key=link.recipient_key, answer=answer
            )
    except IntegrityError as exc:
        raise ApplicationError(
            "This link was already used; change your answer on the meeting page."
        ) from exc
    _apply(meeting=meeting, attendee=link.attendee, answer=answer)
    rsvp_notify_organizer(meeting=meeting, attendee=link.attendee, answer=answer)
    link.attendee.refresh_from_db()
    return RsvpLink(meeting, link.attendee, link.recipient_key, link.nonce, used)

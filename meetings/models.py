"""Models of the meetings app: meetings, their people, agendas, follow-ups and reminder deliveries.

Why one module: the app's models point at each other (meetings, attendees, agendas, deliveries,
invitation parts, booking links) and hold only fields and constraints; one file is the meetings
schema read in one place.

Recurring meetings are materialised: the first meeting of a series carries the RRULE and every
later occurrence inside the horizon is its own Meeting row pointing at it (`series`), see
docs/meetings.md for why.
"""

from __future__ import annotations

import uuid
import zoneinfo

from django.db import models
from django.db.models import F, Q

from meetings import conf


class MeetingType(models.TextChoices):
    TEAM = "team", "Team meeting"
    ONE_ON_ONE = "one_on_one", "One-on-one"
    CLIENT = "client", "Client meeting"
    KICKOFF = "kickoff", "Kickoff"
    TRAINING = "training", "Training"
    COMPENSATION_REVIEW = "compensation_review", "Compensation review"
    PLANNING = "planning", "Planning"


# Every type except client meetings is internal: it counts towards a person's meeting load.
INTERNAL_TYPES = tuple(t for t in MeetingType.values if t != MeetingType.CLIENT)


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"


class Meeting(models.Model):
    title = models.CharField(max_length=200)
    type = models.CharField(max_length=30, choices=MeetingType.choices, default=MeetingType.TEAM)
    organizer = models.ForeignKey(
        "salesops.Person", on_delete=models.PROTECT, related_name="organized_meetings"
    )
    start = models.DateTimeField()
    end = models.DateTimeField()
    # Kept by the services (end - start); lets SQL price and sum meetings without interval maths.
    duration_minutes = models.PositiveIntegerField()
    # The company zone when the row is made (salesops.calendar owns it), not a literal.
    time_zone = models.CharField(max_length=64, default=conf.company_time_zone)
    location = models.CharField(max_length=200, blank=True)
    video_link = models.URLField(blank=True)
    description = models.TextField(blank=True)
    account = models.ForeignKey(
        "salesops.Account",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="meetings",
    )
    deal = models.ForeignKey(
        "salesops.Deal", null=True, blank=True, on_delete=models.SET_NULL, related_name="meetings"
    )
    status = models.CharField(
        max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.SCHEDULED
    )
    rrule = models.CharField(
        "recurrence (RFC 5545 RRULE)",
        max_length=300,
        blank=True,
        help_text="e.g. FREQ=WEEKLY;BYDAY=MO;COUNT=10. Only on the first meeting of a series.",
    )
    series = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="occurrences",
        help_text="The first meeting of the series this occurrence belongs to.",
    )
    # The start the RRULE gave this occurrence (RECURRENCE-ID), even if it was moved later.
    original_start = models.DateTimeField(null=True, blank=True)
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sequence = models.PositiveIntegerField(default=0)
    done_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["start", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="meeting_end_after_start"),
            models.CheckConstraint(
                condition=Q(duration_minutes__gt=0), name="meeting_duration_positive"
            ),
            models.CheckConstraint(
                condition=Q(series__isnull=True) | Q(rrule=""),
                name="meeting_rrule_only_on_series_master",
            ),
            models.UniqueConstraint(
                fields=["series", "original_start"], name="meeting_occurrence_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["start"]),
            models.Index(fields=["organizer", "start"]),
            models.Index(fields=["status", "start"]),
        ]

    def __str__(self) -> str:
        try:
            local = self.start.astimezone(zoneinfo.ZoneInfo(self.time_zone))
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return f"{self.title} ({self.start:%Y-%m-%d %H:%M %Z})"
        return f"{self.title} ({local:%Y-%m-%d %H:%M} {self.time_zone})"

    @property
    def is_internal(self) -> bool:
        return self.type != MeetingType.CLIENT


class Rsvp(models.TextChoices):
    PENDING = "pending", "Pending"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    TENTATIVE = "tentative", "Tentative"


# RSVPs that keep a person busy (conflicts, find-a-time) and in the room (cost, load, reminders).
BUSY_RSVPS = (Rsvp.PENDING, Rsvp.ACCEPTED, Rsvp.TENTATIVE)


class Attendee(models.Model):
    """A person of the org, or an external contact (name and email), invited to a meeting."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendees")
    person = models.ForeignKey(
        "salesops.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="meeting_attendances",
    )
    name = models.CharField(max_length=150, blank=True)
    email = models.EmailField(blank=True)
    required = models.BooleanField(default=True)
    rsvp = models.CharField(max_length=10, choices=Rsvp.choices, default=Rsvp.PENDING)
    responded_at = models.DateTimeField(null=True, blank=True)
    # Marked after the meeting by whoever may edit it: True posts their cost even without an
    # acceptance, False posts none even with one; None (not marked) follows the RSVP.
    attended = models.BooleanField(null=True, blank=True)

    class Meta:
        ordering = ["meeting", "-required", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(person__isnull=False) | ~Q(email=""),
                name="attendee_person_or_email",
            ),
            models.UniqueConstraint(
                fields=["meeting", "person"],
                condition=Q(person__isnull=False),
                name="attendee_unique_person",
            ),
            models.UniqueConstraint(
                fields=["meeting", "email"],
                condition=Q(person__isnull=True),
                name="attendee_unique_external_email",
            ),
        ]
        indexes = [models.Index(fields=["person", "rsvp"])]

    def __str__(self) -> str:
        return f"{self.display_name} @ {self.meeting_id}"

    @property
    def display_name(self) -> str:
        if self.person_id is not None:
            return self.person.name if self.person else ""
        return self.name or self.email

    @property
    def is_external(self) -> bool:
        return self.person_id is None


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda_items")
    order = models.PositiveIntegerField(default=0)
    title = models.CharField(max_length=200)
    owner = models.ForeignKey(
        "salesops.Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="agenda_items",
    )
    minutes = models.PositiveIntegerField(default=10)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["meeting", "order", "id"]
        constraints = [models.CheckConstraint(condition=Q(minutes__gt=0), name="agenda_minutes")]

    def __str__(self) -> str:
        return f"{self.order}. {self.title}"


class ActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"


class ActionItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="action_items")
    owner = models.ForeignKey(
        "salesops.Person", on_delete=models.PROTECT, related_name="action_items"
    )
    description = models.CharField(max_length=500)
    due_date = models.DateField()
    status = models.CharField(max_length=10, choices=ActionStatus.choices, default="open")
    completed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="done", completed_at__isnull=False)
                | (~Q(status="done") & Q(completed_at__isnull=True)),
                name="action_completed_at_iff_done",
            )
        ]
        indexes = [models.Index(fields=["owner", "status", "due_date"])]

    def __str__(self) -> str:
        return self.description[:60]


class DeliveryKind(models.TextChoices):
    MEETING_REMINDER = "meeting_reminder", "Meeting reminder"
    ACTION_DIGEST = "action_digest", "Action item digest"
    FOLLOW_UP = "follow_up", "Customer follow-up"
    INVITATION = "invitation", "Invitation (iTIP)"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed (will retry)"
    DEAD = "dead", "Gave up"


class Delivery(models.Model):
    """One reminder to one recipient, sent exactly once.

    The unique key (kind, object_ref, recipient_key, occurrence) makes planning idempotent; a worker
    claims a row (SELECT … FOR UPDATE SKIP LOCKED, status → sending with a lease) before sending
    and marks it sent after. Failures go back to `failed` with `next_attempt_at` (backoff).
    """

    kind = models.CharField(max_length=20, choices=DeliveryKind.choices)
    object_ref = models.CharField(max_length=60, help_text='e.g. "meeting:42", "deal:7"')
    # "person:<id>" or "email:<address>" (external meeting attendees); part of the unique key.
    recipient_key = models.CharField(max_length=260)
    recipient = models.ForeignKey(
        "salesops.Person",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    occurrence = models.CharField(max_length=60, blank=True)
    meeting = models.ForeignKey(
        Meeting, null=True, blank=True, on_delete=models.CASCADE, related_name="deliveries"
    )
    email = models.EmailField(blank=True)
    subject = models.CharField(max_length=250)
    body = models.TextField()
    url = models.CharField(max_length=200, blank=True)
    status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    lease_until = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "id"]
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "object_ref", "recipient_key", "occurrence"],
                name="delivery_unique_key",
            )
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_ref} → {self.recipient_key} [{self.status}]"


class Notification(models.Model):
    """An in-app notification. One per sent Delivery (the OneToOne makes it idempotent)."""

    person = models.ForeignKey(
        "salesops.Person", on_delete=models.CASCADE, related_name="notifications"
    )
    delivery = models.OneToOneField(
        Delivery, null=True, blank=True, on_delete=models.SET_NULL, related_name="notification"
    )
    title = models.CharField(max_length=250)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=200, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["person", "read_at"])]

    def __str__(self) -> str:
        return self.title


class CalendarFeed(models.Model):
    """A person's secret subscription URL. Only a SHA-256 of the token is stored."""

    person = models.OneToOneField(
        "salesops.Person", on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"calendar feed of {self.person_id}"


class PendingMeetingCost(models.Model):
    """A done meeting whose cost is implausible to post unchecked (longer than
    MEETING_COST_MAX_HOURS, or ended more than MEETING_COST_MAX_AGE_DAYS ago): nothing is on the
    ledger until sales ops confirms it on /ops/ (meetings.services.costs.meeting_cost_confirm)."""

    meeting = models.OneToOneField(Meeting, on_delete=models.CASCADE, related_name="pending_cost")
    reason = models.CharField(max_length=255)
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        "auth.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        state = "confirmed" if self.confirmed_at else "pending"
        return f"{self.meeting_id}: {state} ({self.reason})"


class ItipMethod(models.TextChoices):
    REQUEST = "REQUEST", "Request"
    CANCEL = "CANCEL", "Cancel"


class InvitationPart(models.Model):
    """The text/calendar part (RFC 5546 iTIP, RFC 6047 iMIP) of an invitation Delivery: frozen
    when the change is planned, so a retry sends the same SEQUENCE the change produced."""

    delivery = models.OneToOneField(
        Delivery, on_delete=models.CASCADE, related_name="invitation_part"
    )
    method = models.CharField(max_length=10, choices=ItipMethod.choices)
    sequence = models.PositiveIntegerField()
    ics = models.TextField()

    def __str__(self) -> str:
        return f"{self.method} seq {self.sequence} ({self.delivery_id})"


class RsvpLinkUse(models.Model):
    """A signed RSVP link that was used: its nonce is unique, so a link answers once."""

    nonce = models.CharField(max_length=64, unique=True)
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="rsvp_link_uses")
    recipient_key = models.CharField(max_length=260)
    answer = models.CharField(max_length=10, choices=Rsvp.choices)
    used_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-used_at", "id"]

    def __str__(self) -> str:
        return f"{self.recipient_key} {self.answer} @ {self.meeting_id}"


class MeetingDeal(models.Model):
    """A deal a meeting was held for (cost of pursuit). A meeting may serve several deals."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="deal_links")
    deal = models.ForeignKey(
        "salesops.Deal", on_delete=models.CASCADE, related_name="meeting_links"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["meeting", "deal"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "deal"], name="meeting_deal_unique")
        ]
        indexes = [models.Index(fields=["deal", "meeting"], name="meetingdeal_deal_idx")]

    def __str__(self) -> str:
        return f"meeting {self.meeting_id} for deal {self.deal_id}"


# --- outside free/busy (docs/meetings-booking.md) ---------------------------------------------


class FeedStatus(models.TextChoices):
    PENDING = "pending", "Not fetched yet"
    OK = "ok", "OK"
    ERROR = "error", "Error"


class BusyFeed(models.Model):
    """A person's outside calendar (a secret ICS address) read for busy times only.

    `busy_feeds_fetch` claims due feeds (next_fetch_at, a lease), fetches with conditional GET and
    replaces the feed's BusyBlocks; the outcome is recorded here and shown to the owner."""

    person = models.ForeignKey(
        "salesops.Person", on_delete=models.CASCADE, related_name="busy_feeds"
    )
    label = models.CharField(max_length=80, blank=True)
    url = models.URLField(max_length=2000)
    status = models.CharField(max_length=10, choices=FeedStatus.choices, default="pending")
    error = models.CharField(max_length=500, blank=True)
    etag = models.CharField(max_length=500, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)
    last_fetched_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    blocks_count = models.PositiveIntegerField(default=0)
    next_fetch_at = models.DateTimeField(auto_now_add=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["person", "id"]
        constraints = [
            models.UniqueConstraint(fields=["person", "url"], name="busyfeed_unique_url"),
        ]
        indexes = [models.Index(fields=["next_fetch_at"])]

    def __str__(self) -> str:
        return f"busy feed {self.pk} of {self.person_id} [{self.status}]"


class BusyBlock(models.Model):
    """One busy interval from an outside feed: start and end only, never a title."""

    feed = models.ForeignKey(BusyFeed, on_delete=models.CASCADE, related_name="blocks")
    person = models.ForeignKey("salesops.Person", on_delete=models.CASCADE, related_name="+")
    start = models.DateTimeField()
    end = models.DateTimeField()

    class Meta:
        ordering = ["person", "start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=F("start")), name="busyblock_end_after_start"
            )
        ]
        indexes = [models.Index(fields=["person", "start", "end"])]

    def __str__(self) -> str:
        return f"{self.person_id} busy {self.start:%Y-%m-%d %H:%M}–{self.end:%H:%M} UTC"


# --- booking links (docs/meetings-booking.md) -------------------------------------------------


class AccountDomain(models.Model):
    """An e-mail domain of an account (sales ops keeps these): a prospect writing from it is that
    account's, which routes a team booking link by the account's territory."""

    domain = models.CharField(max_length=253, unique=True)
    account = models.ForeignKey(
        "salesops.Account", on_delete=models.CASCADE, related_name="email_domains"
    )

    class Meta:
        ordering = ["domain"]
        constraints = [
            models.CheckConstraint(
                condition=Q(domain=models.functions.Lower("domain")), name="accountdomain_lower"
            )
        ]

    def __str__(self) -> str:
        return f"{self.domain} → {self.account_id}"


class BookingLink(models.Model):
    """A public page where a prospect books a meeting with a person, or with a team (routed by
    the account's territory, then round robin weighted by meeting load)."""

    slug = models.SlugField(max_length=60, unique=True)
    title = models.CharField(max_length=200)
    person = models.ForeignKey(
        "salesops.Person",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="booking_links",
    )
    team = models.ForeignKey(
        "salesops.Team", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    duration_minutes = models.PositiveIntegerField(default=30)
    buffer_minutes = models.PositiveIntegerField(default=0)
    min_notice_minutes = models.PositiveIntegerField(default=240)
    horizon_days = models.PositiveIntegerField(default=14)
    # Extra questions for the prospect: a list of short labels; the answers go into the meeting.
    questions = models.JSONField(default=list, blank=True)
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        "auth.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(person__isnull=False, team__isnull=True)
                | Q(person__isnull=True, team__isnull=False),
                name="bookinglink_person_xor_team",
            ),
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=5, duration_minutes__lte=480),
                name="bookinglink_duration_bounds",
            ),
            models.CheckConstraint(
                condition=Q(buffer_minutes__lte=240), name="bookinglink_buffer_bounds"
            ),
            models.CheckConstraint(
                condition=Q(min_notice_minutes__lte=60 * 24 * 30),
                name="bookinglink_notice_bounds",
            ),
            models.CheckConstraint(
                condition=Q(horizon_days__gte=1, horizon_days__lte=90),
                name="bookinglink_horizon_bounds",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Booking(models.Model):
    """A meeting a prospect booked through a link, with who it was routed to and why."""

    link = models.ForeignKey(BookingLink, on_delete=models.PROTECT, related_name="bookings")
    meeting = models.OneToOneField(Meeting, on_delete=models.CASCADE, related_name="booking")
    routed_to = models.ForeignKey("salesops.Person", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=150)
    email = models.EmailField()
    answers = models.JSONField(default=dict, blank=True)
    reason = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "id"]

    def __str__(self) -> str:
        return f"booking {self.pk} via {self.link_id} → {self.routed_to_id}"


class BookingAttemptCounter(models.Model):
    """Booking attempts per client and window (a fixed-window rate limit kept in the database, so
    every web process shares it); old windows are deleted by the feed task's sweep."""

    key = models.CharField(max_length=120)
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key", "window_start"], name="bookingattempt_unique")
        ]

    def __str__(self) -> str:
        return f"{self.key} @ {self.window_start}: {self.count}"

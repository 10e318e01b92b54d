"""What follows from the demo's meetings once they are written: the deals client meetings were
held for, action items, the posted cost of done meetings (as the product posts it) and a couple
of in-app reminders."""

from __future__ import annotations

import random
import zoneinfo
from collections import defaultdict
from datetime import date, datetime, time, timedelta

from django.db.models import Q

from meetings import display
from meetings.models import (
    ActionItem,
    Attendee,
    Meeting,
    MeetingDeal,
    MeetingStatus,
    MeetingType,
    Notification,
    Rsvp,
)
from meetings.services.costs import attendee_cost, meeting_cost_date, meeting_ledger_ref
from salesops.models import CostCategory, Deal, Person
from salesops.services.costs import costs_post_computed

ACTIONS = [
    "Send the proposal",
    "Update the forecast in the CRM",
    "Book the follow-up demo",
    "Share the call notes",
    "Ask legal about the contract clause",
    "Prepare the account plan",
    "Introduce the customer-success lead",
]


def deal_links(meetings: list[Meeting]) -> None:
    """Client meetings are held for the organizer's deals with that account that were being
    pursued on the day (engaged before, not closed yet), so cost of pursuit has data."""
    client = [m for m in meetings if m.type == MeetingType.CLIENT and m.account_id is not None]
    if not client:
        return
    deals: dict[tuple[int, int], list[Deal]] = defaultdict(list)
    for deal in Deal.objects.filter(
        account_id__in={m.account_id for m in client},
        owner_id__in={m.organizer_id for m in client},
    ).only("id", "account_id", "owner_id", "engage_date", "close_date"):
        if deal.account_id is not None and deal.owner_id is not None:
            deals[(deal.account_id, deal.owner_id)].append(deal)
    links = []
    for m in client:
        day = m.start.date()
        for deal in deals.get((m.account_id, m.organizer_id), []):  # type: ignore[arg-type]
            started = deal.engage_date is None or deal.engage_date <= day
            if started and (deal.close_date is None or day <= deal.close_date):
                links.append(MeetingDeal(meeting=m, deal=deal))
    MeetingDeal.objects.bulk_create(links, batch_size=2000, ignore_conflicts=True)


def action_items(rng: random.Random, meetings: list[Meeting], today: date) -> None:
    rows: list[ActionItem] = []
    attendees: dict[int, list[int]] = defaultdict(list)
    for meeting_id, person_id in Attendee.objects.filter(
        meeting__in=[m.pk for m in meetings if m.status == MeetingStatus.DONE],
        person__isnull=False,
    ).values_list("meeting_id", "person_id"):
        attendees[meeting_id].append(person_id)
    for m in meetings:
        if m.status != MeetingStatus.DONE or (m.type == MeetingType.CLIENT and rng.random() < 0.5):
            continue
        for _ in range(rng.randint(0, 2)):
            due = m.start.date() + timedelta(days=rng.randint(2, 14))
            done = due < today and rng.random() < 0.6
            rows.append(
                ActionItem(
                    meeting=m,
                    owner_id=rng.choice(attendees[m.pk] or [m.organizer_id]),
                    description=rng.choice(ACTIONS),
                    due_date=due,
                    status="done" if done else "open",
                    completed_at=datetime.combine(due, time(12), tzinfo=zoneinfo.ZoneInfo("UTC"))
                    if done
                    else None,
                )
            )
    ActionItem.objects.bulk_create(rows, batch_size=2000)


def post_costs(meetings: list[Meeting]) -> None:
    """Done meetings post their cost as the product does (one upsert per meeting)."""
    done = {m.pk: m for m in meetings if m.status == MeetingStatus.DONE}
    entries: dict[int, list[tuple[Person, date, object]]] = defaultdict(list)
    for a in (
        Attendee.objects.filter(meeting_id__in=list(done), person__isnull=False)
        .exclude(rsvp=Rsvp.DECLINED)
        .select_related("person")
    ):
        m = done[a.meeting_id]
        person = a.person
        assert person is not None
        entries[m.pk].append(
            (
                person,
                meeting_cost_date(m),
                attendee_cost(hourly_cost=person.hourly_cost, minutes=m.duration_minutes),
            )
        )
    for meeting_id, rows in entries.items():
        costs_post_computed(
            external_ref=meeting_ledger_ref(done[meeting_id]),
            category=CostCategory.MEETING_TIME,
            entries=rows,  # type: ignore[arg-type]
            note=f"Meeting time: {done[meeting_id].title}"[:255],
        )


def notifications(
    rep: Person | None, manager: Person | None, meetings: list[Meeting], now: datetime
) -> None:
    upcoming = [m for m in meetings if m.start > now and m.status == MeetingStatus.SCHEDULED]
    rows = []
    for person in (p for p in (rep, manager) if p is not None):
        mine = Meeting.objects.filter(
            Q(pk__in=[m.pk for m in upcoming[:500]]), attendees__person=person
        ).order_by("start")[:2]
        for m in mine:
            rows.append(
                Notification(
                    person=person,
                    title=f"Reminder: {m.title} — "
                    + display.when(m.start, None, zone=m.time_zone, viewer_zone=person.time_zone),
                    body="You are invited. The agenda is on the meeting page.",
                    url=f"/meetings/{m.pk}/",
                )
            )
    Notification.objects.bulk_create(rows)

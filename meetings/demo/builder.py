"""The demo's people (by scale) and the builder that collects its meetings, with their attendees,
RSVPs and agendas, and writes them in bulk (series masters first)."""

from __future__ import annotations

import random
import zoneinfo
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta

from meetings.models import (
    AgendaItem,
    Attendee,
    Meeting,
    MeetingStatus,
    MeetingType,
    Rsvp,
)
from salesops.models import Account, Person

WEEKS_BACK, WEEKS_AHEAD = 4, 4
LARGE_PEOPLE = 300
TOPICS: dict[str, list[str]] = {
    MeetingType.TEAM: [
        "Pipeline review",
        "Wins and losses",
        "Forecast",
        "Product news",
        "Objectives",
    ],
    MeetingType.ONE_ON_ONE: ["Coaching: discovery calls", "Deals at risk", "Goals and pace"],
    MeetingType.CLIENT: ["Needs assessment", "Product demo", "Proposal walkthrough", "Objections"],
    MeetingType.TRAINING: [
        "Negotiation skills",
        "New pricing",
        "CRM hygiene",
        "Objection handling",
    ],
    MeetingType.PLANNING: ["Territory plan", "Marketing campaign calendar", "Lead routing"],
}


def demo_people(scale: str) -> list[Person]:
    """The demo manager's subtree first (so the demo logins always have meetings), then whole
    teams until the scale's budget is met."""
    qs = Person.objects.filter(active=True).select_related("team").order_by("team_id", "id")
    if scale != "large":
        return list(qs)
    manager = Person.objects.filter(user__username="manager").first()
    first_teams: set[int] = {manager.team_id} if manager and manager.team_id else set()
    if manager is not None:
        first_teams |= set(manager.managed_teams.values_list("pk", flat=True))
    chosen = list(qs.filter(team_id__in=first_teams))
    seen = {p.team_id for p in chosen if p.team_id is not None}
    others = qs.exclude(team_id__in=seen).filter(team__isnull=False)
    for team_id in others.order_by("team_id").values_list("team_id", flat=True).distinct():
        if len(chosen) >= LARGE_PEOPLE:
            break
        chosen.extend(qs.filter(team_id=team_id))
    return chosen


def at(person: Person, day: date, hour: float) -> datetime:
    tz = zoneinfo.ZoneInfo(person.time_zone)
    start = max(person.work_start.hour, 8)
    return datetime.combine(day, time(0), tzinfo=tz) + timedelta(hours=start + hour)


class Builder:
    def __init__(self, rng: random.Random, now: datetime) -> None:
        self.rng = rng
        self.now = now
        self.meetings: list[Meeting] = []
        self.people: list[list[tuple[Person, bool]]] = []
        self.agendas: list[Sequence[tuple[str, int, Person | None]]] = []
        self.externals: list[list[tuple[str, str]]] = []

    def add(
        self,
        *,
        kind: str,
        title: str,
        organizer: Person,
        start: datetime,
        minutes: int,
        attendees: list[Person],
        agenda: Sequence[tuple[str, int, Person | None]] | None = None,
        externals: list[tuple[str, str]] | None = None,
        account: Account | None = None,
        series: Meeting | None = None,
        rrule: str = "",
    ) -> Meeting:
        past = start + timedelta(minutes=minutes) < self.now
        status = MeetingStatus.SCHEDULED
        if past:
            status = MeetingStatus.CANCELLED if self.rng.random() < 0.05 else MeetingStatus.DONE
        meeting = Meeting(
            title=title,
            type=kind,
            organizer=organizer,
            start=start,
            end=start + timedelta(minutes=minutes),
            duration_minutes=minutes,
            time_zone=organizer.time_zone,
            location="Zoom" if kind != MeetingType.CLIENT else (account.name if account else ""),
            video_link="https://meet.example.com/" + str(self.rng.randrange(10**8)),
            account=account,
            status=status,
            done_at=start + timedelta(minutes=minutes) if status == MeetingStatus.DONE else None,
            series=series,
            rrule=rrule,
            original_start=start if (series or rrule) else None,
        )
        if agenda is None:
            topics = TOPICS.get(kind, ["Updates"])
            n = self.rng.randint(1, min(3, len(topics)))
            share = max(5, minutes // (n + 1))
            owners = [organizer, *attendees]
            agenda = [(t, share, self.rng.choice(owners)) for t in self.rng.sample(topics, n)]
        self.meetings.append(meeting)
        self.people.append([(p, p.pk == organizer.pk) for p in [organizer, *attendees]])
        self.agendas.append(agenda)
        self.externals.append(externals or [])
        return meeting

    def rsvp(self, past: bool, organizer: bool) -> str:
        if organizer:
            return Rsvp.ACCEPTED
        r = self.rng.random()
        if past:
            return Rsvp.DECLINED if r < 0.07 else Rsvp.ACCEPTED
        if r < 0.45:
            return Rsvp.ACCEPTED
        if r < 0.55:
            return Rsvp.TENTATIVE
        return Rsvp.DECLINED if r < 0.62 else Rsvp.PENDING

    def save(self) -> list[Meeting]:
        # Series masters first, so occurrences can point at them.
        masters = [m for m in self.meetings if m.rrule]
        Meeting.objects.bulk_create(masters, batch_size=1000)
        for m in self.meetings:
            if m.series is not None:
                m.series_id = m.series.pk
        Meeting.objects.bulk_create([m for m in self.meetings if not m.rrule], batch_size=1000)
        attendees: list[Attendee] = []
        agenda: list[AgendaItem] = []
        for meeting, people, items, externals in zip(
            self.meetings, self.people, self.agendas, self.externals, strict=True
        ):
            past = meeting.start < self.now
            seen: set[int] = set()
            for person, is_org in people:
                if person.pk in seen:
                    continue
                seen.add(person.pk)
                attendees.append(
                    Attendee(meeting=meeting, person=person, rsvp=self.rsvp(past, is_org))
                )
            for name, email in externals:
                attendees.append(
                    Attendee(meeting=meeting, name=name, email=email, rsvp=Rsvp.ACCEPTED)
                )
            for order, (title, minutes, owner) in enumerate(items, start=1):
                agenda.append(
                    AgendaItem(
                        meeting=meeting, order=order, title=title, minutes=minutes, owner=owner
                    )
                )
        Attendee.objects.bulk_create(attendees, batch_size=2000)
        AgendaItem.objects.bulk_create(agenda, batch_size=2000)
        return self.meetings

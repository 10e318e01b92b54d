"""Demo data of the meetings app, called by `manage.py seed_demo` after the core data exists.

Eight weeks around today (four back, four ahead) of every meeting type for the demo `manager`'s
teams and a few more teams (all people at "small", a few hundred at "large"): weekly team meetings
as a recurring series, one-on-ones, client meetings with external contacts, training, planning, a
kickoff with its proposed agenda (and, for last year's, a compensation review), agendas, RSVPs,
action items (some overdue), a couple of in-app notifications, and deliberately overloaded people
(the demo `rep` and `manager` among them). Past meetings are done and their cost is posted to the
ledger through the same service as the product uses.

One module past ~400 lines: one scenario, each meeting kind a short step of seed_demo, read in order.
"""

from __future__ import annotations

import random
import zoneinfo
from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from meetings import display
from meetings.models import (
    ActionItem,
    AgendaItem,
    Attendee,
    Meeting,
    MeetingDeal,
    MeetingStatus,
    MeetingType,
    Notification,
    Rsvp,
)
from meetings.selectors.kickoff import kickoff_agenda_proposal
from meetings.services.costs import attendee_cost, meeting_cost_date, meeting_ledger_ref
from salesops import calendar
from salesops.models import Account, CostCategory, Deal, Person, Role
from salesops.services.costs import costs_post_computed

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
ACTIONS = [
    "Send the proposal",
    "Update the forecast in the CRM",
    "Book the follow-up demo",
    "Share the call notes",
    "Ask legal about the contract clause",
    "Prepare the account plan",
    "Introduce the customer-success lead",
]


def _people(scale: str) -> list[Person]:
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


def _at(person: Person, day: date, hour: float) -> datetime:
    tz = zoneinfo.ZoneInfo(person.time_zone)
    start = max(person.work_start.hour, 8)
    return datetime.combine(day, time(0), tzinfo=tz) + timedelta(hours=start + hour)


class _Builder:
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


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _team_meetings(
    b: _Builder,
    rng: random.Random,
    members: list[Person],
    weeks: list[date],
    accounts_by_owner: dict[int, list[Account]],
) -> None:
    """A team's weekly meeting (one RRULE series), one-on-ones, client calls and trainings."""
    lead = next((p for p in members if p.role == Role.SALES_MANAGER), members[0])
    team = [p for p in members if p.pk != lead.pk]
    # Weekly team meeting: one series (RRULE) materialised as occurrences.
    master = b.add(
        kind=MeetingType.TEAM,
        title=f"{lead.team.name if lead.team else 'Team'} weekly",
        organizer=lead,
        start=_at(lead, weeks[0], 1),
        minutes=60,
        attendees=team,
        rrule=f"FREQ=WEEKLY;COUNT={len(weeks)}",
    )
    for w in weeks[1:]:
        b.add(
            kind=MeetingType.TEAM,
            title=master.title,
            organizer=lead,
            start=_at(lead, w, 1),
            minutes=60,
            attendees=team,
            series=master,
        )
    for i, w in enumerate(weeks):
        day = w + timedelta(days=rng.randint(1, 4))
        for rep in team[i % 2 :: 2]:  # one-on-ones every other week
            b.add(
                kind=MeetingType.ONE_ON_ONE,
                title=f"1:1 {lead.name.split()[0]} / {rep.name.split()[0]}",
                organizer=lead,
                start=_at(rep, day, rng.choice([2, 3, 5, 6])),
                minutes=30,
                attendees=[rep],
            )
        for rep in team:
            _client_meetings(b, rng, rep, w, accounts_by_owner.get(rep.pk, []))
        if i % 4 == 1 and team:
            b.add(
                kind=MeetingType.TRAINING,
                title=rng.choice(TOPICS[MeetingType.TRAINING]),
                organizer=lead,
                start=_at(lead, w + timedelta(days=3), 4),
                minutes=120,
                attendees=team,
            )


def _client_meetings(
    b: _Builder, rng: random.Random, rep: Person, week: date, owned: list[Account]
) -> None:
    """Zero to two customer calls a week for a rep who meets customers."""
    if rep.role not in (Role.ACCOUNT_EXECUTIVE, Role.SDR, Role.CUSTOMER_SUCCESS):
        return
    for _ in range(rng.randint(0, 2)):
        account = rng.choice([*owned] or [None])
        b.add(
            kind=MeetingType.CLIENT,
            title=f"{rng.choice(TOPICS[MeetingType.CLIENT])}"
            + (f" — {account.name}" if account else ""),
            organizer=rep,
            start=_at(rep, week + timedelta(days=rng.randint(0, 4)), rng.choice([0, 4, 5.5])),
            minutes=rng.choice([30, 45, 60]),
            attendees=[],
            externals=[("Jordan Buyer", f"buyer{rng.randrange(10**6)}@customer.example")],
            account=account,
        )


def _manager_planning(
    b: _Builder, rng: random.Random, people: list[Person], weeks: list[date]
) -> None:
    """Cross-functional planning among managers, every other week."""
    managers = [p for p in people if p.role in (Role.SALES_MANAGER, Role.SALES_OPS_MANAGER)][:12]
    if len(managers) < 2:
        return
    for w in weeks[::2]:
        b.add(
            kind=MeetingType.PLANNING,
            title=rng.choice(TOPICS[MeetingType.PLANNING]),
            organizer=managers[0],
            start=_at(managers[0], w + timedelta(days=2), 5),
            minutes=60,
            attendees=managers[1:],
        )


def _kickoffs(b: _Builder, host: Person, crew: list[Person], weeks: list[date]) -> None:
    """The last kickoff (with its compensation review), and an upcoming one that still warns."""
    for week, review in ((weeks[1], True), (weeks[-2], False)):
        start = _at(host, week + timedelta(days=1), 0)
        agenda = [
            (a.title, a.minutes, host) for a in kickoff_agenda_proposal(start=start, minutes=240)
        ]
        b.add(
            kind=MeetingType.KICKOFF,
            title=f"Sales kickoff {week:%B %Y}",
            organizer=host,
            start=start,
            minutes=240,
            attendees=crew,
            agenda=agenda,
        )
        if review:
            b.add(
                kind=MeetingType.COMPENSATION_REVIEW,
                title="Compensation review (conference call)",
                organizer=host,
                start=_at(host, week + timedelta(days=8), 2),
                minutes=45,
                attendees=crew,
                agenda=[("Plan changes for the year", 30, host), ("Questions", 15, host)],
            )


def _overload(b: _Builder, heavy: list[Person], weeks: list[date]) -> None:
    """The demo rep and manager (and two teammates) sit in long deal reviews."""
    for w in (weeks[WEEKS_BACK - 1], weeks[WEEKS_BACK]):
        for offset in range(4):
            b.add(
                kind=MeetingType.PLANNING,
                title="Deal desk review",
                organizer=heavy[0],
                start=_at(heavy[0], w + timedelta(days=offset), 2.5),
                minutes=150,
                attendees=heavy[1:],
            )


def _accounts_by_owner(people: list[Person]) -> dict[int, list[Account]]:
    by_owner: dict[int, list[Account]] = defaultdict(list)
    owned = Account.objects.filter(owner_id__in=[p.pk for p in people]).order_by("id")
    for account in owned[: len(people) * 5]:
        if account.owner_id is not None:
            by_owner[account.owner_id].append(account)
    return by_owner


def seed_demo(*, seed: int, scale: str) -> None:
    """Add this app's demo rows. Deterministic for a given seed; scale is 'small' or 'large'."""
    rng = random.Random(f"meetings-{seed}")
    people = _people(scale)
    if not people:
        return
    now = timezone.now()
    today = calendar.company_today()
    this_monday = _monday(today)
    weeks = [this_monday + timedelta(weeks=w) for w in range(-WEEKS_BACK, WEEKS_AHEAD)]
    b = _Builder(rng, now)
    by_team: dict[int, list[Person]] = defaultdict(list)
    for p in people:
        if p.team_id is not None:
            by_team[p.team_id].append(p)
    accounts_by_owner = _accounts_by_owner(people)
    demo_rep = Person.objects.filter(user__username="rep").first()
    demo_manager = Person.objects.filter(user__username="manager").first()

    with transaction.atomic():
        for members in by_team.values():
            _team_meetings(b, rng, members, weeks, accounts_by_owner)
        _manager_planning(b, rng, people, weeks)
        host = demo_manager or people[0]
        crew = by_team.get(host.team_id or -1, [host])
        _kickoffs(b, host, crew, weeks)
        heavy = [p for p in (demo_rep, demo_manager) if p is not None]
        heavy += [p for p in crew if p not in heavy][:2]
        _overload(b, heavy, weeks)
        meetings = b.save()
        _deal_links(meetings)
        _action_items(rng, meetings, today)
        _post_costs(meetings)
        _notifications(demo_rep, demo_manager, meetings, now)


def _deal_links(meetings: list[Meeting]) -> None:
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


def _action_items(rng: random.Random, meetings: list[Meeting], today: date) -> None:
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


def _post_costs(meetings: list[Meeting]) -> None:
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


def _notifications(
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

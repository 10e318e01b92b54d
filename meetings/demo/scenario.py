"""The demo's meetings, one kind a step: a team's weekly series, one-on-ones, client calls and
trainings; managers' planning; the kickoffs; the deliberately overloaded people."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, timedelta

from meetings.demo.builder import TOPICS, WEEKS_BACK, Builder, at
from meetings.models import MeetingType
from meetings.selectors.kickoff import kickoff_agenda_proposal
from salesops.models import Account, Person, Role


def team_meetings(
    b: Builder,
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
        start=at(lead, weeks[0], 1),
        minutes=60,
        attendees=team,
        rrule=f"FREQ=WEEKLY;COUNT={len(weeks)}",
    )
    for w in weeks[1:]:
        b.add(
            kind=MeetingType.TEAM,
            title=master.title,
            organizer=lead,
            start=at(lead, w, 1),
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
                start=at(rep, day, rng.choice([2, 3, 5, 6])),
                minutes=30,
                attendees=[rep],
            )
        for rep in team:
            client_meetings(b, rng, rep, w, accounts_by_owner.get(rep.pk, []))
        if i % 4 == 1 and team:
            b.add(
                kind=MeetingType.TRAINING,
                title=rng.choice(TOPICS[MeetingType.TRAINING]),
                organizer=lead,
                start=at(lead, w + timedelta(days=3), 4),
                minutes=120,
                attendees=team,
            )


def client_meetings(
    b: Builder, rng: random.Random, rep: Person, week: date, owned: list[Account]
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
            start=at(rep, week + timedelta(days=rng.randint(0, 4)), rng.choice([0, 4, 5.5])),
            minutes=rng.choice([30, 45, 60]),
            attendees=[],
            externals=[("Jordan Buyer", f"buyer{rng.randrange(10**6)}@customer.example")],
            account=account,
        )


def manager_planning(
    b: Builder, rng: random.Random, people: list[Person], weeks: list[date]
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
            start=at(managers[0], w + timedelta(days=2), 5),
            minutes=60,
            attendees=managers[1:],
        )


def kickoffs(b: Builder, host: Person, crew: list[Person], weeks: list[date]) -> None:
    """The last kickoff (with its compensation review), and an upcoming one that still warns."""
    for week, review in ((weeks[1], True), (weeks[-2], False)):
        start = at(host, week + timedelta(days=1), 0)
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
                start=at(host, week + timedelta(days=8), 2),
                minutes=45,
                attendees=crew,
                agenda=[("Plan changes for the year", 30, host), ("Questions", 15, host)],
            )


def overload(b: Builder, heavy: list[Person], weeks: list[date]) -> None:
    """The demo rep and manager (and two teammates) sit in long deal reviews."""
    for w in (weeks[WEEKS_BACK - 1], weeks[WEEKS_BACK]):
        for offset in range(4):
            b.add(
                kind=MeetingType.PLANNING,
                title="Deal desk review",
                organizer=heavy[0],
                start=at(heavy[0], w + timedelta(days=offset), 2.5),
                minutes=150,
                attendees=heavy[1:],
            )


def accounts_by_owner(people: list[Person]) -> dict[int, list[Account]]:
    by_owner: dict[int, list[Account]] = defaultdict(list)
    owned = Account.objects.filter(owner_id__in=[p.pk for p in people]).order_by("id")
    for account in owned[: len(people) * 5]:
        if account.owner_id is not None:
            by_owner[account.owner_id].append(account)
    return by_owner

"""Demo data of the meetings app, called by `manage.py seed_demo` after the core data exists.

Eight weeks around today (four back, four ahead) of every meeting type for the demo `manager`'s
teams and a few more teams (all people at "small", a few hundred at "large"): weekly team meetings
as a recurring series, one-on-ones, client meetings with external contacts, training, planning, a
kickoff with its proposed agenda (and, for last year's, a compensation review), agendas, RSVPs,
action items (some overdue), a couple of in-app notifications, and deliberately overloaded people
(the demo `rep` and `manager` among them). Past meetings are done and their cost is posted to the
ledger through the same service as the product uses.

`seed_demo` reads in order: who (meetings.demo.builder: the people of the scale, the builder
that collects meetings and writes them in bulk), which meetings (meetings.demo.scenario: each
meeting kind a short step), then what follows from them (meetings.demo.follow_up: deal links,
action items, posted costs, notifications).
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from meetings.demo.builder import WEEKS_AHEAD, WEEKS_BACK, Builder, demo_people
from meetings.demo.follow_up import action_items, deal_links, notifications, post_costs
from meetings.demo.scenario import (
    accounts_by_owner,
    kickoffs,
    manager_planning,
    overload,
    team_meetings,
)
from salesops import calendar
from salesops.models import Person


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def seed_demo(*, seed: int, scale: str) -> None:
    """Add this app's demo rows. Deterministic for a given seed; scale is 'small' or 'large'."""
    rng = random.Random(f"meetings-{seed}")
    people = demo_people(scale)
    if not people:
        return
    now = timezone.now()
    today = calendar.company_today()
    this_monday = monday(today)
    weeks = [this_monday + timedelta(weeks=w) for w in range(-WEEKS_BACK, WEEKS_AHEAD)]
    b = Builder(rng, now)
    by_team: dict[int, list[Person]] = defaultdict(list)
    for p in people:
        if p.team_id is not None:
            by_team[p.team_id].append(p)
    owned = accounts_by_owner(people)
    demo_rep = Person.objects.filter(user__username="rep").first()
    demo_manager = Person.objects.filter(user__username="manager").first()

    with transaction.atomic():
        for members in by_team.values():
            team_meetings(b, rng, members, weeks, owned)
        manager_planning(b, rng, people, weeks)
        host = demo_manager or people[0]
        crew = by_team.get(host.team_id or -1, [host])
        kickoffs(b, host, crew, weeks)
        heavy = [p for p in (demo_rep, demo_manager) if p is not None]
        heavy += [p for p in crew if p not in heavy][:2]
        overload(b, heavy, weeks)
        meetings = b.save()
        deal_links(meetings)
        action_items(rng, meetings, today)
        post_costs(meetings)
        notifications(demo_rep, demo_manager, meetings, now)

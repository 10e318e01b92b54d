"""Meetings: find-a-time for 30 attendees over 4 weeks of their meetings, and the load selector.

The data is made here, inside a transaction that is rolled back at the end, on top of whatever
the benchmark database holds (the large demo adds noise to the attendee table):
30 people in five time zones with assorted working hours, each in ~4 meetings a working day for
the 4 weeks searched (about 2,400 meetings, 30 × 80 attendances).

Figures, each against a floor measured in the same run:
- find_time (2 queries + the interval sweep) against the floor of just loading the busy
  intervals (the same SELECT, rows fetched): the sweep should add little. Also the absolute time,
  which the issue wants "well under a second".
- meeting_load_by_person for the 30 people against the hand-written GROUP BY it replaces.
"""

from __future__ import annotations

import random
import zoneinfo
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from benchmarks.harness import BenchContext, Result
from meetings.models import Attendee, Meeting
from meetings.selectors.load import meeting_load_by_person
from meetings.services.findtime import busy_intervals, find_time
from salesops.models import Person, Team

# London works 8–16 and the others 9–17 local: the same hours in UTC, computed per time zone.
ZONES = ["Europe/Berlin", "Europe/London", "Europe/Paris", "Europe/Madrid", "Europe/Stockholm"]
PEOPLE = 30
WEEKS = 4


class _Rollback(Exception):
    pass


def _make_data(rng: random.Random, start_day: datetime) -> list[int]:
    team = Team.objects.create(name=f"Bench meetings {rng.randrange(10**9)}")
    people = Person.objects.bulk_create(
        [
            Person(
                name=f"Bench meetings person {team.pk}-{i}",
                team=team,
                time_zone=ZONES[i % len(ZONES)],
                work_start=time(8 if i % len(ZONES) == 1 else 9),
                work_end=time(16 if i % len(ZONES) == 1 else 17),
                hourly_cost=Decimal(50 + i),
            )
            for i in range(PEOPLE)
        ]
    )
    meetings: list[Meeting] = []
    invites: list[list[Person]] = []
    for day in range(WEEKS * 7):
        date = (start_day + timedelta(days=day)).date()
        if date.isoweekday() > 5:
            continue
        for person in people:
            tz = zoneinfo.ZoneInfo(person.time_zone)
            # Two meetings organised (and about two more attended) a day, in the morning and
            # mid-afternoon blocks, so lunchtime and late afternoon stay partly free.
            for slot in rng.sample([0, 1, 2, 5], 2):
                start = datetime.combine(date, person.work_start, tzinfo=tz) + timedelta(hours=slot)
                minutes = rng.choice([30, 45, 60])
                meetings.append(
                    Meeting(
                        title="bench",
                        type="team",
                        organizer=person,
                        start=start,
                        end=start + timedelta(minutes=minutes),
                        duration_minutes=minutes,
                        time_zone=person.time_zone,
                    )
                )
                invites.append([person, rng.choice(people)])
    Meeting.objects.bulk_create(meetings, batch_size=2000)
    Attendee.objects.bulk_create(
        [
            Attendee(meeting=m, person=p, rsvp="accepted")
            for m, group in zip(meetings, invites, strict=True)
            for p in {x.pk: x for x in group}.values()
        ],
        batch_size=5000,
    )
    return [p.pk for p in people]


def run(ctx: BenchContext) -> list[Result]:
    rng = random.Random(7)
    results: list[Result] = []
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    start_day = now + timedelta(days=1)
    try:
        with transaction.atomic():
            ids = _make_data(rng, start_day)
            window_start, window_end = start_day, start_day + timedelta(weeks=WEEKS)
            attendances = Attendee.objects.filter(person_id__in=ids).count()
            ctx.log(f"{attendances} attendances of {PEOPLE} people over {WEEKS} weeks")

            def search() -> list[tuple[datetime, datetime]]:
                return find_time(
                    person_ids=ids,
                    duration=timedelta(minutes=30),
                    window_start=window_start,
                    window_end=window_end,
                    buffer_before=timedelta(minutes=10),
                    buffer_after=timedelta(minutes=10),
                    step=timedelta(minutes=15),
                    limit=5,
                )

            def load_busy() -> None:
                busy_intervals(person_ids=ids, start=window_start, end=window_end)

            slots = search()
            ctx.log(f"find_time found {len(slots)} slots; first {slots[:1]}")
            found = ctx.timed(search, repeat=5)
            floor = ctx.timed(load_busy, repeat=5)
            details = {"attendances": attendances, "slots": len(slots)}
            results.append(
                Result(
                    name="meetings.find_time_30x4w",
                    value=found,
                    floor=floor,
                    target=3.0,
                    note="find_time vs loading the busy intervals alone",
                    details=details,
                )
            )
            results.append(
                Result(
                    name="meetings.find_time_30x4w_absolute",
                    value=found,
                    target=0.25,
                    note="absolute seconds; the issue asks for well under a second",
                    details=details,
                )
            )

            week = window_start.date()
            sql = """
                SELECT a.person_id, SUM(m.duration_minutes), COUNT(*)
                FROM meetings_attendee a JOIN meetings_meeting m ON m.id = a.meeting_id
                WHERE a.person_id = ANY(%s) AND a.rsvp IN ('pending', 'accepted', 'tentative')
                  AND m.status <> 'cancelled' AND m.type <> 'client'
                  AND m.start >= %s AND m.start < %s
                GROUP BY a.person_id
            """
            tz = zoneinfo.ZoneInfo("Europe/Berlin")
            monday = week - timedelta(days=week.weekday())
            lo = datetime.combine(monday, time(0), tzinfo=tz)
            hi = lo + timedelta(days=7)
            load = ctx.timed(
                lambda: meeting_load_by_person(person_ids=ids, week_start=week), repeat=5
            )
            raw = ctx.timed(lambda: ctx.execute(sql, [ids, lo, hi]), repeat=5)
            results.append(
                Result(
                    name="meetings.load_by_person_30",
                    value=load,
                    floor=raw,
                    kind="info",
                    note="selector vs hand-written GROUP BY; for 30 people the ORM's fixed "
                    "query-building cost (~5-10 ms) dominates, so no target",
                )
            )
            raise _Rollback
    except _Rollback:
        pass
    return results

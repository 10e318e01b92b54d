"""Meeting load and meeting cost per person and team per week, aggregated in SQL.

Contracts for the dashboard (documented in docs/meetings.md):
- `meeting_load_by_person(*, person_ids, week_start) -> dict[int, LoadRow]`
- `meeting_cost_by_person_week(*, person_ids, week_start, weeks=1) -> list[PersonWeekCost]`
- `meeting_cost_by_team_week(*, team_ids, week_start, weeks=1) -> list[TeamWeekCost]`
Weeks run Monday 00:00 to Monday 00:00 in the company time zone; a meeting counts in the week it
starts. Attendees who declined and cancelled meetings are left out; external contacts cost nothing.
Load counts internal meetings only (every type but client); cost counts every type.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import Count, DecimalField, ExpressionWrapper, F, QuerySet, Sum, Value
from django.db.models.functions import Round, TruncWeek

from meetings import conf
from meetings.models import BUSY_RSVPS, INTERNAL_TYPES, Attendee, MeetingStatus
from salesops.models import Person
from salesops.selectors.scope import AnyUser, visible_people

MONEY = DecimalField(max_digits=14, decimal_places=2)
SIXTY = Decimal(60)
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class LoadRow:
    person_id: int
    hours: Decimal
    meetings: int
    limit_hours: Decimal

    @property
    def overloaded(self) -> bool:
        return self.hours > self.limit_hours


@dataclass(frozen=True)
class PersonWeekCost:
    person_id: int
    week_start: date
    hours: Decimal
    cost: Decimal


@dataclass(frozen=True)
class TeamWeekCost:
    team_id: int
    week_start: date
    hours: Decimal
    cost: Decimal
    people: int


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def week_bounds(week_start: date, weeks: int = 1) -> tuple[datetime, datetime]:
    tz = zoneinfo.ZoneInfo(conf.company_time_zone())
    monday = monday_of(week_start)
    start = datetime.combine(monday, time(0), tzinfo=tz)
    end = datetime.combine(monday + timedelta(weeks=weeks), time(0), tzinfo=tz)
    return start, end


def _counted(start: datetime, end: datetime) -> QuerySet[Attendee]:
    return Attendee.objects.filter(
        person__isnull=False,
        rsvp__in=BUSY_RSVPS,
        meeting__start__gte=start,
        meeting__start__lt=end,
    ).exclude(meeting__status=MeetingStatus.CANCELLED)


def _hours(minutes: int | None) -> Decimal:
    return (Decimal(minutes or 0) / SIXTY).quantize(Decimal("0.01"))


# Same rule as meetings.services.costs.attendee_cost: per attendee, rounded to the cent.
_attendee_cost = Round(
    ExpressionWrapper(
        F("person__hourly_cost") * F("meeting__duration_minutes") / Value(SIXTY),
        output_field=MONEY,
    ),
    2,
    output_field=MONEY,
)


def meeting_load_by_person(*, person_ids: Sequence[int], week_start: date) -> dict[int, LoadRow]:
    """Hours in internal meetings per person in the week of `week_start`; every requested person
    gets a row (0 h if none). One query."""
    start, end = week_bounds(week_start)
    limit = conf.load_limit_hours()
    rows = (
        _counted(start, end)
        .filter(person_id__in=list(person_ids), meeting__type__in=INTERNAL_TYPES)
        .values("person_id")
        .annotate(minutes=Sum("meeting__duration_minutes"), meetings=Count("id"))
    )
    found = {r["person_id"]: r for r in rows}
    return {
        pid: LoadRow(
            person_id=pid,
            hours=_hours(found[pid]["minutes"]) if pid in found else ZERO,
            meetings=found[pid]["meetings"] if pid in found else 0,
            limit_hours=limit,
        )
        for pid in person_ids
    }


def _week(value: datetime | date) -> date:
    return value.date() if isinstance(value, datetime) else value


def meeting_cost_by_person_week(
    *, person_ids: Sequence[int], week_start: date, weeks: int = 1
) -> list[PersonWeekCost]:
    """Cost and hours of meeting time (every type) per person and week. One query."""
    start, end = week_bounds(week_start, weeks)
    tz = zoneinfo.ZoneInfo(conf.company_time_zone())
    rows = (
        _counted(start, end)
        .filter(person_id__in=list(person_ids))
        .annotate(week=TruncWeek("meeting__start", tzinfo=tz))
        .values("person_id", "week")
        .annotate(minutes=Sum("meeting__duration_minutes"), cost=Sum(_attendee_cost))
        .order_by("week", "person_id")
    )
    return [
        PersonWeekCost(
            person_id=r["person_id"],
            week_start=_week(r["week"]),
            hours=_hours(r["minutes"]),
            cost=Decimal(r["cost"] or 0).quantize(Decimal("0.01")),
        )
        for r in rows
    ]


def meeting_cost_by_team_week(
    *, team_ids: Sequence[int], week_start: date, weeks: int = 1
) -> list[TeamWeekCost]:
    """Cost and hours of meeting time per team (the attendees' current team) and week. A team's
    figure counts its direct members; sum sub-teams yourself if you want a roll-up. One query."""
    start, end = week_bounds(week_start, weeks)
    tz = zoneinfo.ZoneInfo(conf.company_time_zone())
    rows = (
        _counted(start, end)
        .filter(person__team_id__in=list(team_ids))
        .annotate(week=TruncWeek("meeting__start", tzinfo=tz))
        .values("person__team_id", "week")
        .annotate(
            minutes=Sum("meeting__duration_minutes"),
            cost=Sum(_attendee_cost),
            people=Count("person_id", distinct=True),
        )
        .order_by("week", "person__team_id")
    )
    return [
        TeamWeekCost(
            team_id=r["person__team_id"],
            week_start=_week(r["week"]),
            hours=_hours(r["minutes"]),
            cost=Decimal(r["cost"] or 0).quantize(Decimal("0.01")),
            people=r["people"],
        )
        for r in rows
    ]


@dataclass(frozen=True)
class TeamLoadRow:
    person: Person
    hours: Decimal
    meetings: int
    cost: Decimal
    limit_hours: Decimal

    @property
    def overloaded(self) -> bool:
        return self.hours > self.limit_hours


def team_load(*, user: AnyUser, week_start: date) -> list[TeamLoadRow]:
    """Meeting load and cost of every active person the user sees, for one week; the most loaded
    first. Three queries whatever the team size."""
    people = list(visible_people(user=user).filter(active=True).select_related("team"))
    ids = [p.pk for p in people]
    load = meeting_load_by_person(person_ids=ids, week_start=week_start)
    cost = {
        c.person_id: c.cost
        for c in meeting_cost_by_person_week(person_ids=ids, week_start=week_start)
    }
    rows = [
        TeamLoadRow(
            person=p,
            hours=load[p.pk].hours,
            meetings=load[p.pk].meetings,
            cost=cost.get(p.pk, ZERO),
            limit_hours=load[p.pk].limit_hours,
        )
        for p in people
    ]
    return sorted(rows, key=lambda r: (-r.hours, r.person.name))

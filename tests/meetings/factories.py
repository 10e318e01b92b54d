"""Factories for the meetings app (rows straight in the table; services are tested separately)."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

import factory

from meetings.models import ActionItem, AgendaItem, Attendee, Meeting
from tests.factories import PersonFactory

UTC = dt.UTC


class MeetingFactory(factory.django.DjangoModelFactory[Meeting]):
    class Meta:
        model = Meeting

    title = factory.Sequence(lambda n: f"Meeting {n}")
    type = "team"
    organizer = factory.SubFactory(PersonFactory)
    start = dt.datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
    end = factory.LazyAttribute(lambda m: m.start + dt.timedelta(hours=1))
    duration_minutes = factory.LazyAttribute(lambda m: int((m.end - m.start).total_seconds() // 60))
    time_zone = "Europe/Berlin"


class AttendeeFactory(factory.django.DjangoModelFactory[Attendee]):
    class Meta:
        model = Attendee

    meeting = factory.SubFactory(MeetingFactory)
    person = factory.SubFactory(PersonFactory)
    rsvp = "accepted"


class AgendaItemFactory(factory.django.DjangoModelFactory[AgendaItem]):
    class Meta:
        model = AgendaItem

    meeting = factory.SubFactory(MeetingFactory)
    order = factory.Sequence(lambda n: n)
    title = factory.Sequence(lambda n: f"Topic {n}")
    minutes = 10


class ActionItemFactory(factory.django.DjangoModelFactory[ActionItem]):
    class Meta:
        model = ActionItem

    meeting = factory.SubFactory(MeetingFactory)
    owner = factory.SubFactory(PersonFactory)
    description = factory.Sequence(lambda n: f"Do thing {n}")
    due_date = dt.date(2026, 11, 30)


def meeting_with(*people: Any, **kwargs: Any) -> Meeting:
    """A meeting organised by the first person, every person attending (accepted)."""
    meeting = cast(Meeting, MeetingFactory(organizer=people[0], **kwargs))
    for person in people:
        AttendeeFactory(meeting=meeting, person=person)
    return meeting

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from meetings.selectors.load import (
    meeting_cost_by_person_week,
    meeting_cost_by_team_week,
    meeting_load_by_person,
)
from meetings.services.costs import attendee_cost, meeting_cost, meeting_mark_done, meeting_reopen
from salesops.exceptions import ApplicationError
from salesops.models import SalesCost
from tests.factories import PersonFactory, TeamFactory
from tests.meetings.factories import AttendeeFactory, MeetingFactory

BERLIN = ZoneInfo("Europe/Berlin")
pytestmark = pytest.mark.django_db


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=BERLIN)


@pytest.fixture
def costed_meeting():
    """90 minutes; Anna 60/h and Bert 90/h attend, Cara declined, an external contact joins."""
    anna = PersonFactory(name="Anna", hourly_cost=Decimal("60.00"))
    bert = PersonFactory(name="Bert", hourly_cost=Decimal("90.00"))
    cara = PersonFactory(name="Cara", hourly_cost=Decimal("200.00"))
    meeting = MeetingFactory(organizer=anna, start=at(2, 10), end=at(2, 11, 30))
    AttendeeFactory(meeting=meeting, person=anna)
    AttendeeFactory(meeting=meeting, person=bert, rsvp="pending")
    AttendeeFactory(meeting=meeting, person=cara, rsvp="declined")
    AttendeeFactory(meeting=meeting, person=None, name="Client", email="c@client.example")
    return meeting, anna, bert, cara


def test_meeting_cost_is_hourly_cost_times_duration_for_internal_attendees_who_come(costed_meeting):
    meeting, *_ = costed_meeting
    assert meeting_cost(meeting=meeting) == Decimal("225.00")  # 90 + 135


def test_each_attendee_cost_rounds_half_up_to_the_cent():
    assert attendee_cost(hourly_cost=Decimal("33.33"), minutes=50) == Decimal("27.78")  # 27.775


@given(st.decimals(min_value=0, max_value=1000, places=2), st.integers(1, 600))
def test_attendee_cost_never_drifts_more_than_half_a_cent(rate, minutes):
    exact = rate * minutes / 60
    assert abs(attendee_cost(hourly_cost=rate, minutes=minutes) - exact) <= Decimal("0.005")


def _ledger(meeting):
    return {
        (c.person.name, c.amount)
        for c in SalesCost.objects.filter(external_ref=f"meeting:{meeting.pk}").select_related(
            "person"
        )
    }


@pytest.fixture
def accepted_long_ago(costed_meeting, settings):
    """The worked example marked done today: everyone but Cara accepted, and the months since
    the meeting are within MEETING_COST_MAX_AGE_DAYS."""
    meeting, _anna, bert, _cara = costed_meeting
    meeting.attendees.filter(person=bert).update(rsvp="accepted")
    settings.MEETING_COST_MAX_AGE_DAYS = 100_000
    return costed_meeting


def test_marking_done_posts_the_cost_once_even_twice_or_undone_and_redone(accepted_long_ago):
    meeting, *_ = accepted_long_ago
    meeting_mark_done(meeting=meeting)
    meeting_mark_done(meeting=meeting)
    assert _ledger(meeting) == {("Anna", Decimal("90.00")), ("Bert", Decimal("135.00"))}
    assert SalesCost.objects.filter(category="meeting_time").count() == 2

    meeting_reopen(meeting=meeting)
    assert _ledger(meeting) == {("Anna", Decimal("0.00")), ("Bert", Decimal("0.00"))}
    meeting_mark_done(meeting=meeting)
    assert _ledger(meeting) == {("Anna", Decimal("90.00")), ("Bert", Decimal("135.00"))}
    assert SalesCost.objects.count() == 2
    entry = SalesCost.objects.first()
    assert entry.date == dt.date(2026, 3, 2) and entry.source == "computed"


def test_someone_who_declines_after_done_is_charged_nothing_on_redo(accepted_long_ago):
    meeting, _anna, bert, _ = accepted_long_ago
    meeting_mark_done(meeting=meeting)
    meeting.attendees.filter(person=bert).update(rsvp="declined")
    meeting_reopen(meeting=meeting)
    meeting_mark_done(meeting=meeting)
    assert _ledger(meeting) == {("Anna", Decimal("90.00")), ("Bert", Decimal("0.00"))}


def test_a_future_or_cancelled_meeting_cannot_be_marked_done():
    future = MeetingFactory(
        start=dt.datetime(2099, 1, 1, tzinfo=dt.UTC), end=dt.datetime(2099, 1, 1, 1, tzinfo=dt.UTC)
    )
    with pytest.raises(ApplicationError):
        meeting_mark_done(meeting=future)
    cancelled = MeetingFactory(status="cancelled")
    with pytest.raises(ApplicationError):
        meeting_mark_done(meeting=cancelled)


def test_load_counts_internal_hours_per_week_and_flags_more_than_eight():
    team = TeamFactory()
    busy = PersonFactory(team=team, hourly_cost=Decimal("50.00"))
    calm = PersonFactory(team=team, hourly_cost=Decimal("50.00"))
    for day in (2, 3, 4):  # 3 × 3 h of internal meetings in the week of Mon 2 March
        m = MeetingFactory(organizer=busy, type="team", start=at(day, 9), end=at(day, 12))
        AttendeeFactory(meeting=m, person=busy)
    client = MeetingFactory(organizer=calm, type="client", start=at(5, 9), end=at(5, 17))
    AttendeeFactory(meeting=client, person=calm)
    AttendeeFactory(meeting=client, person=busy)
    cancelled = MeetingFactory(organizer=calm, status="cancelled", start=at(5, 9), end=at(5, 17))
    AttendeeFactory(meeting=cancelled, person=calm)
    next_week = MeetingFactory(organizer=calm, start=at(9, 9), end=at(9, 17))
    AttendeeFactory(meeting=next_week, person=calm)

    load = meeting_load_by_person(person_ids=[busy.pk, calm.pk], week_start=dt.date(2026, 3, 4))
    assert (load[busy.pk].hours, load[busy.pk].meetings, load[busy.pk].overloaded) == (
        Decimal("9.00"),
        3,
        True,
    )
    assert (load[calm.pk].hours, load[calm.pk].overloaded) == (Decimal("0.00"), False)

    costs = meeting_cost_by_person_week(
        person_ids=[busy.pk, calm.pk], week_start=dt.date(2026, 3, 2)
    )
    assert {(c.person_id, c.hours, c.cost) for c in costs} == {
        (busy.pk, Decimal("17.00"), Decimal("850.00")),  # client meetings cost too
        (calm.pk, Decimal("8.00"), Decimal("400.00")),
    }
    teams = meeting_cost_by_team_week(team_ids=[team.pk], week_start=dt.date(2026, 3, 2), weeks=2)
    assert [(t.week_start, t.cost, t.people) for t in teams] == [
        (dt.date(2026, 3, 2), Decimal("1250.00"), 2),
        (dt.date(2026, 3, 9), Decimal("400.00"), 1),
    ]


def test_the_load_limit_is_a_setting(settings):
    settings.MEETING_LOAD_LIMIT_HOURS = 2.0
    person = PersonFactory()
    m = MeetingFactory(organizer=person, start=at(2, 9), end=at(2, 12))
    AttendeeFactory(meeting=m, person=person)
    assert meeting_load_by_person(person_ids=[person.pk], week_start=dt.date(2026, 3, 2))[
        person.pk
    ].overloaded

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError

from meetings.models import Meeting, MeetingType
from meetings.selectors.kickoff import kickoff_warnings
from meetings.services.conflicts import ConflictError
from meetings.services.schedule_rows import AgendaInput, AttendeeInput
from meetings.services.scheduling import (
    attendee_rsvp,
    meeting_cancel,
    meeting_schedule,
)
from meetings.services.series import meeting_series_extend
from meetings.services.update import meeting_update
from tests.factories import PersonFactory
from tests.meetings.factories import AttendeeFactory, MeetingFactory

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
pytestmark = pytest.mark.django_db


def berlin(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=BERLIN)


@pytest.fixture
def frozen():
    with time_machine.travel(dt.datetime(2026, 2, 20, 12, 0, tzinfo=dt.UTC), tick=False):
        yield


def test_end_must_be_after_start(frozen):
    boss = PersonFactory()
    with pytest.raises(ValidationError) as exc:
        meeting_schedule(
            organizer=boss,
            title="Oops",
            type="team",
            start=berlin(2026, 3, 2, 10),
            end=berlin(2026, 3, 2, 10),
        )
    assert "end" in exc.value.message_dict


def test_agenda_longer_than_the_meeting_is_refused(frozen):
    boss = PersonFactory()
    with pytest.raises(ValidationError) as exc:
        meeting_schedule(
            organizer=boss,
            title="Weekly",
            type="team",
            start=berlin(2026, 3, 2, 10),
            end=berlin(2026, 3, 2, 10, 30),
            agenda=[AgendaInput("Pipeline", 20), AgendaInput("Wins", 15)],
        )
    assert exc.value.message_dict["agenda"] == [
        "The agenda needs 35 minutes but the meeting lasts 30."
    ]


def test_conflicts_across_time_zones_follow_each_daylight_saving_change(frozen):
    """US clocks move on Mar 8, European on Mar 29: for three weeks 10:00 New York is 15:00
    Berlin, otherwise 16:00. A weekly Monday 15:00 Berlin series clashes with a 10:00 New York
    meeting only inside that gap."""
    boss = PersonFactory(time_zone="Europe/Berlin")
    nyc = PersonFactory(time_zone="America/New_York")
    inside_gap = MeetingFactory(
        title="NY standup Mar 16",
        organizer=nyc,
        start=dt.datetime(2026, 3, 16, 10, tzinfo=NEW_YORK),
        end=dt.datetime(2026, 3, 16, 10, 30, tzinfo=NEW_YORK),
    )
    AttendeeFactory(meeting=inside_gap, person=nyc)
    after_gap = MeetingFactory(
        title="NY standup Apr 6",
        organizer=nyc,
        start=dt.datetime(2026, 4, 6, 10, tzinfo=NEW_YORK),
        end=dt.datetime(2026, 4, 6, 10, 30, tzinfo=NEW_YORK),
    )
    AttendeeFactory(meeting=after_gap, person=nyc)

    with pytest.raises(ConflictError) as exc:
        meeting_schedule(
            organizer=boss,
            title="Transatlantic sync",
            type="planning",
            start=berlin(2026, 3, 2, 15),
            end=berlin(2026, 3, 2, 16),
            time_zone="Europe/Berlin",
            rrule="FREQ=WEEKLY;COUNT=8",
            attendees=[AttendeeInput(person=nyc)],
        )
    assert [c.meeting_id for c in exc.value.conflicts] == [inside_gap.pk]
    assert "NY standup Mar 16" in exc.value.message_dict["attendees"][0]


def test_overridden_conflicts_are_returned_as_warnings(frozen):
    a, b = PersonFactory(), PersonFactory()
    existing = MeetingFactory(organizer=b, start=berlin(2026, 3, 3, 10), end=berlin(2026, 3, 3, 11))
    AttendeeFactory(meeting=existing, person=b, rsvp="pending")
    result = meeting_schedule(
        organizer=a,
        title="1:1",
        type="one_on_one",
        start=berlin(2026, 3, 3, 10, 30),
        end=berlin(2026, 3, 3, 11),
        attendees=[AttendeeInput(person=b)],
        allow_conflicts=True,
    )
    assert len(result.warnings) == 1 and str(existing.title) in result.warnings[0]


def test_a_declined_or_cancelled_meeting_is_no_conflict(frozen):
    a, b = PersonFactory(), PersonFactory()
    declined = MeetingFactory(organizer=a, start=berlin(2026, 3, 3, 10), end=berlin(2026, 3, 3, 11))
    AttendeeFactory(meeting=declined, person=b, rsvp="declined")
    cancelled = MeetingFactory(
        organizer=a, start=berlin(2026, 3, 3, 10), end=berlin(2026, 3, 3, 11), status="cancelled"
    )
    AttendeeFactory(meeting=cancelled, person=b)
    result = meeting_schedule(
        organizer=b,
        title="Free",
        type="team",
        start=berlin(2026, 3, 3, 10),
        end=berlin(2026, 3, 3, 11),
    )
    assert result.warnings == []


def test_internal_meeting_outside_working_hours_is_refused_but_client_meeting_warns(frozen):
    boss = PersonFactory(time_zone="Europe/Berlin")
    tokyo = PersonFactory(time_zone="Asia/Tokyo", name="Taro Tokyo")
    # 10:00 Berlin = 18:00 Tokyo: after Taro's 17:00 end of day.
    kwargs = {
        "organizer": boss,
        "title": "Review",
        "start": berlin(2026, 3, 3, 10),
        "end": berlin(2026, 3, 3, 11),
        "attendees": [AttendeeInput(person=tokyo)],
    }
    with pytest.raises(ValidationError) as exc:
        meeting_schedule(type="team", **kwargs)
    assert "Taro Tokyo" in exc.value.message_dict["start"][0]
    result = meeting_schedule(type="client", **kwargs)
    assert any("outside their working hours" in w for w in result.warnings)


def test_weekly_series_keeps_its_local_hour_across_daylight_saving(frozen):
    boss, rep = PersonFactory(), PersonFactory()
    result = meeting_schedule(
        organizer=boss,
        title="Pipeline review",
        type="team",
        start=berlin(2026, 3, 23, 9),
        end=berlin(2026, 3, 23, 9, 45),
        rrule="FREQ=WEEKLY;COUNT=3",
        attendees=[AttendeeInput(person=rep)],
        agenda=[AgendaInput("Pipeline", 30, owner=rep)],
    )
    series = list(Meeting.objects.filter(pk=result.meeting.pk) | result.meeting.occurrences.all())
    series.sort(key=lambda m: m.start)
    assert [m.start.astimezone(BERLIN).hour for m in series] == [9, 9, 9]
    assert [m.start.astimezone(dt.UTC).hour for m in series] == [8, 7, 7]
    for m in series:
        assert {a.person_id for a in m.attendees.all()} == {boss.pk, rep.pk}
        assert [i.title for i in m.agenda_items.all()] == ["Pipeline"]


def test_series_are_materialised_up_to_the_horizon_and_extended_later(frozen, settings):
    settings.MEETING_RECURRENCE_HORIZON_DAYS = 14
    boss = PersonFactory()
    result = meeting_schedule(
        organizer=boss,
        title="Daily",
        type="team",
        start=berlin(2026, 2, 23, 9),
        end=berlin(2026, 2, 23, 9, 15),
        rrule="FREQ=WEEKLY;BYDAY=MO,WE,FR",
    )
    assert result.meeting.occurrences.count() + 1 == 7  # Feb 23 … Mar 9 (start + 14 days)
    assert meeting_series_extend(now=dt.datetime(2026, 3, 1, tzinfo=dt.UTC)) == 2  # Mar 11, 13
    assert meeting_series_extend(now=dt.datetime(2026, 3, 1, tzinfo=dt.UTC)) == 0


def test_editing_a_meeting_bumps_its_sequence_and_keeps_rsvps(frozen):
    boss, rep = PersonFactory(), PersonFactory()
    meeting = meeting_schedule(
        organizer=boss,
        title="Forecast",
        type="planning",
        start=berlin(2026, 3, 4, 10),
        end=berlin(2026, 3, 4, 11),
        attendees=[AttendeeInput(person=rep)],
    ).meeting
    attendee_rsvp(attendee=meeting.attendees.get(person=rep), rsvp="accepted")
    updated = meeting_update(
        meeting=meeting,
        data={"start": berlin(2026, 3, 4, 14), "end": berlin(2026, 3, 4, 15)},
        attendees=[AttendeeInput(person=rep)],
    ).meeting
    assert updated.sequence >= 2
    assert updated.attendees.get(person=rep).rsvp == "accepted"


def test_cancelling_a_series_from_an_occurrence_cancels_the_rest(frozen):
    boss = PersonFactory()
    master = meeting_schedule(
        organizer=boss,
        title="Weekly",
        type="team",
        start=berlin(2026, 3, 2, 10),
        end=berlin(2026, 3, 2, 11),
        rrule="FREQ=WEEKLY;COUNT=4",
    ).meeting
    third = master.occurrences.order_by("start")[1]
    assert meeting_cancel(meeting=third, whole_series=True) == 2
    statuses = [m.status for m in Meeting.objects.order_by("start")]
    assert statuses == ["scheduled", "scheduled", "cancelled", "cancelled"]


def test_kickoff_proposes_the_agenda_and_warns_until_a_compensation_review_follows(frozen):
    boss = PersonFactory()
    kickoff = meeting_schedule(
        organizer=boss,
        title="Kickoff 2026",
        type=MeetingType.KICKOFF,
        start=berlin(2026, 3, 9, 9),
        end=berlin(2026, 3, 9, 13),
    )
    titles = [i.title for i in kickoff.meeting.agenda_items.all()]
    assert titles[0].startswith("Recognition: Chairman's Club")
    assert titles[1].startswith("Recognition: President's Club")
    assert titles[2:] == ["Sales training", "Marketing and lead-generation plan"]
    assert any("compensation review" in w for w in kickoff.warnings)

    meeting_schedule(
        organizer=boss,
        title="Comp review",
        type=MeetingType.COMPENSATION_REVIEW,
        start=berlin(2026, 3, 20, 10),
        end=berlin(2026, 3, 20, 11),
    )
    assert kickoff_warnings(meeting=kickoff.meeting) == []


def test_compensation_topics_on_a_kickoff_agenda_are_flagged(frozen):
    boss = PersonFactory()
    result = meeting_schedule(
        organizer=boss,
        title="Kickoff",
        type=MeetingType.KICKOFF,
        start=berlin(2026, 3, 9, 9),
        end=berlin(2026, 3, 9, 11),
        agenda=[AgendaInput("New commission rates", 30), AgendaInput("Training", 60)],
    )
    assert any("New commission rates" in w for w in result.warnings)


def test_invalid_rrule_is_a_field_error(frozen):
    boss = PersonFactory()
    with pytest.raises(ValidationError) as exc:
        meeting_schedule(
            organizer=boss,
            title="x",
            type="team",
            start=berlin(2026, 3, 2, 10),
            end=berlin(2026, 3, 2, 11),
            rrule="FREQ=SOMETIMES",
        )
    assert "rrule" in exc.value.message_dict

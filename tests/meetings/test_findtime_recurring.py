"""Issue 17 (a): find-a-time checks every occurrence of a recurring meeting, as the booking form
does, so a weekly slot whose third week is taken is not offered. Issue 17 (b): a meeting's zone
defaults to the company zone, not a literal."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from meetings.models import Meeting
from meetings.services.conflicts import ConflictError
from meetings.services.findtime import find_time
from meetings.services.schedule_rows import AttendeeInput
from meetings.services.scheduling import meeting_schedule
from tests.meetings.factories import AttendeeFactory, MeetingFactory

BERLIN = ZoneInfo("Europe/Berlin")
UTC = dt.UTC
NOW = dt.datetime(2026, 12, 7, 6, 0, tzinfo=UTC)  # Monday 07:00 Berlin
WEEKLY = "FREQ=WEEKLY;BYDAY=MO;COUNT=4"


def _berlin_people(personas):
    anna, maria = personas.rep_a1.person, personas.manager_a.person
    for p in (anna, maria):
        p.time_zone = "Europe/Berlin"
        p.save()
    return anna, maria


def _busy_in_week_three(anna) -> None:
    # Free today at 09:00, but Anna is busy on the third Monday (21 Dec) at 09:00–10:00.
    meeting = MeetingFactory(
        organizer=anna,
        start=dt.datetime(2026, 12, 21, 9, 0, tzinfo=BERLIN),
        end=dt.datetime(2026, 12, 21, 10, 0, tzinfo=BERLIN),
    )
    AttendeeFactory(meeting=meeting, person=anna)


def _search(anna, maria, rrule: str) -> list[str]:
    slots = find_time(
        person_ids=[anna.pk, maria.pk],
        duration=dt.timedelta(minutes=60),
        window_start=dt.datetime(2026, 12, 7, 8, 0, tzinfo=UTC),
        window_end=dt.datetime(2026, 12, 7, 16, 0, tzinfo=UTC),
        limit=3,
        rrule=rrule,
        time_zone="Europe/Berlin",
    )
    return [s.astimezone(BERLIN).strftime("%H:%M") for s, _ in slots]


def test_find_time_skips_a_slot_whose_later_occurrence_is_busy(personas):
    anna, maria = _berlin_people(personas)
    _busy_in_week_three(anna)
    with time_machine.travel(NOW, tick=False):
        assert _search(anna, maria, "") == ["09:00", "09:30", "10:00"]
        assert _search(anna, maria, WEEKLY) == ["10:00", "10:30", "11:00"]


def test_every_recurring_slot_offered_is_one_the_booking_accepts(personas):
    anna, maria = _berlin_people(personas)
    _busy_in_week_three(anna)
    with time_machine.travel(NOW, tick=False):
        offered = find_time(
            person_ids=[anna.pk, maria.pk],
            duration=dt.timedelta(minutes=60),
            window_start=dt.datetime(2026, 12, 7, 8, 0, tzinfo=UTC),
            window_end=dt.datetime(2026, 12, 7, 16, 0, tzinfo=UTC),
            limit=1,
            rrule=WEEKLY,
            time_zone="Europe/Berlin",
        )
        start, end = offered[0]
        result = meeting_schedule(
            organizer=maria,
            title="Weekly coaching",
            type="one_on_one",
            start=start,
            end=end,
            time_zone="Europe/Berlin",
            rrule=WEEKLY,
            attendees=[AttendeeInput(person=anna)],
        )
        assert Meeting.objects.filter(series=result.meeting).count() == 3
        # The slot find-a-time now skips is the one the booking refuses.
        with pytest.raises(ConflictError):
            meeting_schedule(
                organizer=maria,
                title="Another weekly",
                type="one_on_one",
                start=dt.datetime(2026, 12, 7, 9, 0, tzinfo=BERLIN),
                end=dt.datetime(2026, 12, 7, 10, 0, tzinfo=BERLIN),
                time_zone="Europe/Berlin",
                rrule=WEEKLY,
                attendees=[AttendeeInput(person=anna)],
            )


def test_find_time_view_checks_every_occurrence_and_reports_a_bad_rule(personas, client_for):
    anna, _maria = _berlin_people(personas)
    _busy_in_week_three(anna)
    client = client_for(personas.manager_a)
    data = {"attendees": [anna.pk], "duration": 60, "window_days": 1, "time_zone": "Europe/Berlin"}
    with time_machine.travel(NOW, tick=False):
        single = client.post(reverse("meetings:find-time"), data).content.decode()
        weekly = client.post(reverse("meetings:find-time"), {**data, "rrule": WEEKLY})
        bad = client.post(reverse("meetings:find-time"), {**data, "rrule": "FREQ=HOURLY"})
    assert 'data-start="2026-12-07T09:00"' in single
    starts = re.findall(r'data-start="([^"]+)"', weekly.content.decode())
    assert starts and "2026-12-07T09:00" not in starts and starts[0] == "2026-12-07T10:00"
    assert "Recurrence: FREQ must be DAILY" in bad.content.decode()


def test_invalid_rule_raises_a_field_error(personas):
    anna, maria = _berlin_people(personas)
    with pytest.raises(ValidationError) as caught:
        _search(anna, maria, "FREQ=SECONDLY")
    assert "rrule" in caught.value.message_dict


@pytest.mark.parametrize("zone", ["America/Los_Angeles", "Asia/Tokyo"])
def test_meeting_time_zone_defaults_to_the_company_zone(personas, settings, zone):
    settings.COMPANY_TIME_ZONE = zone
    meeting = Meeting(title="x", organizer=personas.rep_a1.person, start=NOW, end=NOW)
    assert meeting.time_zone == zone
    field = Meeting._meta.get_field("time_zone")
    assert callable(field.default)

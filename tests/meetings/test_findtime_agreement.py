"""Find-a-time and the booking form agree (issue 17): a slot offered is a slot the form accepts,
and the meeting lands at the offered instant — for people in several zones, across DST changes,
including the repeated hour when clocks go back and the skipped hour when they go forward.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from meetings.forms import MeetingForm
from meetings.models import Meeting
from meetings.services.conflicts import working_hours_problems
from meetings.services.findtime import WorkingHours, free_slots
from salesops.models import Person

UTC = dt.UTC


@dataclass(frozen=True)
class Worker:
    zone: str
    start: int  # local working hours, whole hours
    end: int


@dataclass(frozen=True)
class Case:
    name: str
    now: dt.datetime  # frozen clock (UTC)
    meeting_zone: str
    organizer: Worker
    attendees: tuple[Worker, ...]
    duration: int = 30


CASES = [
    # Europe springs forward on Sun 29 Mar 2026: Berlin and London both move, an hour apart.
    Case(
        "europe-spring",
        dt.datetime(2026, 3, 28, 14, 0, tzinfo=UTC),
        "Europe/Berlin",
        Worker("Europe/Berlin", 9, 17),
        (Worker("Europe/London", 9, 17),),
        duration=60,
    ),
    # Europe falls back on 25 Oct, the US only on 1 Nov: the overlap moves for a week.
    Case(
        "europe-autumn-us-later",
        dt.datetime(2026, 10, 24, 12, 0, tzinfo=UTC),
        "America/New_York",
        Worker("Europe/Berlin", 9, 17),
        (Worker("America/New_York", 8, 17), Worker("Europe/London", 9, 17)),
        duration=60,
    ),
    # US falls back on Sun 1 Nov 2026: 01:00–02:00 New York happens twice; Tokyo does not move.
    Case(
        "us-repeated-hour",
        dt.datetime(2026, 10, 31, 20, 0, tzinfo=UTC),
        "America/New_York",
        Worker("Asia/Tokyo", 13, 18),
        (Worker("America/New_York", 0, 3),),
    ),
    # US springs forward on Sun 8 Mar 2026: 02:00–03:00 Los Angeles does not exist.
    Case(
        "us-skipped-hour",
        dt.datetime(2026, 3, 7, 20, 0, tzinfo=UTC),
        "America/Los_Angeles",
        Worker("America/Los_Angeles", 0, 5),
        (Worker("Europe/Berlin", 9, 15),),
    ),
    # Sydney falls back on Sun 5 Apr 2026 (02:00–03:00 twice); Kolkata sits at +05:30.
    Case(
        "sydney-repeated-hour-kolkata-half-hour",
        dt.datetime(2026, 4, 4, 10, 0, tzinfo=UTC),
        "Australia/Sydney",
        Worker("Asia/Kolkata", 20, 23),
        (Worker("Australia/Sydney", 0, 4),),
    ),
]

SLOT = re.compile(r"<button[^>]*class=\"mt-slot\"[^>]*>.*?</button>", re.S)
ATTR = re.compile(r'data-([\w-]+)="([^"]*)"')


def _slots(page: str) -> list[tuple[dict[str, str], str]]:
    """(data-* attributes, visible label) of every offered slot button."""
    out = []
    for button in SLOT.findall(page):
        attrs = {k: html.unescape(v) for k, v in ATTR.findall(button)}
        label = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", button)).strip()
        out.append((attrs, label))
    return out


def _person(user: Any, worker: Worker) -> Person:
    person: Person = user.person
    person.time_zone = worker.zone
    person.work_start, person.work_end = dt.time(worker.start), dt.time(worker.end)
    person.work_days = "1234567"
    person.save()
    return person


def _booking(case: Case, attendees: list[int], attrs: dict[str, str]) -> dict[str, Any]:
    """What the booking form posts after a click on the slot (static/meetings/meetings.js
    copies every data-* value into the field of the same name)."""
    data: dict[str, Any] = {
        "title": f"Booked {case.name}",
        "type": "team",
        "time_zone": case.meeting_zone,
        "attendees": attendees,
        "agenda-TOTAL_FORMS": "0",
        "agenda-INITIAL_FORMS": "0",
        "agenda-MIN_NUM_FORMS": "0",
        "agenda-MAX_NUM_FORMS": "30",
    }
    data.update({k.replace("-", "_"): v for k, v in attrs.items()})
    return data


@pytest.mark.django_db
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_every_offered_slot_is_accepted_at_the_offered_instant(personas, client_for, case):
    zone = ZoneInfo(case.meeting_zone)
    _person(personas.manager_a, case.organizer)
    attendee_ids = [
        _person(user, worker).pk
        for user, worker in zip((personas.rep_a1, personas.rep_a2), case.attendees, strict=False)
    ]
    client = client_for(personas.manager_a)
    with time_machine.travel(case.now, tick=False):
        page = client.post(
            "/meetings/find-time/",
            {
                "attendees": attendee_ids,
                "time_zone": case.meeting_zone,
                "duration": case.duration,
                "window_days": 3,
            },
        ).content.decode()
        slots = _slots(page)
        assert len(slots) == 8, page
        for attrs, label in slots:
            offered = dt.datetime.fromisoformat(attrs.get("start-instant") or attrs["start"])
            if offered.tzinfo is None:  # no instant given: the wall-clock time, meeting zone
                offered = offered.replace(tzinfo=zone)
            local = offered.astimezone(zone)
            # What the button says is what it books.
            assert attrs["start"] == local.strftime("%Y-%m-%dT%H:%M")
            assert local.strftime("%H:%M") in label
            response = client.post("/meetings/new/", _booking(case, attendee_ids, attrs))
            assert response.status_code == 302, (label, _errors(response))
            meeting = Meeting.objects.get(title=f"Booked {case.name}")
            assert meeting.start == offered, label
            assert meeting.end - meeting.start == dt.timedelta(minutes=case.duration)
            meeting.delete()


def _errors(response: Any) -> str:
    form = response.context["form"] if response.context else None
    return str(form.errors) if form is not None else response.content.decode()[:500]


def test_the_labels_tell_the_repeated_hour_apart():
    """01:30 happens twice in New York on 1 Nov 2026; the two offered slots must not read the
    same."""
    from meetings.display import slot_choices

    zone = "America/New_York"
    first = dt.datetime(2026, 11, 1, 5, 30, tzinfo=UTC)  # 01:30 EDT
    second = dt.datetime(2026, 11, 1, 6, 30, tzinfo=UTC)  # 01:30 EST
    choices = slot_choices(
        [(first, first + dt.timedelta(minutes=30)), (second, second + dt.timedelta(minutes=30))],
        zone=zone,
    )
    assert choices[0].label != choices[1].label
    assert choices[0].start == choices[1].start == "2026-11-01T01:30"


# --- the same promise as a property, without the database --------------------------------------

ZONES = [
    "Europe/Berlin",
    "Europe/London",
    "America/New_York",
    "America/Los_Angeles",
    "Asia/Tokyo",
    "Asia/Kolkata",
    "Australia/Sydney",
    "Pacific/Chatham",
    "America/St_Johns",
]
# Days with a DST change in at least one of the zones above (2026).
DST_DAYS = [
    dt.date(2026, 3, 8),
    dt.date(2026, 3, 29),
    dt.date(2026, 4, 5),
    dt.date(2026, 9, 27),
    dt.date(2026, 10, 4),
    dt.date(2026, 10, 25),
    dt.date(2026, 11, 1),
]

worker_st = st.builds(
    lambda i, tz, start, length: Person(
        pk=i,
        name=f"P{i}",
        time_zone=tz,
        work_start=dt.time(start),
        work_end=dt.time(min(start + length, 23)),
        work_days="1234567",
    ),
    st.integers(1, 10_000),
    st.sampled_from(ZONES),
    st.integers(0, 20),
    st.integers(2, 10),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    people=st.lists(worker_st, min_size=1, max_size=3, unique_by=lambda p: p.pk),
    meeting_zone=st.sampled_from(ZONES),
    day=st.sampled_from(DST_DAYS),
    hour=st.integers(-36, 12),
    duration=st.sampled_from([15, 30, 60, 90]),
)
def test_offered_slots_read_back_by_the_form_are_the_same_instants_and_in_hours(
    people, meeting_zone, day, hour, duration
):
    from meetings.display import slot_choices

    window_start = dt.datetime.combine(day, dt.time(12), tzinfo=UTC) + dt.timedelta(hours=hour)
    slots = free_slots(
        people=[WorkingHours.of(p) for p in people],
        busy=[],
        window_start=window_start,
        window_end=window_start + dt.timedelta(hours=48),
        duration=dt.timedelta(minutes=duration),
        limit=200,
    )
    for (start, end), choice in zip(slots, slot_choices(slots, zone=meeting_zone), strict=True):
        form = MeetingForm(
            {
                "title": "x",
                "type": "team",
                "time_zone": meeting_zone,
                "start": choice.start,
                "end": choice.end,
                "start_instant": choice.start_instant,
                "end_instant": choice.end_instant,
            },
            people=Person.objects.none(),
        )
        assert form.is_valid(), (choice, form.errors)
        assert form.cleaned_data["start"] == start and form.cleaned_data["end"] == end
        assert working_hours_problems(people=people, occurrences=[(start, end)]) == []


@pytest.mark.django_db
def test_a_wall_clock_time_that_does_not_exist_is_refused(personas, client_for):
    """02:30 on 29 Mar 2026 does not exist in Berlin; the form says so rather than guess."""
    client = client_for(personas.manager_a)
    with time_machine.travel(dt.datetime(2026, 3, 20, tzinfo=UTC), tick=False):
        response = client.post(
            "/meetings/new/",
            {
                "title": "Night call",
                "type": "client",
                "time_zone": "Europe/Berlin",
                "start": "2026-03-29T02:30",
                "end": "2026-03-29T03:30",
                "agenda-TOTAL_FORMS": "0",
                "agenda-INITIAL_FORMS": "0",
                "agenda-MIN_NUM_FORMS": "0",
                "agenda-MAX_NUM_FORMS": "30",
            },
        )
    assert response.status_code == 200
    assert "does not exist" in response.content.decode()
    assert not Meeting.objects.filter(title="Night call").exists()


@pytest.mark.django_db
def test_wall_clock_times_are_read_in_the_meeting_zone_not_the_viewers(personas, client_for):
    """A viewer in Berlin books 02:30 New York on 29 Mar 2026 — a time Berlin skips."""
    client = client_for(personas.manager_a)
    with time_machine.travel(dt.datetime(2026, 3, 20, tzinfo=UTC), tick=False):
        response = client.post(
            "/meetings/new/",
            {
                "title": "New York night call",
                "type": "client",
                "time_zone": "America/New_York",
                "start": "2026-03-29T02:30",
                "end": "2026-03-29T03:00",
                "agenda-TOTAL_FORMS": "0",
                "agenda-INITIAL_FORMS": "0",
                "agenda-MIN_NUM_FORMS": "0",
                "agenda-MAX_NUM_FORMS": "30",
            },
        )
    assert response.status_code == 302, _errors(response)
    meeting = Meeting.objects.get(title="New York night call")
    assert meeting.start == dt.datetime(2026, 3, 29, 6, 30, tzinfo=UTC)


@pytest.mark.django_db
def test_editing_a_meeting_in_the_repeated_hour_keeps_its_instant(personas, client_for):
    """The edit form shows 01:30 for a 01:30 EST meeting; saving it unchanged keeps EST."""
    from tests.meetings.factories import AttendeeFactory, MeetingFactory

    organizer = _person(personas.manager_a, Worker("America/New_York", 0, 6))
    start = dt.datetime(2026, 11, 1, 6, 30, tzinfo=UTC)  # 01:30 EST, the second 01:30
    meeting = MeetingFactory(
        organizer=organizer,
        start=start,
        end=start + dt.timedelta(minutes=30),
        time_zone="America/New_York",
    )
    AttendeeFactory(meeting=meeting, person=organizer)
    client = client_for(personas.manager_a)
    with time_machine.travel(dt.datetime(2026, 10, 30, tzinfo=UTC), tick=False):
        form = client.get(f"/meetings/{meeting.pk}/edit/").context["form"]
        data = {k: form[k].value() for k in form.fields if form[k].value() is not None}
        data.update(
            {
                "start": form["start"].value().strftime("%Y-%m-%dT%H:%M"),
                "end": form["end"].value().strftime("%Y-%m-%dT%H:%M"),
                "agenda-TOTAL_FORMS": "0",
                "agenda-INITIAL_FORMS": "0",
                "agenda-MIN_NUM_FORMS": "0",
                "agenda-MAX_NUM_FORMS": "30",
            }
        )
        data.pop("allow_conflicts", None)
        response = client.post(f"/meetings/{meeting.pk}/edit/", data)
    assert response.status_code == 302, _errors(response)
    meeting.refresh_from_db()
    assert meeting.start == start

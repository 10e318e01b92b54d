from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from meetings.services.findtime import WorkingHours, find_time, free_slots
from tests.factories import PersonFactory
from tests.meetings.factories import AttendeeFactory, MeetingFactory

UTC = dt.UTC
# Europe changes clocks on Sunday 29 March 2026, inside the windows drawn below.
BASE = dt.datetime(2026, 3, 27, 0, 0, tzinfo=UTC)
MIN = dt.timedelta(minutes=1)
ZONES = ["Europe/Berlin", "America/New_York", "Asia/Tokyo", "Europe/London", "Asia/Kolkata"]


def brute_force(people, busy, ws, we, duration, bb, ba, step, limit):
    """Reference: walk the step grid and test every minute of every candidate slot."""

    def works(p: WorkingHours, t: dt.datetime) -> bool:
        local = t.astimezone(ZoneInfo(p.time_zone))
        return str(local.isoweekday()) in p.work_days and p.work_start <= local.time() < p.work_end

    out: list[tuple[dt.datetime, dt.datetime]] = []
    epoch = dt.datetime(1970, 1, 1, tzinfo=UTC)
    s = epoch + -((epoch - ws) // step) * step
    while s + duration <= we and len(out) < limit:
        e = s + duration
        free = not any(bs < e + ba and be > s - bb for bs, be in busy)
        if free:
            t = s
            while t < e and free:
                free = all(works(p, t) for p in people)
                t += MIN
        if free:
            out.append((s, e))
        s += step
    return out


person_st = st.builds(
    lambda i, tz, start, length, days: WorkingHours(
        i, tz, dt.time(start), dt.time(min(start + length, 23)), days
    ),
    st.integers(1, 1000),
    st.sampled_from(ZONES),
    st.integers(0, 12),
    st.integers(4, 11),
    st.sampled_from(["12345", "1234567", "23456", "67"]),
)
busy_st = st.lists(
    st.tuples(st.integers(0, 72 * 12), st.integers(1, 36)).map(
        lambda t: (
            BASE + dt.timedelta(minutes=5 * t[0]),
            BASE + dt.timedelta(minutes=5 * (t[0] + t[1])),
        )
    ),
    max_size=10,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    people=st.lists(person_st, min_size=1, max_size=3),
    busy=busy_st,
    offset=st.integers(0, 48 * 4),
    hours=st.integers(2, 60),
    duration=st.sampled_from([15, 30, 45, 60, 90]),
    bb=st.sampled_from([0, 5, 10, 15]),
    ba=st.sampled_from([0, 5, 30]),
    step=st.sampled_from([15, 30]),
)
def test_find_time_matches_a_brute_force_minute_grid(
    people, busy, offset, hours, duration, bb, ba, step
):
    ws = BASE + dt.timedelta(minutes=15 * offset)
    we = ws + dt.timedelta(hours=hours)
    args = (
        people,
        busy,
        ws,
        we,
        dt.timedelta(minutes=duration),
        dt.timedelta(minutes=bb),
        dt.timedelta(minutes=ba),
        dt.timedelta(minutes=step),
        5,
    )
    expected = brute_force(*args)
    got = free_slots(
        people=people,
        busy=busy,
        window_start=ws,
        window_end=we,
        duration=args[4],
        buffer_before=args[5],
        buffer_after=args[6],
        step=args[7],
        limit=5,
    )
    assert got == expected


def test_working_hours_follow_daylight_saving():
    """09:00–17:00 Berlin is 08:00–16:00 UTC before 29 March 2026 and 07:00–15:00 after."""
    wh = WorkingHours(1, "Europe/Berlin", dt.time(9), dt.time(17), "1234567")
    days = wh.intervals(dt.datetime(2026, 3, 28, tzinfo=UTC), dt.datetime(2026, 3, 30, tzinfo=UTC))
    assert [(a.hour, b.hour) for a, b in days] == [(8, 16), (7, 15)]


@pytest.mark.django_db
def test_find_time_skips_busy_meetings_and_respects_both_time_zones():
    berlin = PersonFactory(time_zone="Europe/Berlin")
    nyc = PersonFactory(time_zone="America/New_York")
    # Mon 2 Mar 2026: overlap of 9–17 Berlin and 9–17 New York is 14:00–16:00 UTC.
    busy = MeetingFactory(
        organizer=berlin,
        start=dt.datetime(2026, 3, 2, 14, tzinfo=UTC),
        end=dt.datetime(2026, 3, 2, 15, tzinfo=UTC),
    )
    AttendeeFactory(meeting=busy, person=berlin)
    slots = find_time(
        person_ids=[berlin.pk, nyc.pk],
        duration=dt.timedelta(minutes=30),
        window_start=dt.datetime(2026, 3, 2, tzinfo=UTC),
        window_end=dt.datetime(2026, 3, 3, tzinfo=UTC),
        buffer_before=dt.timedelta(minutes=15),
        limit=3,
    )
    # 14:00–15:00 is taken and 15:00–15:15 is the buffer; 15:30–16:00 is the only slot left.
    assert [s.strftime("%H:%M") for s, _ in slots] == ["15:30"]

"""meetings_held: the quota metric the meetings app supplies to compensation."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from compensation.models import Metric, Quota
from compensation.selectors import attainment_for_people
from meetings.selectors.metrics import meetings_held_by_person
from tests.factories import PersonFactory
from tests.meetings.factories import AttendeeFactory, MeetingFactory

pytestmark = pytest.mark.django_db

UTC = dt.UTC
NOV_1, NOV_30 = dt.date(2026, 11, 1), dt.date(2026, 11, 30)


def client_meeting(organizer, start: dt.datetime, **kwargs):
    return MeetingFactory(
        organizer=organizer, start=start, type=kwargs.pop("type", "client"),
        status=kwargs.pop("status", "done"), **kwargs,
    )  # fmt: skip


def november_fixture(sdr, other):
    """sdr held 4 client meetings in November (Berlin calendar), other 2 (m1 attended, m6 organised)."""
    at = dt.datetime(2026, 11, 10, 10, tzinfo=UTC)
    m1 = client_meeting(sdr, at)  # organised (no attendee row): counts
    AttendeeFactory(meeting=m1, person=other, rsvp="accepted")  # other: counts
    client_meeting(sdr, dt.datetime(2026, 10, 31, 23, 30, tzinfo=UTC))  # 00:30 Nov 1 in Berlin
    client_meeting(sdr, dt.datetime(2026, 11, 30, 23, 30, tzinfo=UTC))  # Dec 1 in Berlin: out
    client_meeting(sdr, at, status="scheduled")  # not held: out
    client_meeting(sdr, at, status="cancelled")  # out
    client_meeting(sdr, at, type="team")  # internal: out
    m6 = client_meeting(other, at)  # other organised: counts
    AttendeeFactory(meeting=m6, person=sdr, rsvp="declined")  # sdr declined: out for sdr
    m7 = client_meeting(sdr, at)
    AttendeeFactory(meeting=m7, person=sdr, rsvp="accepted")  # organiser and attendee: once
    m8 = client_meeting(PersonFactory(), at)
    AttendeeFactory(meeting=m8, person=sdr, rsvp="tentative")  # attended: counts


def test_meetings_held_counts_done_client_meetings_attended_or_organised_on_company_days():
    sdr, other, idle = PersonFactory(), PersonFactory(), PersonFactory()
    november_fixture(sdr, other)

    got = meetings_held_by_person([sdr.pk, other.pk, idle.pk], NOV_1, NOV_30)

    assert got == {sdr.pk: Decimal(4), other.pk: Decimal(2)}
    assert meetings_held_by_person([sdr.pk], NOV_1, NOV_1) == {sdr.pk: Decimal(1)}
    assert meetings_held_by_person([], NOV_1, NOV_30) == {}


def test_meetings_held_follows_the_company_time_zone(settings):
    sdr, other = PersonFactory(), PersonFactory()
    november_fixture(sdr, other)
    settings.COMPANY_TIME_ZONE = "UTC"

    # In UTC the Oct 31 23:30 meeting is October and the Nov 30 23:30 one is November.
    assert meetings_held_by_person([sdr.pk], NOV_1, NOV_30) == {sdr.pk: Decimal(4)}
    assert meetings_held_by_person([sdr.pk], NOV_30, NOV_30) == {sdr.pk: Decimal(1)}


def test_attainment_of_a_meetings_held_quota_shows_the_meetings(personas):
    sdr = personas.person("rep_a1")
    november_fixture(sdr, personas.person("rep_a2"))
    Quota.objects.create(
        person=sdr, metric=Metric.MEETINGS_HELD, fiscal_year=2026,
        period_start=NOV_1, period_end=NOV_30, amount=Decimal(8),
    )  # fmt: skip

    rows = attainment_for_people(
        user=personas.manager_a,
        person_ids=[sdr.pk],
        start=NOV_1,
        end=NOV_30,
        metric=Metric.MEETINGS_HELD,
        today=NOV_30,
    )

    row = rows[sdr.pk]
    assert row.quota == Decimal(8)
    assert row.credited == Decimal(4)
    assert row.percent == Decimal("50.00")

"""Times on pages, e-mails and reminders are in the zone their label names (issue 17).

A meeting booked for 09:30 Europe/Berlin reads 09:30 Europe/Berlin everywhere; a viewer in another
zone also sees their own time, labelled. Every other timestamp is in the viewer's zone (their
person's, else the company's), and the page says which.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from meetings.models import Notification
from meetings.services.reminders import reminders_dispatch
from salesops.models import JobRun, JobStatus
from tests.meetings.factories import AttendeeFactory, MeetingFactory

pytestmark = pytest.mark.django_db
BERLIN = ZoneInfo("Europe/Berlin")
# Tuesday 12 January 2027, 09:30 in Berlin is 08:30 UTC and 08:30 in London.
START = dt.datetime(2027, 1, 12, 9, 30, tzinfo=BERLIN)
NOW = dt.datetime(2027, 1, 5, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def frozen() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def booked(personas: Any, frozen: Any) -> Any:
    """manager_a's 09:30 Berlin meeting with rep_a1; everybody is in Berlin unless moved."""
    meeting = MeetingFactory(
        title="Pipeline review",
        organizer=personas.manager_a.person,
        start=START,
        end=START + dt.timedelta(minutes=30),
        time_zone="Europe/Berlin",
    )
    AttendeeFactory(meeting=meeting, person=personas.manager_a.person)
    AttendeeFactory(meeting=meeting, person=personas.rep_a1.person)
    return meeting


def _move(user: Any, zone: str) -> None:
    user.person.time_zone = zone
    user.person.save(update_fields=["time_zone"])


def _text(response: Any) -> str:
    """The page's text with tags dropped and whitespace folded."""
    html = response.content.decode()
    html = re.sub(r"<script.*?</script>|<datalist.*?</datalist>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.mark.parametrize("who", ["manager_a", "rep_a1"])
def test_meeting_list_shows_the_booked_berlin_time(personas, booked, client_for, who):
    text = _text(client_for(getattr(personas, who)).get("/meetings/"))
    assert "09:30" in text and "Europe/Berlin" in text
    assert "08:30" not in text


def test_meeting_detail_shows_the_booked_time_in_the_meeting_zone(personas, booked, client_for):
    text = _text(client_for(personas.rep_a1).get(f"/meetings/{booked.pk}/"))
    assert "Tue 12 Jan 2027, 09:30–10:00 Europe/Berlin" in text
    assert "08:30" not in text and "your time" not in text


def test_me_page_shows_the_booked_time(personas, booked, client_for):
    text = _text(client_for(personas.rep_a1).get("/me/"))
    assert "09:30" in text and "Europe/Berlin" in text
    assert "08:30" not in text


def test_a_viewer_in_london_sees_the_meeting_time_and_their_own(personas, booked, client_for):
    _move(personas.rep_a1, "Europe/London")
    client = client_for(personas.rep_a1)
    detail = _text(client.get(f"/meetings/{booked.pk}/"))
    assert "09:30–10:00 Europe/Berlin (08:30–09:00 your time, Europe/London)" in detail
    listing = _text(client.get("/meetings/"))
    assert "09:30–10:00 Europe/Berlin (08:30–09:00 your time, Europe/London)" in listing
    me = _text(client.get("/me/"))
    assert "09:30 Europe/Berlin (08:30 your time, Europe/London)" in me


def test_a_viewer_across_the_date_line_sees_their_own_date(personas, booked, client_for):
    _move(personas.rep_a1, "America/Los_Angeles")
    detail = _text(client_for(personas.rep_a1).get(f"/meetings/{booked.pk}/"))
    # 09:30 Berlin on Tuesday is 00:30 on Tuesday in Los Angeles; 08:00 Berlin would be Monday.
    assert "(00:30–01:00 your time, America/Los_Angeles)" in detail


def test_reminder_email_names_the_meeting_zone_and_the_recipients(personas, booked, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    _move(personas.rep_a1, "Europe/London")
    personas.rep_a1.person.email = "anna@example.com"
    personas.rep_a1.person.save(update_fields=["email"])
    personas.manager_a.person.email = "maria@example.com"
    personas.manager_a.person.save(update_fields=["email"])
    mail.outbox.clear()
    reminders_dispatch(now=START - dt.timedelta(minutes=50))
    by_to = {m.to[0]: m for m in mail.outbox}
    anna, maria = by_to["anna@example.com"], by_to["maria@example.com"]
    assert "09:30 Europe/Berlin (08:30 your time, Europe/London)" in anna.subject
    assert "When: Tue 12 Jan 2027, 09:30–10:00 Europe/Berlin (08:30–09:00 your time" in anna.body
    assert "09:30 Europe/Berlin" in maria.subject and "your time" not in maria.subject
    assert "When: Tue 12 Jan 2027, 09:30–10:00 Europe/Berlin" in maria.body
    # The in-app reminder says the same.
    note = Notification.objects.get(person=personas.rep_a1.person)
    assert note.title == anna.subject


def test_find_a_time_offers_slots_in_the_meeting_zone(personas, client_for, frozen):
    """Berlin people work 09:00–17:00 Berlin: the first slot on Wednesday reads 09:00, and the
    button's value is the same wall-clock time (the booking form reads it in that zone)."""
    client = client_for(personas.manager_a)
    response = client.post(
        "/meetings/find-time/",
        {
            "attendees": [personas.rep_a1.person.pk],
            "time_zone": "Europe/Berlin",
            "duration": 30,
            "window_days": 3,
        },
    )
    html = response.content.decode()
    assert 'data-start="2027-01-06T09:00"' in html, html
    assert "Wed 6 Jan, 09:00–09:30" in _text(response)
    assert "08:00" not in _text(response)


def test_notifications_are_listed_in_the_viewers_zone_and_say_so(personas, client_for, frozen):
    _move(personas.rep_a1, "Asia/Tokyo")
    Notification.objects.create(person=personas.rep_a1.person, title="Hello")  # 12:00 UTC
    text = _text(client_for(personas.rep_a1).get("/meetings/notifications/"))
    assert "5 Jan 2027 21:00" in text and "Asia/Tokyo" in text


def test_ops_job_runs_are_shown_in_the_viewers_zone_and_say_so(personas, client_for, frozen):
    _move(personas.sales_ops, "America/New_York")
    JobRun.objects.create(
        job="efficiency",
        business_date=dt.date(2027, 1, 4),
        status=JobStatus.SUCCESS,
        started_at=timezone.now(),
    )
    text = _text(client_for(personas.sales_ops).get("/ops/"))
    assert "2027-01-05 07:00" in text and "America/New_York" in text
    assert "2027-01-05 12:00" not in text


def test_pages_are_in_the_company_zone_for_a_user_without_a_person(personas, client_for, settings):
    settings.COMPANY_TIME_ZONE = "America/Los_Angeles"
    with time_machine.travel(NOW, tick=False):
        JobRun.objects.create(
            job="efficiency",
            business_date=dt.date(2027, 1, 4),
            status=JobStatus.SUCCESS,
            started_at=timezone.now(),
        )
        text = _text(client_for(personas.admin).get("/ops/"))
    assert "2027-01-05 04:00" in text and "America/Los_Angeles" in text


def test_every_page_names_the_zone_its_times_are_in(personas, client_for):
    _move(personas.rep_a1, "Asia/Kolkata")
    assert "Times in Asia/Kolkata" in _text(client_for(personas.rep_a1).get("/meetings/"))


def test_api_times_stay_in_utc_whatever_the_viewers_zone(personas, booked, api_client_for):
    _move(personas.rep_a1, "Asia/Tokyo")
    client = api_client_for(personas.rep_a1)
    client.force_login(personas.rep_a1)  # a session, as the pages' own scripts would have
    body = client.get(f"/api/v1/meetings/{booked.pk}/").json()
    assert body["start"] == "2027-01-12T08:30:00Z"


def test_the_meeting_form_offers_every_iana_zone(personas, client_for):
    html = client_for(personas.manager_a).get("/meetings/new/").content.decode()
    for zone in ("America/Argentina/Buenos_Aires", "Pacific/Chatham", "Africa/Nairobi"):
        assert f'<option value="{zone}"' in html


def test_a_meeting_can_be_booked_in_any_iana_zone(personas, client_for, frozen):
    client = client_for(personas.manager_a)
    _move(personas.manager_a, "Pacific/Chatham")
    response = client.post(
        "/meetings/new/",
        {
            "title": "Chatham sync",
            "type": "client",
            "time_zone": "Pacific/Chatham",
            "start": "2027-01-12T10:00",
            "end": "2027-01-12T10:30",
            "agenda-TOTAL_FORMS": "0",
            "agenda-INITIAL_FORMS": "0",
            "agenda-MIN_NUM_FORMS": "0",
            "agenda-MAX_NUM_FORMS": "30",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    meeting = personas.manager_a.person.organized_meetings.get(title="Chatham sync")
    assert meeting.start == dt.datetime(2027, 1, 12, 10, tzinfo=ZoneInfo("Pacific/Chatham"))


def test_a_person_picks_their_zone_from_the_full_list(personas, client_for):
    client = client_for(personas.rep_a1)
    page = client.get("/settings/time-zone/")
    html = page.content.decode()
    assert len(re.findall(r"<option value=", html)) == len(zoneinfo.available_timezones())
    response = client.post("/settings/time-zone/", {"time_zone": "America/Argentina/Salta"})
    assert response.status_code == 302
    personas.rep_a1.person.refresh_from_db()
    assert personas.rep_a1.person.time_zone == "America/Argentina/Salta"
    assert "Times in America/Argentina/Salta" in _text(client.get("/meetings/"))
    bad = client.post("/settings/time-zone/", {"time_zone": "Mars/Olympus_Mons"})
    assert bad.status_code == 200 and "not a known IANA time zone" in bad.content.decode()


def test_a_new_person_starts_in_the_company_zone(settings):
    from salesops.services.people import person_create

    settings.COMPANY_TIME_ZONE = "America/Los_Angeles"
    person = person_create(name="New Hire", role="sdr")
    assert person.time_zone == "America/Los_Angeles"


def test_admin_pages_and_history_say_which_zone_their_times_are_in(personas, client_for, settings):
    settings.COMPANY_TIME_ZONE = "Europe/Berlin"
    client = client_for(personas.admin)
    html = client.get(f"/admin/salesops/person/{personas.rep_a1.person.pk}/change/").content
    page = html.decode()
    assert "Times in Europe/Berlin" in page  # admin has no person: the company zone
    assert 'list="id_time_zone_zones"' in page and '<option value="Pacific/Chatham">' in page
    history = client.get(f"/admin/salesops/person/{personas.rep_a1.person.pk}/history/")
    assert "Times in Europe/Berlin" in history.content.decode()

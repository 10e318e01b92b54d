from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from meetings.context_processors import notifications
from meetings.models import Meeting, Notification
from salesops import calendar
from salesops.models import SalesCost
from tests.meetings.factories import AttendeeFactory, MeetingFactory

pytestmark = pytest.mark.django_db
BERLIN = ZoneInfo("Europe/Berlin")


def _next_weekday_10am() -> dt.datetime:
    day = timezone.now().astimezone(BERLIN).date() + dt.timedelta(days=7)
    while day.isoweekday() > 5:
        day += dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time(10), tzinfo=BERLIN)


def _form(start: dt.datetime, **extra):
    data = {
        "title": "Deal review",
        "type": "team",
        "time_zone": "Europe/Berlin",
        "start": start.strftime("%Y-%m-%dT%H:%M"),
        "end": (start + dt.timedelta(minutes=45)).strftime("%Y-%m-%dT%H:%M"),
        "agenda-TOTAL_FORMS": "2",
        "agenda-INITIAL_FORMS": "0",
        "agenda-MIN_NUM_FORMS": "0",
        "agenda-MAX_NUM_FORMS": "30",
        "agenda-0-title": "Open deals",
        "agenda-0-minutes": "30",
        "agenda-1-title": "",
        "external": "Cleo Client <cleo@client.example>",
    }
    data.update(extra)
    return data


def test_scheduling_from_the_page_warns_about_conflicts_then_schedules_anyway(personas, client_for):
    start = _next_weekday_10am()
    busy = MeetingFactory(
        title="Forecast call",
        organizer=personas.rep_a2.person,
        start=start,
        end=start + dt.timedelta(hours=1),
    )
    AttendeeFactory(meeting=busy, person=personas.rep_a2.person)
    client = client_for(personas.manager_a)
    data = _form(start, attendees=[personas.rep_a1.person.pk, personas.rep_a2.person.pk])
    first = client.post("/meetings/new/", data)
    assert first.status_code == 200
    assert any("Forecast call" in c for c in first.context["conflicts"])
    assert "Schedule anyway" in first.content.decode()
    second = client.post("/meetings/new/", {**data, "allow_conflicts": "on"})
    assert second.status_code == 302
    meeting = Meeting.objects.get(title="Deal review")
    assert meeting.start == start
    assert {a.display_name for a in meeting.attendees.all()} == {
        "Maria Manager",
        "Anna Rep",
        "Arno Rep",
        "Cleo Client",
    }
    assert [i.title for i in meeting.agenda_items.all()] == ["Open deals"]


def test_page_form_reports_an_agenda_longer_than_the_meeting(personas, client_for):
    client = client_for(personas.manager_a)
    response = client.post(
        "/meetings/new/", _form(_next_weekday_10am(), **{"agenda-0-minutes": "60"})
    )
    assert response.status_code == 200
    assert "The agenda needs 60 minutes but the meeting lasts 45." in response.content.decode()


def test_find_a_time_partial_lists_slots_in_the_chosen_time_zone(personas, client_for):
    client = client_for(personas.manager_a)
    response = client.post(
        "/meetings/find-time/",
        {
            "attendees": [personas.rep_a1.person.pk],
            "duration": 30,
            "window_days": 7,
            "time_zone": "Europe/Berlin",
        },
    )
    assert response.status_code == 200
    slots = response.context["slots"]
    assert 1 <= len(slots) <= 8
    local = [(dt.datetime.fromisoformat(s.start), dt.datetime.fromisoformat(s.end)) for s in slots]
    assert all(9 <= s.hour and e.time() <= dt.time(17) for s, e in local)
    # The wall-clock values the form reads are the Berlin times of the instants offered.
    assert all(
        dt.datetime.fromisoformat(s.start_instant).astimezone(BERLIN).replace(tzinfo=None) == start
        for s, (start, _end) in zip(slots, local, strict=True)
    )
    assert 'class="mt-slot"' in response.content.decode()


def test_organizer_marks_done_from_the_page_and_the_cost_posts_once(personas, client_for):
    rep = personas.rep_a1.person
    rep.hourly_cost = Decimal("80.00")
    rep.save()
    past = timezone.now() - dt.timedelta(days=1)
    meeting = MeetingFactory(organizer=rep, start=past, end=past + dt.timedelta(minutes=30))
    AttendeeFactory(meeting=meeting, person=rep)
    client = client_for(personas.rep_a1)
    detail = client.get(f"/meetings/{meeting.pk}/")
    assert detail.context["cost"] == Decimal("40.00")
    client.post(f"/meetings/{meeting.pk}/done/")
    client.post(f"/meetings/{meeting.pk}/done/")
    assert list(SalesCost.objects.values_list("amount", flat=True)) == [Decimal("40.00")]
    assert client_for(personas.rep_a2).post(f"/meetings/{meeting.pk}/reopen/").status_code == 404


def test_team_load_page_flags_people_over_the_limit(personas, client_for):
    monday = calendar.company_today() - dt.timedelta(days=calendar.company_today().weekday())
    for day in range(3):
        start = dt.datetime.combine(monday + dt.timedelta(days=day), dt.time(9), tzinfo=BERLIN)
        m = MeetingFactory(
            organizer=personas.rep_a2.person, start=start, end=start + dt.timedelta(hours=3)
        )
        AttendeeFactory(meeting=m, person=personas.rep_a2.person)
    page = client_for(personas.manager_a).get(f"/meetings/team/?week={monday.isoformat()}")
    assert page.context["overloaded"] == 1
    assert page.context["rows"][0].person.name == "Arno Rep"
    assert "over 8" in page.content.decode()


def test_unread_notifications_context_is_one_query(personas, rf, django_assert_num_queries):
    Notification.objects.create(person=personas.rep_a1.person, title="x")
    request = rf.get("/")
    request.user = personas.rep_a1
    with django_assert_num_queries(1):
        assert notifications(request) == {"unread_notifications": 1}


def test_notifications_page_and_calendar_feed_page(personas, client_for):
    client = client_for(personas.rep_a1)
    Notification.objects.create(person=personas.rep_a1.person, title="Reminder: standup")
    assert "Reminder: standup" in client.get("/meetings/notifications/").content.decode()
    client.post("/meetings/notifications/")
    assert Notification.objects.filter(read_at__isnull=True).count() == 0
    created = client.post("/meetings/calendar/", {"action": "regenerate"})
    url = created.context["new_url"]
    assert "/calendar/" in url and url.endswith(".ics")
    token_path = url.split("testserver")[1]
    assert client.get(token_path).status_code == 200


def test_edit_form_is_prefilled_and_refused_to_attendees(personas, client_for):
    start = _next_weekday_10am()
    m = MeetingFactory(
        title="Kickoff prep",
        organizer=personas.rep_a1.person,
        start=start,
        end=start + dt.timedelta(hours=1),
    )
    AttendeeFactory(meeting=m, person=personas.rep_a1.person)
    AttendeeFactory(meeting=m, person=personas.rep_a2.person)
    page = client_for(personas.rep_a1).get(f"/meetings/{m.pk}/edit/")
    assert page.status_code == 200 and page.context["form"].initial["title"] == "Kickoff prep"
    assert client_for(personas.rep_a2).get(f"/meetings/{m.pk}/edit/").status_code == 403


def test_schedule_form_offers_find_a_time_and_a_kickoff_page_shows_its_warnings(
    personas, client_for
):
    client = client_for(personas.manager_a)
    form = client.get("/meetings/new/?type=kickoff")
    assert form.status_code == 200
    html = form.content.decode()
    assert "Find a time" in html and 'hx-post="/meetings/find-time/"' in html
    start = _next_weekday_10am()
    data = _form(
        start, type="kickoff", title="Kickoff", **{"agenda-0-title": "", "agenda-0-minutes": ""}
    )
    data["end"] = (start + dt.timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M")
    response = client.post("/meetings/new/", data, follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Sales training" in page and "No compensation review is scheduled" in page

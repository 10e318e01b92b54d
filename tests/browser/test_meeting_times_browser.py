"""A meeting booked for 09:30 reads 09:30 everywhere (issue 17), in a real Chromium.

Maria (manager_a, Berlin) books 09:30 Europe/Berlin with Anna (rep_a1), who works in London. Both
see 09:30 Europe/Berlin on the meeting list, the detail page and /me/; Anna also sees 08:30, her
own time, labelled. The .ics says 09:30 Berlin and the reminder e-mail (rendered by the reminder
code, delivered to Django's locmem outbox) says what the pages say. Then a find-a-time slot,
clicked in another zone, books exactly the time it offered.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import timezone

from meetings.models import Meeting
from meetings.services.reminders import reminders_dispatch
from tests.browser.choosers import choose
from tests.browser.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
BERLIN = ZoneInfo("Europe/Berlin")


def _next_week_tuesday() -> dt.date:
    day = timezone.now().astimezone(BERLIN).date() + dt.timedelta(days=7)
    return day + dt.timedelta(days=(1 - day.weekday()) % 7)


def _set_zone(user: Any, zone: str, email: str, work_start: int = 9) -> None:
    person = user.person
    person.time_zone, person.email, person.work_start = zone, email, dt.time(work_start)
    person.save(update_fields=["time_zone", "email", "work_start"])


def _when(page: Any) -> list[str]:
    return [t.strip() for t in page.get_by_test_id("meeting-when").all_inner_texts()]


def test_a_meeting_booked_at_0930_reads_0930_on_every_page_the_ics_and_the_reminder(
    personas: Any, login: Any, settings: Any
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    _set_zone(personas.manager_a, "Europe/Berlin", "maria@example.com")
    # Anna starts at 08:00 London, which is 09:00 in Berlin.
    _set_zone(personas.rep_a1, "Europe/London", "anna@example.com", work_start=8)
    day = _next_week_tuesday()
    start = dt.datetime.combine(day, dt.time(9, 30), tzinfo=BERLIN)
    berlin_day = f"{start:%a} {day.day} {start:%b %Y}"  # "Tue 12 Jan 2027"

    page = login("manager_a")
    page.goto("/meetings/new/")
    page.get_by_label("Title").fill("Zone check")
    page.get_by_label("Time zone").fill("Europe/Berlin")
    page.locator("#id_start").fill(f"{day.isoformat()}T09:30")
    page.locator("#id_end").fill(f"{day.isoformat()}T10:00")
    choose(page, "id_attendees", personas.rep_a1.person.name)
    page.get_by_role("button", name="Schedule", exact=True).click()
    page.wait_for_url(re.compile(r"/meetings/\d+/$"))
    meeting = Meeting.objects.get(title="Zone check")
    assert meeting.start == start
    booked = f"{berlin_day}, 09:30–10:00 Europe/Berlin"
    assert _when(page) == [booked]  # Maria is in Berlin too: one time, no "your time"
    assert "Times in Europe/Berlin" in page.get_by_test_id("viewer-zone").inner_text()

    page = login("rep_a1")
    yours = f"{booked} (08:30–09:00 your time, Europe/London)"
    page.goto(f"/meetings/{meeting.pk}/")
    assert _when(page) == [yours]
    assert page.get_by_test_id("viewer-zone").inner_text() == "Times in Europe/London"
    screenshot(page, "meeting-times-detail-london")
    page.goto("/meetings/")
    assert _when(page) == [yours]
    page.goto("/me/")
    me_line = page.get_by_test_id("my-meetings").inner_text()
    assert "09:30 Europe/Berlin (08:30 your time, Europe/London)" in me_line

    ics = page.request.get(f"/meetings/{meeting.pk}.ics").text()
    assert "DTSTART;TZID=Europe/Berlin:" + day.strftime("%Y%m%d") + "T093000" in ics
    assert "DTEND;TZID=Europe/Berlin:" + day.strftime("%Y%m%d") + "T100000" in ics

    mail.outbox.clear()
    reminders_dispatch(now=start - dt.timedelta(minutes=50))
    # Anna's invitation (issue 24) is still due too and goes out with the reminders: pick these.
    by_to = {m.to[0]: m for m in mail.outbox if m.subject.startswith("Reminder:")}
    anna, maria = by_to["anna@example.com"], by_to["maria@example.com"]
    assert anna.subject == (
        f"Reminder: Zone check — {berlin_day}, 09:30 Europe/Berlin (08:30 your time, Europe/London)"
    )
    assert f"When: {yours} – 30 minutes" in anna.body
    assert maria.subject == f"Reminder: Zone check — {berlin_day}, 09:30 Europe/Berlin"
    assert f"When: {booked} – 30 minutes" in maria.body
    # The in-app reminder on Anna's /me/ says the same as her e-mail.
    page.goto("/me/")
    assert anna.subject in page.get_by_test_id("my-notifications").inner_text()


def test_a_find_a_time_slot_clicked_in_the_browser_books_the_time_it_offered(
    personas: Any, login: Any
) -> None:
    """Maria (Berlin) looks for a time with Anna (London) for a meeting in New York time; the
    slot she clicks is the meeting's time on the detail page, with her own Berlin time."""
    _set_zone(personas.manager_a, "Europe/Berlin", "maria@example.com")
    _set_zone(personas.rep_a1, "Europe/London", "anna@example.com")
    page = login("manager_a")
    page.goto("/meetings/new/")
    page.get_by_label("Title").fill("Slot check")
    page.get_by_label("Time zone").fill("America/New_York")
    choose(page, "id_attendees", personas.rep_a1.person.name)
    page.get_by_role("button", name="Find a time").click()
    first = page.locator(".mt-slot").first
    first.wait_for()
    assert "America/New_York" in page.locator("#ft-slots").inner_text()
    label = first.inner_text().strip()  # e.g. "Fri 4 Dec, 04:00–04:30"
    offered = dt.datetime.fromisoformat(first.get_attribute("data-start-instant"))
    first.click()
    assert page.locator("#id_start").input_value() == first.get_attribute("data-start")
    page.get_by_role("button", name="Schedule", exact=True).click()
    page.wait_for_url(re.compile(r"/meetings/\d+/$"))
    meeting = Meeting.objects.get(title="Slot check")
    assert meeting.start == offered
    when = _when(page)[0]
    times = label.split(", ", 1)[1]
    assert f"{times} America/New_York (" in when and "your time, Europe/Berlin)" in when
    local = offered.astimezone(BERLIN)
    assert f"{local:%H:%M}" in when.split("(", 1)[1]

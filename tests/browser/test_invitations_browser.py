"""Booking, moving and cancelling a meeting in a real Chromium sends REQUEST, REQUEST
(SEQUENCE+1) and CANCEL to every attendee (issue 24, "Done when"): the messages leave through a
real Celery worker (queued on commit) to a real SMTP server (aiosmtpd) and are validated against
RFC 5546 with `icalendar` and parsed again with `vobject`. The RSVP link in the invitation works
once, without logging in."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from meetings.models import Attendee, Meeting
from tests.meetings.invitation_mail import CapturingSMTPServer, Received, assert_itip

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
BERLIN = ZoneInfo("Europe/Berlin")
CLIENT = "cleo@client.example"


def _next_week_tuesday() -> dt.date:
    day = timezone.now().astimezone(BERLIN).date() + dt.timedelta(days=7)
    return day + dt.timedelta(days=(1 - day.weekday()) % 7)


def _pick_attendee(page: Any, person: Any) -> None:
    """The searchable chooser where the form has it (salesops.widgets), else the plain select."""
    if page.locator("#id_attendees + .ts-wrapper").count():
        from tests.browser.choosers import choose

        choose(page, "id_attendees", person.name)
    else:
        page.locator("#id_attendees").select_option(value=str(person.pk))


def _events(messages: list[Received], method: str) -> list[Any]:
    out = []
    for message in messages:
        assert message.method_param == method
        [event] = assert_itip(message.icalendar(), method)
        vevent = message.vobject().vevent  # a second, independent parser agrees
        assert vevent.uid.value == str(event["UID"])
        assert int(vevent.sequence.value) == int(event["SEQUENCE"])
        out.append(event)
    return out


def test_booking_moving_and_cancelling_in_the_browser_send_request_request_cancel(
    personas: Any, login: Any, settings: Any, celery_worker: Any, browser: Any, live_server: Any
) -> None:
    arno = personas.rep_a2.person
    with CapturingSMTPServer() as smtp:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", smtp.port
        settings.EMAIL_USE_TLS = False
        settings.SITE_URL = live_server.url
        day = _next_week_tuesday()

        page = login("rep_a1")
        page.goto("/meetings/new/")
        page.get_by_label("Title").fill("Pricing call")
        page.get_by_label("Time zone").fill("Europe/Berlin")
        page.locator("#id_start").fill(f"{day.isoformat()}T10:00")
        page.locator("#id_end").fill(f"{day.isoformat()}T11:00")
        _pick_attendee(page, arno)
        page.get_by_label("External contacts").fill(f"Cleo Client <{CLIENT}>")
        page.get_by_role("button", name="Schedule", exact=True).click()
        page.wait_for_url(re.compile(r"/meetings/\d+/$"))
        meeting = Meeting.objects.get(title="Pricing call")

        booked = _events(smtp.wait_for(2), "REQUEST")
        assert sorted(m.to[0] for m in smtp.messages) == sorted([arno.email, CLIENT])
        uid = str(booked[0]["UID"])
        assert {int(e["SEQUENCE"]) for e in booked} == {0}
        assert booked[0].decoded("DTSTART") == dt.datetime.combine(day, dt.time(10), BERLIN)

        # The RSVP link in Cleo's e-mail works once, without logging in.
        [to_cleo] = smtp.to(CLIENT)
        [accept] = [u for u in re.findall(r"https?://\S+", to_cleo.text) if "answer=accepted" in u]
        visitor = browser.new_context()
        guest = visitor.new_page()
        guest.goto(accept)
        guest.get_by_test_id("rsvp-confirm").click()
        assert "Accepted" in guest.get_by_test_id("rsvp-done").inner_text()
        assert Attendee.objects.get(meeting=meeting, email=CLIENT).rsvp == "accepted"
        guest.goto(accept)
        assert "already used" in guest.get_by_test_id("rsvp-error").inner_text()
        visitor.close()

        # Move it an hour later: an update with the next SEQUENCE, same UID.
        smtp.clear()
        page.goto(f"/meetings/{meeting.pk}/edit/")
        page.locator("#id_start").fill(f"{day.isoformat()}T11:00")
        page.locator("#id_end").fill(f"{day.isoformat()}T12:00")
        page.get_by_role("button", name="Save changes").click()
        page.wait_for_url(re.compile(r"/meetings/\d+/$"))
        moved = _events(smtp.wait_for(2), "REQUEST")
        assert {str(e["UID"]) for e in moved} == {uid}
        assert {int(e["SEQUENCE"]) for e in moved} == {int(booked[0]["SEQUENCE"]) + 1}
        assert moved[0].decoded("DTSTART") == dt.datetime.combine(day, dt.time(11), BERLIN)
        partstat = {str(a): a.params["PARTSTAT"] for a in moved[0]["ATTENDEE"]}
        assert partstat[f"mailto:{CLIENT}"] == "ACCEPTED"  # her answer is in the update

        # Cancel it: a CANCEL with a higher SEQUENCE to everyone.
        smtp.clear()
        page.get_by_role("button", name="Cancel meeting").click()
        page.wait_for_url(re.compile(r"/meetings/\d+/$"))
        cancelled = _events(smtp.wait_for(2), "CANCEL")
        assert sorted(m.to[0] for m in smtp.messages) == sorted([arno.email, CLIENT])
        assert {str(e["UID"]) for e in cancelled} == {uid}
        assert all(int(e["SEQUENCE"]) > int(moved[0]["SEQUENCE"]) for e in cancelled)
        assert {str(e["STATUS"]) for e in cancelled} == {"CANCELLED"}

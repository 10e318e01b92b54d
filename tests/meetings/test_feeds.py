"""Outside free/busy (issue 24, item 3): people's own calendars (secret ICS addresses) are fetched
from a real HTTP server on 127.0.0.1 serving Google-, Outlook- and Apple-shaped files, and their
busy times (never titles) join find-a-time and the conflict checks. A malformed feed records its
own error and breaks nothing else.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
import time
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from meetings.models import BusyBlock, BusyFeed, FeedStatus
from meetings.services import feeds
from meetings.services.conflicts import ConflictError
from meetings.services.scheduling import meeting_schedule

ICS = Path(__file__).parent / "ics"
UTC = dt.UTC
BERLIN = ZoneInfo("Europe/Berlin")
# Monday 7 December 2026, 07:00 in Berlin: the fixtures' events fall in the following two weeks.
NOW = dt.datetime(2026, 12, 7, 6, 0, tzinfo=UTC)
HITS: Counter[str] = Counter()


class FeedHandler(BaseHTTPRequestHandler):
    """Serves tests/meetings/ics/<name>.ics with an ETag (304 on If-None-Match), plus the
    misbehaving servers the fetcher must survive."""

    def log_message(self, format: str, *args: Any) -> None:  # quiet test output
        pass

    def _send(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if "Content-Length" not in (headers or {}) and body:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body:
            self.wfile.write(body)

    def do_GET(self) -> None:
        HITS[self.path] += 1
        if self.path.startswith("/ics/"):
            return self._ics(self.path.removeprefix("/ics/"))
        if self.path == "/redirect-to-ftp.ics":
            return self._send(302, headers={"Location": "ftp://127.0.0.1/secret.ics"})
        if self.path == "/redirect-to-google.ics":
            return self._send(301, headers={"Location": "/ics/google.ics"})
        if self.path == "/huge.ics":  # no Content-Length: the limit must hold while reading
            self.send_response(200)
            self.send_header("Content-Type", "text/calendar")
            self.end_headers()
            self.wfile.write(b"BEGIN:VCALENDAR\r\n" + (b"X-PAD:" + b"x" * 70 + b"\r\n") * 2000)
            return None
        if self.path == "/slow.ics":
            time.sleep(3)
            return self._send(200, (ICS / "google.ics").read_bytes())
        return self._send(404, b"not found")

    def _ics(self, name: str) -> None:
        path = ICS / name
        if not path.is_file():
            return self._send(404, b"not found")
        body = path.read_bytes()
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        if self.headers.get("If-None-Match") == etag:
            HITS[f"304 {self.path}"] += 1
            return self._send(304, headers={"ETag": etag})
        return self._send(200, body, {"Content-Type": "text/calendar", "ETag": etag})


@pytest.fixture(scope="module")
def feed_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), FeedHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(autouse=True)
def feed_settings(settings: Any) -> None:
    settings.MEETING_FEEDS_ALLOW_PRIVATE_HOSTS = True  # the test server is on 127.0.0.1
    settings.MEETING_FEEDS_TIMEOUT_SECONDS = 1
    HITS.clear()


def _berlin(intervals: list[tuple[dt.datetime, dt.datetime]]) -> list[str]:
    return [
        f"{s.astimezone(BERLIN):%a %d %H:%M}-{e.astimezone(BERLIN):%a %d %H:%M}"
        for s, e in intervals
    ]


def _parse(name: str, zone: str = "Europe/Berlin") -> list[str]:
    busy = feeds.parse_busy(
        (ICS / name).read_bytes(),
        time_zone=zone,
        window_start=NOW - dt.timedelta(days=1),
        window_end=NOW + dt.timedelta(days=60),
    )
    return _berlin(busy)


# --- parsing real-world shapes ------------------------------------------------------------------


def test_google_feed_expands_recurrence_with_exdate_and_moved_occurrence():
    assert _parse("google.ics") == [
        "Mon 07 10:00-Mon 07 11:00",
        # Wed 09 is an EXDATE; the all-day offsite is the whole Thursday in the owner's zone.
        "Thu 10 00:00-Fri 11 00:00",
        # Mon 14 10:00 was moved to 15:00 by a RECURRENCE-ID override.
        "Mon 14 15:00-Mon 14 16:00",
        "Wed 16 10:00-Wed 16 11:00",
        "Mon 21 10:00-Mon 21 11:00",
        "Wed 23 10:00-Wed 23 11:00",
        # COUNT=6 ends the series; the transparent "working from home" and the cancelled lunch
        # on Tue 08 are not busy.
    ]


def test_outlook_feed_reads_several_windows_named_time_zones():
    assert _parse("outlook.ics") == [
        "Tue 08 14:00-Tue 08 15:00",  # W. Europe Standard Time
        "Tue 08 17:00-Tue 08 18:00",  # 08:00 Pacific Standard Time
        # Daily focus time until 15 Dec, 14 Dec excluded.
        "Fri 11 09:00-Fri 11 10:00",
        "Sat 12 09:00-Sat 12 10:00",
        "Sun 13 09:00-Sun 13 10:00",
        "Tue 15 09:00-Tue 15 10:00",
    ]


def test_apple_feed_floating_times_are_the_owners_wall_clock():
    # The dentist at 13:00 floating is 13:00 where the owner lives; New York's flight stays put.
    assert _parse("apple.ics", "Europe/Berlin") == [
        "Wed 09 13:00-Wed 09 14:00",
        "Fri 11 15:00-Fri 11 16:00",
    ]
    assert _parse("apple.ics", "America/New_York") == [
        "Wed 09 19:00-Wed 09 20:00",
        "Fri 11 15:00-Fri 11 16:00",
    ]


def test_malformed_file_is_a_feed_error():
    with pytest.raises(feeds.FeedError, match="Not a valid iCalendar file"):
        _parse("malformed.ics")


def test_expansion_is_bounded_to_the_window():
    busy = feeds.parse_busy(
        (ICS / "google.ics").read_bytes(),
        time_zone="Europe/Berlin",
        window_start=dt.datetime(2026, 12, 15, tzinfo=UTC),
        window_end=dt.datetime(2026, 12, 17, tzinfo=UTC),
    )
    assert _berlin(busy) == ["Wed 16 10:00-Wed 16 11:00"]


# --- fetching from a real server ---------------------------------------------------------------


def _feed(person: Any, url: str) -> BusyFeed:
    return feeds.busy_feed_add(person=person, url=url, label=url.rsplit("/", 1)[-1])


def test_fetch_stores_start_and_end_only_and_a_304_keeps_them(personas, feed_server):
    anna = personas.rep_a1.person
    feed = _feed(anna, f"{feed_server}/ics/google.ics")
    assert feeds.busy_feeds_fetch(now=NOW) == {"ok": 1, "error": 0}
    feed.refresh_from_db()
    assert (feed.status, feed.error, feed.blocks_count) == (FeedStatus.OK, "", 6)
    assert feed.etag and feed.last_fetched_at == NOW
    blocks = list(BusyBlock.objects.filter(person=anna).values_list("start", "end"))
    assert _berlin(blocks)[0] == "Mon 07 10:00-Mon 07 11:00"
    assert not hasattr(BusyBlock, "title") and not hasattr(BusyBlock, "summary")
    # Not due again yet: nothing is fetched.
    assert feeds.busy_feeds_fetch(now=NOW + dt.timedelta(minutes=1)) == {"ok": 0, "error": 0}
    later = NOW + dt.timedelta(minutes=20)
    assert feeds.busy_feeds_fetch(now=later) == {"ok": 1, "error": 0}
    assert HITS["304 /ics/google.ics"] == 1  # conditional GET answered "not modified"
    feed.refresh_from_db()
    assert feed.last_fetched_at == later and feed.blocks_count == 6
    assert BusyBlock.objects.filter(person=anna).count() == 6


def test_malformed_feed_sets_its_own_error_and_breaks_nothing_else(personas, feed_server):
    anna, bert = personas.rep_a1.person, personas.rep_b1.person
    good = _feed(anna, f"{feed_server}/ics/google.ics")
    bad = _feed(anna, f"{feed_server}/ics/malformed.ics")
    other = _feed(bert, f"{feed_server}/ics/outlook.ics")
    assert feeds.busy_feeds_fetch(now=NOW) == {"ok": 2, "error": 1}
    for feed in (good, bad, other):
        feed.refresh_from_db()
    assert good.status == other.status == FeedStatus.OK
    assert bad.status == FeedStatus.ERROR and "Not a valid iCalendar file" in bad.error
    assert bad.blocks_count == 0 and good.blocks_count == 6 and other.blocks_count == 6


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/redirect-to-ftp.ics", "not http(s)"),
        ("/huge.ics", "larger than"),
        ("/slow.ics", "did not answer in time"),
        ("/nothing-here.ics", "HTTP 404"),
    ],
)
def test_misbehaving_servers_are_recorded_on_the_feed(
    personas, feed_server, settings, path, message
):
    settings.MEETING_FEEDS_MAX_BYTES = 64 * 1024
    feed = _feed(personas.rep_a1.person, f"{feed_server}{path}")
    assert feeds.busy_feed_refresh(feed=feed, now=NOW) == FeedStatus.ERROR
    feed.refresh_from_db()
    assert message in feed.error and feed.last_fetched_at == NOW


def test_a_redirect_to_http_is_followed(personas, feed_server):
    feed = _feed(personas.rep_a1.person, f"{feed_server}/redirect-to-google.ics")
    assert feeds.busy_feed_refresh(feed=feed, now=NOW) == FeedStatus.OK
    assert BusyBlock.objects.filter(feed=feed).count() == 6


def test_private_hosts_are_refused_unless_allowed(personas, feed_server, settings):
    settings.MEETING_FEEDS_ALLOW_PRIVATE_HOSTS = False
    feed = _feed(personas.rep_a1.person, f"{feed_server}/ics/google.ics")
    assert feeds.busy_feed_refresh(feed=feed, now=NOW) == FeedStatus.ERROR
    feed.refresh_from_db()
    assert "not a public address" in feed.error
    assert HITS["/ics/google.ics"] == 0


def test_feed_addresses_must_be_http_and_are_limited(personas):
    anna = personas.rep_a1.person
    with pytest.raises(ValidationError):
        feeds.busy_feed_add(person=anna, url="file:///etc/passwd")
    webcal = feeds.busy_feed_add(person=anna, url="webcal://p01-calendars.icloud.com/x/y.ics")
    assert webcal.url == "https://p01-calendars.icloud.com/x/y.ics"
    with pytest.raises(ValidationError, match="already"):
        feeds.busy_feed_add(person=anna, url="https://p01-calendars.icloud.com/x/y.ics")
    for i in range(feeds.MAX_FEEDS_PER_PERSON - 1):
        feeds.busy_feed_add(person=anna, url=f"https://calendar.example.com/{i}.ics")
    with pytest.raises(ValidationError, match="At most"):
        feeds.busy_feed_add(person=anna, url="https://calendar.example.com/one-more.ics")


# --- the settings page ------------------------------------------------------------------------


SECRET = "/ics/google.ics?token=9f8e7d6c5b4a39281706"


def test_settings_page_adds_a_feed_and_shows_it_masked(personas, client_for):
    client = client_for(personas.rep_a1)
    url = f"https://calendar.google.com/calendar/ical/anna{SECRET.replace('/ics', '')}"
    response = client.post(reverse("meetings:busy-feed-add"), {"url": url, "label": "Work"})
    assert response.status_code == 302
    page = client.get(reverse("meetings:calendar")).content.decode()
    assert "Work" in page and "calendar.google.com" in page
    assert "9f8e7d6c5b4a" not in page  # the secret part is never shown again


def test_malformed_feed_shows_its_error_on_its_owners_settings_page(
    personas, client_for, feed_server
):
    _feed(personas.rep_a1.person, f"{feed_server}/ics/google.ics")
    _feed(personas.rep_a1.person, f"{feed_server}/ics/malformed.ics")
    _feed(personas.rep_b1.person, f"{feed_server}/ics/outlook.ics")
    feeds.busy_feeds_fetch(now=NOW)
    page = client_for(personas.rep_a1).get(reverse("meetings:calendar")).content.decode()
    assert page.count('data-status="error"') == 1 and page.count('data-status="ok"') == 1
    assert "Error: Not a valid iCalendar file" in page
    other = client_for(personas.rep_b1).get(reverse("meetings:calendar")).content.decode()
    assert 'data-status="ok"' in other and "Error:" not in other


def test_a_person_cannot_remove_someone_elses_feed(personas, client_for, feed_server):
    feed = _feed(personas.rep_b1.person, f"{feed_server}/ics/google.ics")
    client_for(personas.rep_a1).post(reverse("meetings:busy-feed-remove", args=[feed.pk]))
    assert BusyFeed.objects.filter(pk=feed.pk).exists()
    client_for(personas.rep_b1).post(reverse("meetings:busy-feed-remove", args=[feed.pk]))
    assert not BusyFeed.objects.filter(pk=feed.pk).exists()


# --- busy times join find-a-time and the conflict checks --------------------------------------


def _offered(client: Any, attendee_id: int) -> list[str]:
    page = client.post(
        reverse("meetings:find-time"),
        {
            "attendees": [attendee_id],
            "duration": 60,
            "window_days": 1,
            "time_zone": "Europe/Berlin",
        },
    ).content.decode()
    import re

    return re.findall(r'data-start="([^"]+)"', page)


def test_a_busy_block_from_a_served_feed_removes_the_slot_from_find_a_time(
    personas, client_for, feed_server
):
    anna = personas.rep_a1.person
    anna.time_zone = "Europe/Berlin"
    anna.save()
    client = client_for(personas.rep_a1)
    _feed(anna, f"{feed_server}/ics/google.ics")
    with time_machine.travel(NOW, tick=False):
        before = _offered(client, anna.pk)
        feeds.busy_feeds_fetch(now=NOW)
        after = _offered(client, anna.pk)
    assert "2026-12-07T10:00" in before and "2026-12-07T09:00" in before
    # Busy 10:00-11:00 Berlin: no hour-long slot may start at 09:30, 10:00 or 10:30.
    assert "2026-12-07T09:00" in after and "2026-12-07T11:00" in after
    assert not {"2026-12-07T09:30", "2026-12-07T10:00", "2026-12-07T10:30"} & set(after)


def test_booking_over_an_outside_busy_block_is_a_conflict_without_its_title(personas, feed_server):
    anna, manager = personas.rep_a1.person, personas.manager_a.person
    anna.time_zone = manager.time_zone = "Europe/Berlin"
    anna.save()
    manager.save()
    _feed(anna, f"{feed_server}/ics/google.ics")
    feeds.busy_feeds_fetch(now=NOW)
    from meetings.services.schedule_rows import AttendeeInput

    with time_machine.travel(NOW, tick=False), pytest.raises(ConflictError) as caught:
        meeting_schedule(
            organizer=manager,
            title="Coaching",
            type="one_on_one",
            start=dt.datetime(2026, 12, 7, 10, 30, tzinfo=BERLIN),
            end=dt.datetime(2026, 12, 7, 11, 0, tzinfo=BERLIN),
            time_zone="Europe/Berlin",
            attendees=[AttendeeInput(person=anna)],
            viewer=personas.manager_a,
        )
    text = " ".join(caught.value.messages)
    assert "Anna Rep is busy on Mon 07 Dec 10:00–11:00" in text
    assert "Globex" not in text


def test_the_beat_task_refreshes_due_feeds(personas, feed_server):
    from meetings.schedule import BEAT_SCHEDULE
    from meetings.tasks import busy_feeds_fetch_task

    entry = BEAT_SCHEDULE["meetings-busy-feeds-fetch"]
    options: dict[str, int] = entry["options"]  # type: ignore[assignment]
    assert entry["task"] == busy_feeds_fetch_task.name and options["expires"] < 300
    good = _feed(personas.rep_a1.person, f"{feed_server}/ics/apple.ics")
    bad = _feed(personas.rep_a1.person, f"{feed_server}/ics/malformed.ics")
    assert busy_feeds_fetch_task.apply().get() == {"ok": 1, "error": 1}
    good.refresh_from_db()
    bad.refresh_from_db()
    assert good.status == FeedStatus.OK and bad.status == FeedStatus.ERROR
    assert busy_feeds_fetch_task.apply().get() == {"ok": 0, "error": 0}  # not due again yet

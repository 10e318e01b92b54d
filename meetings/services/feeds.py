"""Outside free/busy: people's own calendars (secret ICS addresses) read for busy times only.

Contract (docs/meetings-booking.md):
- A feed is fetched by `busy_feeds_fetch` (beat, every few minutes): due feeds are claimed with
  SELECT … FOR UPDATE SKIP LOCKED and a lease, so two workers never fetch the same feed.
- A fetch has a connect/read timeout, a byte limit, conditional GET (ETag / Last-Modified: a 304
  keeps the blocks) and follows at most MAX_REDIRECTS redirects, each to http(s) only. Hosts that
  resolve to private, loopback or link-local addresses are refused unless
  MEETING_FEEDS_ALLOW_PRIVATE_HOSTS (tests serve feeds from 127.0.0.1).
- Only start and end are kept (UTC), never titles. Events marked TRANSP:TRANSPARENT or
  STATUS:CANCELLED are ignored; all-day events and floating times are read in the owner's zone;
  recurrences (RRULE, RDATE, EXDATE, RECURRENCE-ID overrides) are expanded only inside the window
  [now - 1 day, now + horizon] and to at most MAX_BLOCKS blocks.
- A feed that fails (network, HTTP status, too large, not iCalendar) records its error and keeps
  its last good blocks; other feeds are unaffected.
"""

from __future__ import annotations

import ipaddress
import socket
import zoneinfo
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from urllib.parse import urljoin, urlsplit

import recurring_ical_events
import requests
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from icalendar import Calendar

from meetings.models import BookingAttemptCounter, BusyBlock, BusyFeed, FeedStatus
from salesops.models import Person

Interval = tuple[datetime, datetime]

MAX_FEEDS_PER_PERSON = 5
MAX_REDIRECTS = 3
MAX_BLOCKS = 5000
SUB_DAILY = frozenset({"SECONDLY", "MINUTELY"})


def _setting(name: str, default: Any) -> Any:
    return getattr(settings, name, default)


def max_bytes() -> int:
    return int(_setting("MEETING_FEEDS_MAX_BYTES", 2 * 1024 * 1024))


def timeout_seconds() -> float:
    return float(_setting("MEETING_FEEDS_TIMEOUT_SECONDS", 10))


def refresh_interval() -> timedelta:
    return timedelta(minutes=int(_setting("MEETING_FEEDS_REFRESH_MINUTES", 15)))


def horizon() -> timedelta:
    return timedelta(days=int(_setting("MEETING_FEEDS_HORIZON_DAYS", 90)))


class FeedError(Exception):
    """A fetch or parse failure, with the message shown to the feed's owner."""


# --- the owner's side -------------------------------------------------------------------------


def mask_url(url: str) -> str:
    """The address as shown on the settings page: host and the last 4 characters only."""
    parts = urlsplit(url)
    tail = url[-4:] if len(url) > 12 else ""
    return f"{parts.scheme}://{parts.hostname or '?'}/…{tail}"


def _normalise_url(url: str) -> str:
    url = url.strip()
    if url.lower().startswith("webcal://"):
        url = "https://" + url[len("webcal://") :]
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError({"url": "Give the calendar's http(s) or webcal:// address."})
    return url


def busy_feed_add(*, person: Person, url: str, label: str = "") -> BusyFeed:
    url = _normalise_url(url)
    if len(url) > 2000:
        raise ValidationError({"url": "That address is too long (2000 characters at most)."})
    feeds = BusyFeed.objects.filter(person=person)
    if feeds.filter(url=url).exists():
        raise ValidationError({"url": "You already added this calendar."})
    if feeds.count() >= MAX_FEEDS_PER_PERSON:
        raise ValidationError({"url": f"At most {MAX_FEEDS_PER_PERSON} calendars per person."})
    return BusyFeed.objects.create(person=person, url=url, label=label.strip()[:80])


def busy_feed_remove(*, person: Person, feed_id: int) -> bool:
    """Delete one of the person's own feeds and its blocks; False (nothing done) for any other id."""
    return BusyFeed.objects.filter(person=person, pk=feed_id).delete()[0] > 0


# --- fetching ---------------------------------------------------------------------------------


def _check_host(url: str) -> None:
    if _setting("MEETING_FEEDS_ALLOW_PRIVATE_HOSTS", False):
        return
    host = urlsplit(url).hostname or ""
    try:
        infos = socket.getaddrinfo(host, None)
    except OSError as exc:
        raise FeedError(f"The host {host} could not be found.") from exc
    for info in infos:
        addr = ipaddress.ip_address(info[4][0])
        if addr.is_private or addr.is_loopback or addr.is_link_local or addr.is_reserved:
            raise FeedError(f"The host {host} is not a public address.")


@dataclass
class Fetched:
    body: bytes | None  # None: not modified (304)
    etag: str
    last_modified: str


def _read_limited(response: requests.Response) -> bytes:
    limit = max_bytes()
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > limit:
        raise FeedError(f"The calendar is larger than {limit // 1024} KiB.")
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_content(64 * 1024):
        size += len(chunk)
        if size > limit:
            raise FeedError(f"The calendar is larger than {limit // 1024} KiB.")
        chunks.append(chunk)
    return b"".join(chunks)


def fetch(*, url: str, etag: str = "", last_modified: str = "") -> Fetched:
    headers = {"Accept": "text/calendar, */*;q=0.5", "User-Agent": "SalesOps free/busy"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    for _ in range(MAX_REDIRECTS + 1):
        if urlsplit(url).scheme not in ("http", "https"):
            raise FeedError("The calendar redirected to an address that is not http(s).")
        _check_host(url)
        try:
            response = requests.get(
                url,
                headers=headers,
                timeout=(5, timeout_seconds()),
                allow_redirects=False,
                stream=True,
            )
        except requests.Timeout as exc:
            raise FeedError("The calendar server did not answer in time.") from exc
        except requests.RequestException as exc:
            raise FeedError(f"The calendar could not be fetched ({type(exc).__name__}).") from exc
        with response:
            if response.is_redirect:
                url = urljoin(url, response.headers.get("Location", ""))
                continue
            if response.status_code == 304:
                return Fetched(None, etag, last_modified)
            if response.status_code != 200:
                raise FeedError(f"The calendar server answered HTTP {response.status_code}.")
            body = _read_limited(response)
            return Fetched(
                body,
                response.headers.get("ETag", "")[:500],
                response.headers.get("Last-Modified", "")[:100],
            )
    raise FeedError(f"The calendar redirected more than {MAX_REDIRECTS} times.")


# --- parsing ----------------------------------------------------------------------------------


def _as_utc(value: date | datetime, zone: zoneinfo.ZoneInfo) -> datetime:
    if isinstance(value, datetime):
        if value.tzinfo is None:  # floating time: the owner's wall clock
            value = value.replace(tzinfo=zone)
        return value.astimezone(UTC)
    return datetime.combine(value, time(0), tzinfo=zone).astimezone(UTC)


def _bounds(event: Any, zone: zoneinfo.ZoneInfo) -> Interval | None:
    start = event.get("DTSTART")
    if start is None:
        return None
    begin = start.dt
    end_prop = event.get("DTEND")
    if end_prop is not None:
        finish = end_prop.dt
    elif event.get("DURATION") is not None:
        finish = begin + event.get("DURATION").dt
    elif isinstance(begin, datetime):
        finish = begin  # RFC 5545: no end, no duration → takes no time
    else:
        finish = begin + timedelta(days=1)
    s, e = _as_utc(begin, zone), _as_utc(finish, zone)
    return (s, e) if e > s else None


def _is_free(event: Any) -> bool:
    transp = str(event.get("TRANSP", "OPAQUE")).upper()
    status = str(event.get("STATUS", "CONFIRMED")).upper()
    return transp == "TRANSPARENT" or status == "CANCELLED"


def _drop_sub_daily_rules(cal: Calendar) -> None:
    """RRULEs more frequent than hourly are not busy times anyone keeps; they would only make the
    expansion huge, so such events are dropped before expanding."""
    for event in list(cal.walk("VEVENT")):
        rule = event.get("RRULE")
        freqs = rule.get("FREQ", []) if rule is not None else []
        if any(str(f).upper() in SUB_DAILY for f in freqs):
            for parent in cal.walk():
                if event in parent.subcomponents:
                    parent.subcomponents.remove(event)


def parse_busy(
    data: bytes, *, time_zone: str, window_start: datetime, window_end: datetime
) -> list[Interval]:
    """Busy intervals (UTC, merged) of an iCalendar document inside the window."""
    zone = zoneinfo.ZoneInfo(time_zone)
    try:
        cal = Calendar.from_ical(data)
    except (ValueError, KeyError, IndexError, TypeError) as exc:
        raise FeedError(f"Not a valid iCalendar file: {str(exc)[:200]}") from exc
    if not isinstance(cal, Calendar) or cal.name != "VCALENDAR":
        raise FeedError("Not a valid iCalendar file: no VCALENDAR.")
    _drop_sub_daily_rules(cal)
    out: list[Interval] = []
    try:
        events: Iterator[Any] = recurring_ical_events.of(cal, skip_bad_series=True).between(
            window_start, window_end
        )
        for event in events:
            if _is_free(event):
                continue
            bounds = _bounds(event, zone)
            if bounds is not None and bounds[0] < window_end and bounds[1] > window_start:
                out.append(bounds)
            if len(out) > MAX_BLOCKS:
                raise FeedError(f"The calendar has more than {MAX_BLOCKS} events in the window.")
    except FeedError:
        raise
    except Exception as exc:  # the library raises many types on bad input; the feed records it
        raise FeedError(f"The calendar could not be read: {str(exc)[:200]}") from exc
    return _merge(out)


def _merge(intervals: list[Interval]) -> list[Interval]:
    out: list[Interval] = []
    for lo, hi in sorted(intervals):
        if out and lo <= out[-1][1]:
            out[-1] = (out[-1][0], max(hi, out[-1][1]))
        else:
            out.append((lo, hi))
    return out


# --- the scheduled job ------------------------------------------------------------------------


def _record_error(feed: BusyFeed, message: str, now: datetime) -> None:
    BusyFeed.objects.filter(pk=feed.pk).update(
        status=FeedStatus.ERROR,
        error=message[:500],
        last_fetched_at=now,
        next_fetch_at=now + refresh_interval(),
        lease_until=None,
    )


@transaction.atomic
def _store(feed: BusyFeed, fetched: Fetched, blocks: list[Interval] | None, now: datetime) -> None:
    fields: dict[str, Any] = {
        "status": FeedStatus.OK,
        "error": "",
        "last_fetched_at": now,
        "last_success_at": now,
        "next_fetch_at": now + refresh_interval(),
        "lease_until": None,
        "etag": fetched.etag,
        "last_modified": fetched.last_modified,
    }
    if blocks is not None:
        BusyBlock.objects.filter(feed=feed).delete()
        BusyBlock.objects.bulk_create(
            [BusyBlock(feed=feed, person_id=feed.person_id, start=s, end=e) for s, e in blocks]
        )
        fields["blocks_count"] = len(blocks)
    BusyFeed.objects.filter(pk=feed.pk).update(**fields)


def busy_feed_refresh(*, feed: BusyFeed, now: datetime | None = None) -> str:
    """Fetch and store one feed; returns its new status. Never raises for the feed's own faults."""
    now = now or timezone.now()
    try:
        fetched = fetch(url=feed.url, etag=feed.etag, last_modified=feed.last_modified)
        blocks = None
        if fetched.body is not None:
            blocks = parse_busy(
                fetched.body,
                time_zone=feed.person.time_zone,
                window_start=now - timedelta(days=1),
                window_end=now + horizon(),
            )
    except FeedError as exc:
        _record_error(feed, str(exc), now)
        return FeedStatus.ERROR
    _store(feed, fetched, blocks, now)
    return FeedStatus.OK


def _claim(now: datetime, limit: int) -> list[BusyFeed]:
    with transaction.atomic():
        due = list(
            BusyFeed.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(next_fetch_at__lte=now)
            .exclude(lease_until__gt=now)
            .select_related("person")
            .order_by("next_fetch_at", "id")[:limit]
        )
        BusyFeed.objects.filter(pk__in=[f.pk for f in due]).update(
            lease_until=now + timedelta(minutes=5)
        )
    return due


def busy_feeds_fetch(*, now: datetime | None = None, limit: int = 50) -> dict[str, int]:
    """Refresh every due feed (claimed, so concurrent runs split the work); idempotent."""
    now = now or timezone.now()
    counts = {FeedStatus.OK.value: 0, FeedStatus.ERROR.value: 0}
    for feed in _claim(now, limit):
        counts[busy_feed_refresh(feed=feed, now=now)] += 1
    BookingAttemptCounter.objects.filter(window_start__lt=now - timedelta(days=1)).delete()
    return counts

"""A real SMTP server (aiosmtpd on 127.0.0.1) that keeps every message, and helpers that take an
invitation apart: its text/calendar part parsed by `icalendar`, and by `vobject` (a second,
independent parser, as a calendar client would)."""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import vobject
from aiosmtpd.controller import Controller
from icalendar import Calendar


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Received:
    to: tuple[str, ...]
    message: EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def calendar_part(self) -> EmailMessage:
        for part in self.message.walk():
            if part.get_content_type() == "text/calendar":
                return part  # type: ignore[return-value]
        raise AssertionError(f"no text/calendar part in {self.subject!r}")

    @property
    def method_param(self) -> str:
        return str(self.calendar_part.get_param("method"))

    @property
    def ics(self) -> str:
        return str(self.calendar_part.get_content())

    @property
    def text(self) -> str:
        body = self.message.get_body(preferencelist=("plain",))
        return str(body.get_content()) if body is not None else ""

    def icalendar(self) -> Calendar:
        return Calendar.from_ical(self.ics)

    def vobject(self) -> Any:
        return vobject.readOne(self.ics)


@dataclass
class _Handler:
    messages: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            self.messages.append(Received(tuple(envelope.rcpt_tos), parsed))  # type: ignore[arg-type]
        return "250 OK"


class CapturingSMTPServer:
    def __init__(self) -> None:
        self.handler = _Handler()
        self.port = _free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> CapturingSMTPServer:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()

    @property
    def messages(self) -> list[Received]:
        with self.handler.lock:
            return list(self.handler.messages)

    def clear(self) -> None:
        with self.handler.lock:
            self.handler.messages.clear()

    def wait_for(self, count: int, timeout: float = 20.0) -> list[Received]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.messages) >= count:
                return self.messages
            time.sleep(0.05)
        raise AssertionError(f"expected {count} messages, got {len(self.messages)}")

    def to(self, address: str) -> list[Received]:
        return [m for m in self.messages if address in m.to]


# RFC 5546 §3.2: the properties a VEVENT must carry (exactly once) for each method.
REQUIRED = {
    "REQUEST": ("DTSTAMP", "DTSTART", "ORGANIZER", "SUMMARY", "UID"),
    "CANCEL": ("DTSTAMP", "ORGANIZER", "SEQUENCE", "UID"),
}


def assert_itip(cal: Calendar, method: str) -> list[Any]:
    """Check a calendar against RFC 5546's rules for `method`; returns its VEVENTs."""
    assert str(cal["METHOD"]) == method
    assert "PRODID" in cal and str(cal["VERSION"]) == "2.0"
    events = [c for c in cal.walk("VEVENT")]
    assert events, "an iTIP message carries at least one VEVENT"
    uids = {str(e["UID"]) for e in events}
    assert len(uids) == 1, "one iTIP message is about one UID"
    zones = {str(z["TZID"]) for z in cal.walk("VTIMEZONE")}
    for event in events:
        for name in REQUIRED[method]:
            assert name in event, f"{method} VEVENT lacks {name}"
            assert not isinstance(event[name], list), f"{name} more than once"
        attendees = event.get("ATTENDEE", [])
        attendees = attendees if isinstance(attendees, list) else [attendees]
        assert attendees, f"{method} names its attendees"
        if method == "REQUEST":
            organizer = str(event["ORGANIZER"])
            for a in attendees:
                assert "PARTSTAT" in a.params
                if str(a) != organizer:
                    assert a.params.get("RSVP") == "TRUE"
        if method == "CANCEL" and "STATUS" in event:
            assert str(event["STATUS"]) == "CANCELLED"
        for prop in ("DTSTART", "DTEND", "RECURRENCE-ID"):
            if prop in event and "TZID" in event[prop].params:
                assert event[prop].params["TZID"] in zones, f"{prop} TZID without VTIMEZONE"
    return events

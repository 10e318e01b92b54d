"""The .ics output: every field the issue lists, checked by two parsers that did not write it —
a strict RFC 5545 line checker written here, and vobject."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
import vobject

from meetings.services.calendar import (
    calendar_feed_regenerate,
    calendar_feed_revoke,
    meeting_ics,
)
from meetings.services.schedule_rows import AgendaInput, AttendeeInput
from meetings.services.scheduling import attendee_rsvp, meeting_cancel, meeting_schedule
from meetings.services.update import meeting_update
from tests.factories import PersonFactory, UserFactory

BERLIN = ZoneInfo("Europe/Berlin")
pytestmark = pytest.mark.django_db
NAME = re.compile(r"^(?:[A-Za-z0-9-]+)$")
PARAM = r'[A-Za-z0-9-]+=(?:"[^"]*"|[^";:,]*)(?:,(?:"[^"]*"|[^";:,]*))*'
CONTENT_LINE = re.compile(rf"^(?P<name>[A-Za-z0-9-]+)(?P<params>(?:;{PARAM})*):(?P<value>.*)$")
DATE_TIME = re.compile(r"^\d{8}T\d{6}Z?$")


Component = tuple[str, list[tuple[str, dict[str, str], str]]]


def _logical_lines(data: bytes) -> list[str]:
    """RFC 5545 §3.1: CRLF lines of at most 75 octets, unfolded."""
    assert data.endswith(b"\r\n"), "the stream must end with CRLF"
    physical = data[:-2].split(b"\r\n")
    for raw in physical:
        assert b"\n" not in raw and b"\r" not in raw, "bare LF or CR inside a line"
        assert len(raw) <= 75, f"line longer than 75 octets: {raw[:40]!r}…"
        raw.decode("utf-8")  # folding must not split a multi-octet character
    logical: list[str] = []
    for raw in physical:
        text = raw.decode("utf-8")
        if text[:1] in (" ", "\t"):
            assert logical, "continuation line first"
            logical[-1] += text[1:]
        else:
            logical.append(text)
    return logical


def _components(logical: list[str]) -> list[Component]:
    """BEGIN/END nesting, closed in order; every property inside a component."""
    stack: list[Component] = []
    done: list[Component] = []
    for line in logical:
        match = CONTENT_LINE.match(line)
        assert match, f"not a content line: {line!r}"
        name = match["name"].upper()
        params = dict(p.split("=", 1) for p in re.findall(rf";({PARAM})", match["params"] or ""))
        value = match["value"]
        if name == "BEGIN":
            stack.append((value, []))
        elif name == "END":
            assert stack and stack[-1][0] == value, f"END:{value} does not close its BEGIN"
            done.append(stack.pop())
        else:
            assert stack, "property outside a component"
            stack[-1][1].append((name, params, value))
    assert not stack, "unclosed component"
    assert logical[0] == "BEGIN:VCALENDAR" and logical[-1] == "END:VCALENDAR"
    return done


def _check_event(props: list[tuple[str, dict[str, str], str]], tzids: set[str]) -> None:
    """RFC 5545 §3.6.1: one UID, DTSTAMP and DTSTART; DTEND or DURATION; UTC stamps; known TZIDs."""
    names = [n for n, _, _ in props]
    for required in ("UID", "DTSTAMP", "DTSTART"):
        assert names.count(required) == 1, f"VEVENT needs exactly one {required}"
    assert not ("DTEND" in names and "DURATION" in names)
    for n, params, value in props:
        if n in ("DTSTART", "DTEND", "RECURRENCE-ID", "DTSTAMP", "LAST-MODIFIED"):
            assert DATE_TIME.match(value), f"{n} is not a DATE-TIME: {value}"
        if n in ("DTSTAMP", "LAST-MODIFIED"):
            assert value.endswith("Z"), f"{n} must be UTC"
        if "TZID" in params:
            assert params["TZID"] in tzids, f"TZID {params['TZID']} has no VTIMEZONE"
        if n == "RRULE":
            assert "FREQ=" in value


def strict_parse(data: bytes) -> list[Component]:
    """RFC 5545 §3.1 lines and §3.4–3.6 structure, strictly. Returns the components in order as
    (name, [(property, params, value)]). Raises AssertionError on any violation."""
    done = _components(_logical_lines(data))
    components = {name for name, _ in done}
    calendar = next(c for c in done if c[0] == "VCALENDAR")[1]
    assert [v for n, _, v in calendar if n == "VERSION"] == ["2.0"]
    assert len([1 for n, _, _ in calendar if n == "PRODID"]) == 1
    tzids = {v for c, props in done if c == "VTIMEZONE" for n, _, v in props if n == "TZID"}
    for comp, props in done:
        if comp == "VEVENT":
            _check_event(props, tzids)
        if comp in ("STANDARD", "DAYLIGHT"):
            names = [n for n, _, _ in props]
            for required in ("DTSTART", "TZOFFSETFROM", "TZOFFSETTO"):
                assert required in names
    assert "VTIMEZONE" in components or not tzids
    return done


def _events(data: bytes) -> list[dict[str, list[tuple[dict[str, str], str]]]]:
    out = []
    for comp, props in strict_parse(data):
        if comp == "VEVENT":
            event: dict[str, list[tuple[dict[str, str], str]]] = {}
            for n, params, value in props:
                event.setdefault(n, []).append((params, value))
            out.append(event)
    return out


@pytest.fixture
def series():
    with time_machine.travel(dt.datetime(2026, 2, 20, 12, tzinfo=dt.UTC), tick=False):
        boss = PersonFactory(name="Maria Manager", email="maria@example.com")
        anna = PersonFactory(name="Anna Rep", email="anna@example.com")
        bert = PersonFactory(name="Bert Rep", email="")
        result = meeting_schedule(
            organizer=boss,
            title="Weekly pipeline – Überblick",
            type="team",
            start=dt.datetime(2026, 3, 16, 10, tzinfo=BERLIN),
            end=dt.datetime(2026, 3, 16, 11, tzinfo=BERLIN),
            location="Room “Everest”",
            rrule="FREQ=WEEKLY;COUNT=4",
            attendees=[
                AttendeeInput(person=anna),
                AttendeeInput(person=bert, required=False),
                AttendeeInput(name="Cleo Client", email="cleo@client.example"),
            ],
            agenda=[
                AgendaInput("Stuck deals — what blocks them", 30, owner=anna),
                AgendaInput("Forecast " + "very long title " * 8, 20),
            ],
        )
        master = result.meeting
        attendee_rsvp(attendee=master.attendees.get(person=anna), rsvp="accepted")
        attendee_rsvp(attendee=master.attendees.get(person=bert), rsvp="declined")
        second, third = master.occurrences.order_by("start")[:2]
        meeting_update(
            meeting=second,
            data={
                "start": dt.datetime(2026, 3, 23, 14, tzinfo=BERLIN),
                "end": dt.datetime(2026, 3, 23, 15, tzinfo=BERLIN),
            },
        )
        meeting_cancel(meeting=third)
        master.refresh_from_db()
        yield master, second, third


def test_ics_is_strict_rfc5545_and_carries_every_field(series):
    master, _second, _third = series
    events = _events(meeting_ics(meeting=master))
    assert len(events) == 3  # the series and two overrides
    main = next(e for e in events if "RRULE" in e)
    uid = main["UID"][0][1]
    assert uid == f"{master.uid}@salesops"
    assert all(e["UID"][0][1] == uid for e in events)
    assert main["RRULE"][0][1] == "FREQ=WEEKLY;COUNT=4"
    assert main["DTSTART"][0] == ({"TZID": "Europe/Berlin"}, "20260316T100000")
    assert main["DTEND"][0] == ({"TZID": "Europe/Berlin"}, "20260316T110000")
    assert int(main["SEQUENCE"][0][1]) == master.sequence >= 2  # two RSVPs since creation
    assert main["ORGANIZER"][0] == ({"CN": '"Maria Manager"'}, "mailto:maria@example.com")
    partstats = {v: p["PARTSTAT"] for p, v in main["ATTENDEE"]}
    assert partstats == {
        "mailto:maria@example.com": "ACCEPTED",
        "mailto:anna@example.com": "ACCEPTED",
        f"mailto:person-{master.attendees.get(person__name='Bert Rep').person_id}@salesops.invalid": "DECLINED",
        "mailto:cleo@client.example": "NEEDS-ACTION",
    }
    description = main["DESCRIPTION"][0][1]
    assert "1. Stuck deals — what blocks them (30 min) — Anna Rep" in description.replace(
        "\\n", "\n"
    )
    moved = next(e for e in events if e.get("RECURRENCE-ID", [({}, "")])[0][1] == "20260323T100000")
    assert moved["DTSTART"][0][1] == "20260323T140000"
    assert int(moved["SEQUENCE"][0][1]) >= 1
    cancelled = next(e for e in events if e.get("STATUS", [({}, "")])[0][1] == "CANCELLED")
    assert cancelled["RECURRENCE-ID"][0][1] == "20260330T100000"  # summer time, same wall clock


def test_ics_parses_in_vobject_too(series):
    master, *_ = series
    cal = vobject.readOne(meeting_ics(meeting=master).decode())
    events = cal.contents["vevent"]
    main = next(e for e in events if hasattr(e, "rrule"))
    assert main.dtstart.value == dt.datetime(2026, 3, 16, 10, tzinfo=main.dtstart.value.tzinfo)
    assert main.dtstart.value.utcoffset() == dt.timedelta(hours=1)
    assert main.summary.value == "Weekly pipeline – Überblick"
    assert len(main.contents["attendee"]) == 4
    occurrences = list(main.getrruleset())
    assert [o.astimezone(dt.UTC).hour for o in occurrences] == [9, 9, 8, 8]


def test_uid_is_stable_and_sequence_grows_on_update(series):
    master, *_ = series
    before = _events(meeting_ics(meeting=master))
    with time_machine.travel(dt.datetime(2026, 2, 21, tzinfo=dt.UTC), tick=False):
        meeting_update(meeting=master, data={"title": "Weekly pipeline"})
    after = _events(meeting_ics(meeting=master))
    main_before = next(e for e in before if "RRULE" in e)
    main_after = next(e for e in after if "RRULE" in e)
    assert main_after["UID"] == main_before["UID"]
    assert int(main_after["SEQUENCE"][0][1]) == int(main_before["SEQUENCE"][0][1]) + 1


def test_the_strict_checker_rejects_what_rfc5545_forbids():
    good = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//y//EN\r\nEND:VCALENDAR\r\n"
    strict_parse(good)
    with pytest.raises(AssertionError):
        strict_parse(good.replace(b"\r\n", b"\n"))
    with pytest.raises(AssertionError):
        strict_parse(good.replace(b"PRODID:-//x//y//EN", b"PRODID:" + b"x" * 80))
    with pytest.raises(AssertionError):
        strict_parse(good.replace(b"END:VCALENDAR\r\n", b""))


def test_feed_token_opens_the_feed_until_revoked_or_regenerated(series, client):
    master, *_ = series
    anna = master.attendees.get(person__name="Anna Rep").person
    token = calendar_feed_regenerate(person=anna)
    response = client.get(f"/calendar/{token}.ics")
    assert response.status_code == 200 and response["Content-Type"] == "text/calendar"
    assert len(_events(response.content)) == 3
    new = calendar_feed_regenerate(person=anna)
    assert client.get(f"/calendar/{token}.ics").status_code == 404
    assert client.get(f"/calendar/{new}.ics").status_code == 200
    calendar_feed_revoke(person=anna)
    assert client.get(f"/calendar/{new}.ics").status_code == 404


def test_meeting_ics_page_is_scoped(series, client):
    master, *_ = series
    outsider = UserFactory()
    PersonFactory(user=outsider)
    client.force_login(outsider)
    assert client.get(f"/meetings/{master.pk}.ics").status_code == 404

"""Booking links (issue 24, item 4): a public page, routing by the account's territory and then
round robin weighted by meeting load, the rule shown to sales ops, rate limits, and the same
answer whether or not the prospect's domain names an account."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from meetings.models import AccountDomain, Booking, BookingLink, Delivery, DeliveryKind
from meetings.services import booking
from territories.models import AccountTerritory, TerritoryAssignment
from tests.factories import AccountFactory
from tests.meetings.factories import AttendeeFactory, MeetingFactory
from tests.territories.factories import make_model, make_territory

BERLIN = ZoneInfo("Europe/Berlin")
UTC = dt.UTC
NOW = dt.datetime(2026, 12, 7, 6, 0, tzinfo=UTC)  # Monday 07:00 Berlin


def _at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 12, day, hour, minute, tzinfo=BERLIN)


def _load(person, hours: int, day: int = 8) -> None:
    """An internal meeting of `hours` on Dec `day` at 13:00: meeting load this week."""
    m = MeetingFactory(organizer=person, start=_at(day, 13), end=_at(day, 13 + hours))
    AttendeeFactory(meeting=m, person=person)


@pytest.fixture
def team_link(personas) -> BookingLink:
    """Team A (Anna, Arno, Maria) in Berlin; Globex (globex.com) lies in Germany, owned by Arno.
    Loads this week: Anna 1 h, Arno 2 h, Maria 3 h."""
    people = [personas.rep_a1.person, personas.rep_a2.person, personas.manager_a.person]
    for p in people:
        p.time_zone = "Europe/Berlin"
        p.save()
    for p, hours in zip(people, (1, 2, 3), strict=True):
        _load(p, hours)
    live = make_model("Live", state="active")
    germany = make_territory(live, "Germany")
    globex = AccountFactory(name="Globex")
    AccountDomain.objects.create(domain="globex.com", account=globex)
    AccountTerritory.objects.create(
        model=live, account=globex, territory=germany, source="rule", valid_from=dt.date(2026, 1, 1)
    )
    TerritoryAssignment.objects.create(
        territory=germany, person=personas.rep_a2.person, effective_from=dt.date(2026, 1, 1)
    )
    return booking.booking_link_create(
        created_by=personas.sales_ops,
        title="Talk to sales",
        team=personas.team_a,
        duration_minutes=30,
        min_notice_minutes=60,
        horizon_days=7,
        questions=["What do you want to discuss?"],
    )


def _book(link, start, email, name="Pat Prospect"):
    with time_machine.travel(NOW, tick=False):
        return booking.booking_create(link=link, start=start, name=name, email=email)


def test_team_link_routes_to_the_territory_owner_whatever_the_load(personas, team_link):
    made = _book(team_link, _at(7, 10), "pat@globex.com")
    assert made.routed_to == personas.rep_a2.person  # Arno owns Germany (load 2 h > Anna's 1 h)
    assert made.reason.startswith("territory owner")
    assert made.meeting.type == "client" and made.meeting.account.name == "Globex"
    assert made.meeting.attendees.filter(email="pat@globex.com").exists()
    # The invitation (iTIP REQUEST) to the prospect is planned by meeting_schedule.
    invitation = Delivery.objects.get(
        kind=DeliveryKind.INVITATION, meeting=made.meeting, recipient_key="email:pat@globex.com"
    )
    assert invitation.email == "pat@globex.com"
    assert invitation.invitation_part.method == "REQUEST"


def test_without_an_account_the_lowest_load_wins_and_bookings_rotate(personas, team_link):
    anna, arno = personas.rep_a1.person, personas.rep_a2.person
    routed = [
        _book(team_link, _at(7, h), f"p{h}@unknown.example").routed_to for h in (10, 11, 12, 14)
    ]
    # Anna 1 h → 1.5 h → 2 h (ties Arno at 2 h: Arno never had a booking from this link) → Arno
    # 2.5 h, Anna 2 h → Anna.
    assert routed == [anna, anna, arno, anna]


def test_a_busy_owner_falls_back_to_the_team(personas, team_link):
    arno = personas.rep_a2.person
    _load(arno, 1, day=7)  # Arno busy Monday 13:00-14:00 (his load is now 3 h)
    made = _book(team_link, _at(7, 13), "pat@globex.com")
    assert made.routed_to == personas.rep_a1.person
    assert "no territory owner free" in made.reason


def test_times_not_offered_are_refused(personas, team_link):
    from django.core.exceptions import ValidationError

    for start in (_at(7, 7, 30), _at(7, 10, 10), _at(20, 10)):  # notice, grid, horizon
        with pytest.raises(ValidationError):
            _book(team_link, start, "pat@globex.com")
    assert not Booking.objects.exists()


def test_public_page_needs_no_login_and_shows_the_prospects_zone(client, team_link):
    with time_machine.travel(NOW, tick=False):
        page = client.get(
            reverse("meetings:book", args=[team_link.slug]), {"tz": "America/New_York"}
        ).content.decode()
    # 10:00 Berlin is 04:00 in New York; the first offered time (08:00 Berlin after the notice
    # and working hours) shows as 02:00.
    assert "Times (America/New_York)" in page and "04:00–04:30" in page
    assert "Anna" not in page and "Arno" not in page  # a team link names the team only


def _post(client, link, email, start, ip="203.0.113.7"):
    with time_machine.travel(NOW, tick=False):
        return client.post(
            reverse("meetings:book", args=[link.slug]),
            {
                "start": start.astimezone(UTC).isoformat(),
                "name": "Pat",
                "email": email,
                "q0": "Pricing",
                "tz": "Europe/Berlin",
            },
            REMOTE_ADDR=ip,
        )


def test_the_answer_is_the_same_whether_or_not_the_domain_matches(client, team_link):
    known = _post(client, team_link, "pat@globex.com", _at(7, 10))
    unknown = _post(client, team_link, "pat@initech.example", _at(7, 11))
    assert known.status_code == unknown.status_code == 200
    a = known.content.decode().replace("pat@globex.com", "E").replace("10:00–10:30", "T")
    b = unknown.content.decode().replace("pat@initech.example", "E").replace("11:00–11:30", "T")
    assert a == b
    assert Booking.objects.get(email="pat@globex.com").answers == {
        "What do you want to discuss?": "Pricing"
    }


def test_booking_attempts_are_rate_limited_per_address(client, team_link):
    statuses = [
        _post(client, team_link, "x@globex.com", _at(7, 7, 30)).status_code for _ in range(11)
    ]
    assert statuses[:10] == [400] * 10 and statuses[10] == 429
    other = _post(client, team_link, "x@globex.com", _at(7, 10), ip="198.51.100.1")
    assert other.status_code == 200


def test_sales_ops_and_the_teams_manager_see_the_rule_others_get_404(
    personas, client_for, team_link
):
    url = reverse("meetings:booking-link", args=[team_link.slug])
    for user in (personas.sales_ops, personas.manager_a):
        page = client_for(user).get(url).content.decode()
        assert "Routing rule" in page and "territory" in page and "lowest meeting load" in page
    assert client_for(personas.rep_b1).get(url).status_code == 404
    assert client_for(personas.manager_b).get(url).status_code == 404


def test_links_are_created_through_the_page(personas, client_for):
    client = client_for(personas.manager_a)
    response = client.post(
        reverse("meetings:booking-link-new"),
        {"title": "Demo", "team": personas.team_a.pk, "duration_minutes": 45, "horizon_days": 10},
    )
    link = BookingLink.objects.get(title="Demo")
    assert response.status_code == 302 and link.team == personas.team_a
    assert link.duration_minutes == 45 and link.created_by == personas.manager_a
    # A manager cannot publish for a team outside their scope.
    denied = client.post(
        reverse("meetings:booking-link-new"), {"title": "B", "team": personas.team_b.pk}
    )
    assert denied.status_code == 404


def test_sales_ops_keep_account_domains_others_cannot(personas, client_for, team_link):
    # client_for logs the one test client in as that user: each block logs in again.
    url = reverse("meetings:account-domains")
    AccountFactory(name="Initech")
    ops = client_for(personas.sales_ops)
    ops.post(url, {"domain": "@Initech.EXAMPLE", "account": "initech"})
    assert AccountDomain.objects.get(domain="initech.example").account.name == "Initech"
    ops.post(url, {"domain": "not a domain", "account": "Initech"})
    ops.post(url, {"domain": "initech.example", "account": "Globex"})  # already taken
    assert AccountDomain.objects.count() == 2  # globex.com (fixture) and initech.example
    listing = ops.get(reverse("meetings:booking-links")).content.decode()
    assert "<td>initech.example</td><td>Initech</td>" in listing and "Talk to sales" in listing

    manager = client_for(personas.manager_a)
    assert manager.post(url, {"domain": "x.example", "account": "Initech"}).status_code == 404
    manager_page = manager.get(reverse("meetings:booking-links")).content.decode()
    assert "Talk to sales" in manager_page and 'id="account-domains"' not in manager_page

    other = client_for(personas.rep_b1).get(reverse("meetings:booking-links")).content.decode()
    assert "Talk to sales" not in other

    domain = AccountDomain.objects.get(domain="initech.example")
    client_for(personas.sales_ops).post(url, {"remove": domain.pk})
    assert not AccountDomain.objects.filter(pk=domain.pk).exists()
    assert not AccountDomain.objects.filter(domain="x.example").exists()

"""Cost of pursuit (issue 24 item 5): a deal's meetings, hours and posted meeting cost."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from meetings.models import MeetingStatus
from meetings.selectors.pursuit import (
    deal_pursuit,
    meeting_deal_defaults,
    pursuit_by_segment,
)
from meetings.services.costs import attendee_attendance_set, meeting_mark_done
from meetings.services.pursuit import meeting_deals_set
from salesops.models import SalesCost
from tests.factories import AccountFactory, DealFactory
from tests.meetings.factories import AttendeeFactory, MeetingFactory

BERLIN = ZoneInfo("Europe/Berlin")
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _post_old_meetings(settings):
    # The worked examples are dated March 2026: post them without sales ops' confirmation.
    settings.MEETING_COST_MAX_AGE_DAYS = 100_000


def at(day: int, hour: int) -> dt.datetime:
    return dt.datetime(2026, 3, day, hour, tzinfo=BERLIN)


def _meeting(organizer, *others, day=2, hours=1, rsvp="accepted", **kwargs):
    meeting = MeetingFactory(
        organizer=organizer, start=at(day, 10), end=at(day, 10 + hours), type="client", **kwargs
    )
    AttendeeFactory(meeting=meeting, person=organizer)
    for person in others:
        AttendeeFactory(meeting=meeting, person=person, rsvp=rsvp)
    return meeting


def _posted_sum(*meetings) -> Decimal:
    refs = [f"meeting:{m.pk}" for m in meetings]
    return sum((c.amount for c in SalesCost.objects.filter(external_ref__in=refs)), Decimal(0))


@pytest.fixture
def pursued(personas):
    """Deal of rep_a1 at ACME: two held meetings (one names it, one has it as its deal), one
    cancelled, one held for another deal."""
    anna = personas.person("rep_a1")
    arno = personas.person("rep_a2")
    anna.hourly_cost = Decimal("60.00")
    anna.save()
    arno.hourly_cost = Decimal("45.00")
    arno.save()
    acme = AccountFactory(name="ACME", employees=50)
    deal = DealFactory(owner=anna, account=acme, stage="presentation")
    other = DealFactory(owner=anna, account=acme, stage="prospecting")
    first = _meeting(anna, arno, day=2, hours=2, account=acme)  # 120 + 90
    meeting_deals_set(meeting=first, deals=[deal, other])
    second = _meeting(anna, day=3, hours=1, account=acme, deal=deal)  # 60
    cancelled = _meeting(anna, arno, day=4, account=acme, deal=deal)
    cancelled.status = MeetingStatus.CANCELLED
    cancelled.save()
    elsewhere = _meeting(anna, arno, day=5, account=acme, deal=other)
    for m in (first, second, elsewhere):
        meeting_mark_done(meeting=m)
    return deal, first, second, elsewhere


def test_deal_cost_of_pursuit_equals_the_sum_of_its_meetings_posted_costs(personas, pursued):
    deal, first, second, _ = pursued
    result = deal_pursuit(user=personas.sales_ops, deal_id=deal.pk)
    assert result.cost == _posted_sum(first, second) == Decimal("270.00")
    assert result.meeting_count == 2
    assert result.hours == Decimal("5.00")  # 2 people × 2 h + 1 × 1 h
    assert [m.id for m in result.meetings] == [first.pk, second.pk]
    assert [m.cost for m in result.meetings] == [Decimal("210.00"), Decimal("60.00")]


def test_a_meeting_for_two_deals_counts_in_full_for_each(personas, pursued):
    _deal, first, _, elsewhere = pursued
    other = deal_pursuit(user=personas.sales_ops, deal_id=elsewhere.deal_id)
    assert other.cost == _posted_sum(first, elsewhere)


def test_cost_of_pursuit_is_hidden_from_a_rep_who_may_not_see_a_teammates_rate(personas, pursued):
    deal, *_ = pursued
    as_owner = deal_pursuit(user=personas.rep_a1, deal_id=deal.pk)
    assert as_owner.cost is None
    assert all(m.cost is None for m in as_owner.meetings)
    assert as_owner.hours == Decimal("5.00")
    assert deal_pursuit(user=personas.manager_a, deal_id=deal.pk).cost == Decimal("270.00")


def test_a_deal_outside_the_users_scope_is_404(personas, pursued):
    deal, *_ = pursued
    with pytest.raises(Http404):
        deal_pursuit(user=personas.rep_b1, deal_id=deal.pk)


def test_a_meeting_cannot_name_a_deal_of_another_account(personas):
    anna = personas.person("rep_a1")
    meeting = _meeting(anna, account=AccountFactory())
    with pytest.raises(ValidationError):
        meeting_deals_set(meeting=meeting, deals=[DealFactory(owner=anna)])


def test_defaults_are_the_attendees_open_deals_with_the_meetings_account(personas):
    anna = personas.person("rep_a1")
    acme = AccountFactory()
    open_deal = DealFactory(owner=anna, account=acme, stage="needs_assessment")
    DealFactory(owner=anna, account=acme, stage="lost", close_date=dt.date(2026, 2, 1))
    DealFactory(owner=personas.person("rep_b1"), account=acme)
    DealFactory(owner=anna)
    found = meeting_deal_defaults(account_id=acme.pk, person_ids=[anna.pk])
    assert list(found) == [open_deal]


def test_only_attendees_who_accepted_or_attended_are_charged(personas):
    anna = personas.person("rep_a1")
    arno = personas.person("rep_a2")
    anna.hourly_cost = Decimal("60.00")
    anna.save()
    arno.hourly_cost = Decimal("40.00")
    arno.save()
    meeting = _meeting(anna, arno, rsvp="tentative")
    meeting_mark_done(meeting=meeting)
    assert _posted_sum(meeting) == Decimal("60.00")  # tentative: not charged
    rows = {a.person_id: a.pk for a in meeting.attendees.all()}
    attendee_attendance_set(meeting=meeting, attended={rows[arno.pk]: True})
    assert _posted_sum(meeting) == Decimal("100.00")  # attended after all
    attendee_attendance_set(meeting=meeting, attended={rows[anna.pk]: False})
    assert _posted_sum(meeting) == Decimal("40.00")  # accepted but absent


def test_panel_groups_closed_deals_by_segment_and_stage_with_a_ratio_per_segment(personas):
    anna = personas.person("rep_a1")
    anna.hourly_cost = Decimal("100.00")
    anna.save()
    small, big = AccountFactory(employees=20), AccountFactory(employees=5000)
    won = DealFactory(
        owner=anna,
        account=small,
        stage="won",
        close_value=Decimal("1000.00"),
        close_date=dt.date(2026, 3, 20),
    )
    lost = DealFactory(
        owner=anna,
        account=small,
        stage="lost",
        lost_at_stage="presentation",
        close_date=dt.date(2026, 3, 21),
    )
    big_lost = DealFactory(
        owner=anna,
        account=big,
        stage="lost",
        lost_at_stage="closing",
        close_date=dt.date(2026, 3, 22),
    )
    for deal, day in ((won, 2), (lost, 3), (big_lost, 4)):
        meeting_mark_done(meeting=_meeting(anna, day=day, deal=deal))
    panel = pursuit_by_segment(
        user=personas.sales_ops, start=dt.date(2026, 3, 1), end=dt.date(2026, 3, 31)
    )
    rows = {(g.segment, g.stage): (g.deals, g.cost) for g in panel.groups}
    assert rows == {
        ("smb", "won"): (1, Decimal("100.00")),
        ("smb", "presentation"): (1, Decimal("100.00")),
        ("enterprise", "closing"): (1, Decimal("100.00")),
    }
    ratios = {s.segment: s.ratio for s in panel.segments}
    assert ratios == {"smb": Decimal("500.0000"), "enterprise": Decimal("0.0000")}
    # a rep of another team sees none of these deals
    assert pursuit_by_segment(
        user=personas.rep_b1, start=dt.date(2026, 3, 1), end=dt.date(2026, 3, 31)
    ).empty


def test_the_api_shows_a_deals_meetings_hours_and_cost(personas, pursued, api_client_for):
    deal, first, second, _ = pursued
    body = (
        api_client_for(personas.manager_a).get(f"/api/v1/meetings/pursuit/?deal={deal.pk}").json()
    )
    assert body["meeting_count"] == 2
    assert body["hours"] == "5.00"
    assert body["cost"] == str(_posted_sum(first, second))
    assert [m["id"] for m in body["meetings"]] == [first.pk, second.pk]
    as_rep = api_client_for(personas.rep_a1).get(f"/api/v1/meetings/pursuit/?deal={deal.pk}")
    assert as_rep.status_code == 200 and as_rep.json()["cost"] is None
    outside = api_client_for(personas.rep_b1).get(f"/api/v1/meetings/pursuit/?deal={deal.pk}")
    assert outside.status_code == 404
    bad = api_client_for(personas.manager_a).get("/api/v1/meetings/pursuit/?deal=x")
    assert bad.status_code == 400 and "deal" in bad.json()


def test_the_dashboard_panel_renders_in_one_include_line(personas, pursued, rf):
    from types import SimpleNamespace

    from django.template import Context, Template

    deal, *_ = pursued
    deal.stage, deal.close_value, deal.close_date = "won", Decimal("5400.00"), dt.date(2026, 3, 9)
    deal.save()
    request = rf.get("/")
    request.user = personas.sales_ops
    period = SimpleNamespace(start=dt.date(2026, 3, 1), end=dt.date(2026, 3, 31))
    html = Template("{% load pursuit %}{% cost_of_pursuit_panel %}").render(
        Context({"request": request, "period": period})
    )
    assert "SMB (&lt; 100 employees)" in html or "SMB (< 100 employees)" in html
    assert " 270</td>" in html  # the deal's posted meeting cost, in whole units
    assert "2000.0" in html  # 5,400 / 270 × 100
    request.user = personas.rep_b1
    empty = Template("{% load pursuit %}{% cost_of_pursuit_panel %}").render(
        Context({"request": request, "period": period})
    )
    assert 'data-testid="pursuit-empty"' in empty


def test_booking_names_the_attendees_open_deals_with_the_account_and_the_page_changes_them(
    personas, client_for
):
    from django.utils import timezone

    from meetings.models import MeetingDeal
    from meetings.services.schedule_rows import AttendeeInput
    from meetings.services.scheduling import meeting_schedule

    anna, arno = personas.person("rep_a1"), personas.person("rep_a2")
    acme = AccountFactory(name="ACME")
    mine = DealFactory(owner=arno, account=acme, stage="presentation")
    DealFactory(owner=personas.person("rep_b1"), account=acme, stage="presentation")
    extra = DealFactory(
        owner=anna, account=acme, stage="won", close_value=1, close_date=dt.date(2026, 1, 9)
    )
    start = (timezone.now() + dt.timedelta(days=9)).replace(
        hour=10, minute=0, second=0, microsecond=0
    )
    meeting = meeting_schedule(
        organizer=anna,
        title="ACME pricing",
        type="client",
        start=start,
        end=start + dt.timedelta(hours=1),
        account=acme,
        attendees=[AttendeeInput(person=arno)],
        allow_conflicts=True,
    ).meeting
    assert list(MeetingDeal.objects.filter(meeting=meeting).values_list("deal_id", flat=True)) == [
        mine.pk
    ]
    assert mine.external_id in client_for(personas.manager_a).get(f"/meetings/{meeting.pk}/").text
    # Anna (the organizer) does not see Arno's deal: it is counted, and kept when she saves hers.
    page = client_for(personas.rep_a1).get(f"/meetings/{meeting.pk}/").text
    assert mine.external_id not in page and 'data-testid="hidden-deals"' in page
    response = client_for(personas.rep_a1).post(
        f"/meetings/{meeting.pk}/deals/", {"deals": [extra.pk]}
    )
    assert response.status_code == 302
    assert set(MeetingDeal.objects.filter(meeting=meeting).values_list("deal_id", flat=True)) == {
        mine.pk,
        extra.pk,
    }
    # An attendee who may not edit the meeting cannot change its deals; outsiders get a 404.
    assert client_for(personas.rep_a2).post(f"/meetings/{meeting.pk}/deals/", {}).status_code == 403
    assert client_for(personas.rep_b1).post(f"/meetings/{meeting.pk}/deals/", {}).status_code == 404


def test_linking_a_deal_the_user_cannot_see_or_that_does_not_exist_is_a_404(personas, client_for):
    """Issue 20: an unseen or unknown deal id is refused like every unseen object (404, the same
    answer for both), not a flash message and a redirect; the meeting's links stay as they were."""
    from meetings.models import MeetingDeal

    anna = personas.person("rep_a1")
    acme = AccountFactory(name="ACME")
    own = DealFactory(owner=anna, account=acme, stage="presentation")
    theirs = DealFactory(owner=personas.person("rep_b1"), account=acme, stage="presentation")
    meeting = _meeting(anna, account=acme)
    meeting_deals_set(meeting=meeting, deals=[own])
    client = client_for(personas.rep_a1)
    unseen = client.post(f"/meetings/{meeting.pk}/deals/", {"deals": [own.pk, theirs.pk]})
    absent = client.post(f"/meetings/{meeting.pk}/deals/", {"deals": [own.pk, 99_999_999]})
    huge = client.post(f"/meetings/{meeting.pk}/deals/", {"deals": [own.pk, 2**40]})
    assert (unseen.status_code, absent.status_code, huge.status_code) == (404, 404, 404)
    assert client.post(f"/meetings/{meeting.pk}/deals/", {"deals": ["x"]}).status_code == 400
    assert list(MeetingDeal.objects.filter(meeting=meeting).values_list("deal_id", flat=True)) == [
        own.pk
    ]
    # Sales ops sees both deals: the same post links them.
    ok = client_for(personas.sales_ops).post(
        f"/meetings/{meeting.pk}/deals/", {"deals": [own.pk, theirs.pk]}
    )
    assert ok.status_code == 302
    assert set(MeetingDeal.objects.filter(meeting=meeting).values_list("deal_id", flat=True)) == {
        own.pk,
        theirs.pk,
    }


def test_the_organizer_marks_attendance_on_the_page_and_the_posted_cost_follows(
    personas, client_for
):
    anna, arno = personas.person("rep_a1"), personas.person("rep_a2")
    meeting = _meeting(anna, arno, rsvp="tentative")
    meeting_mark_done(meeting=meeting)
    assert _posted_sum(meeting) == Decimal("60.00")  # Anna only: Arno was tentative
    page = client_for(personas.rep_a1).get(f"/meetings/{meeting.pk}/").text
    assert 'data-testid="meeting-attendance"' in page
    row = meeting.attendees.get(person=arno)
    response = client_for(personas.rep_a1).post(
        f"/meetings/{meeting.pk}/attendance/", {f"attended-{row.pk}": "yes"}
    )
    assert response.status_code == 302
    assert _posted_sum(meeting) == Decimal("120.00")
    # Arno may see the meeting but not change who attended.
    assert (
        "meeting-attendance" not in client_for(personas.rep_a2).get(f"/meetings/{meeting.pk}/").text
    )
    denied = client_for(personas.rep_a2).post(
        f"/meetings/{meeting.pk}/attendance/", {f"attended-{row.pk}": "no"}
    )
    assert denied.status_code == 403 and _posted_sum(meeting) == Decimal("120.00")


def test_the_deal_page_shows_the_sum_of_its_meetings_posted_costs(personas, pursued, client_for):
    deal, first, second, _ = pursued
    page = client_for(personas.sales_ops).get(f"/deals/{deal.pk}/")
    assert page.status_code == 200
    assert _posted_sum(first, second) == Decimal("270.00")
    assert _pursuit_line(page.content.decode()) == (
        "2 meetings · 5.00 person-hours · cost of pursuit USD 270"
    )
    # A teammate may not see the other attendee's rate: hours, never the cost.
    rep_view = client_for(personas.rep_a1).get(f"/deals/{deal.pk}/").content.decode()
    assert "USD" not in _pursuit_line(rep_view)


def _pursuit_line(html: str) -> str:
    found = re.search(r'data-testid="deal-pursuit">(.*?)</p>', html, re.S)
    assert found, "the deal page has no cost-of-pursuit line"
    return " ".join(re.sub(r"<[^>]+>", "", found.group(1)).split())

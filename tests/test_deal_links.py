"""Deal ids link to the deal page wherever a deal appears (issue 23 item 2): here the meeting
page's "Deals this meeting is for" (statement lines, the deal list and the dashboard's stuck deals
are tested with their pages)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from meetings.services.pursuit import meeting_deals_set
from tests.factories import AccountFactory, DealFactory
from tests.meetings.factories import AttendeeFactory, MeetingFactory

pytestmark = pytest.mark.django_db


def test_a_meetings_deals_link_to_the_deal_page(personas, client_for):
    anna = personas.person("rep_a1")
    acme = AccountFactory(name="ACME")
    deal = DealFactory(owner=anna, account=acme, stage="presentation")
    start = (timezone.now() + dt.timedelta(days=3)).replace(microsecond=0)
    meeting = MeetingFactory(
        organizer=anna, start=start, end=start + dt.timedelta(hours=1), type="client", account=acme
    )
    AttendeeFactory(meeting=meeting, person=anna)
    meeting_deals_set(meeting=meeting, deals=[deal])
    for who in ("rep_a1", "manager_a"):
        client = client_for(getattr(personas, who))
        page = client.get(f"/meetings/{meeting.pk}/").content.decode()
        link = f'<a href="/deals/{deal.pk}/" data-testid="meeting-deal-link">{deal.external_id}</a>'
        assert link in page, who
        assert client.get(f"/deals/{deal.pk}/").status_code == 200


def test_a_follow_up_on_my_page_links_to_its_deal(personas, client_for, settings):
    settings.FOLLOW_UP_DAYS_AFTER_WON = 30
    anna = personas.person("rep_a1")
    won = timezone.localdate() - dt.timedelta(days=31)
    deal = DealFactory(
        owner=anna,
        account=AccountFactory(name="Globex"),
        stage="won",
        close_date=won,
        close_value=Decimal("1000"),
    )
    client = client_for(personas.rep_a1)
    page = client.get("/me/").content.decode()
    assert f'<a href="/deals/{deal.pk}/" data-testid="follow-up-deal">' in page
    assert client.get(f"/deals/{deal.pk}/").status_code == 200

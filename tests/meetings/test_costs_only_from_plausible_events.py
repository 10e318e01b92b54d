"""Issue 20, item 2: a meeting's cost is posted only from plausible events.

Only attendees who accepted are charged; a meeting longer than MEETING_COST_MAX_HOURS or marked
done more than MEETING_COST_MAX_AGE_DAYS after it ended posts nothing until sales ops confirm it
on /ops/.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from meetings.models import PendingMeetingCost
from salesops.models import SalesCost

pytestmark = pytest.mark.django_db


def _book_past(client, start, end, *people):
    response = client.post(
        "/api/v1/meetings/",
        {
            "title": "Offsite",
            "type": "client",  # outside working hours is only a warning for client meetings
            "start": start.isoformat(),
            "end": end.isoformat(),
            "time_zone": "Europe/Berlin",
            "attendees": [{"person": p.pk} for p in people],
            "allow_conflicts": True,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    return response.json()["id"]


def test_a_rep_marking_a_ten_year_meeting_done_books_nothing_onto_the_vps_ledger(
    personas, api_client_for, client_for
):
    vp = personas.person("sales_ops")
    vp.hourly_cost = Decimal("116.57")
    vp.save()
    rep = api_client_for(personas.rep_a1)
    end = timezone.now() - dt.timedelta(days=1)
    meeting_id = _book_past(rep, end - dt.timedelta(days=3650), end, vp)

    assert rep.post(f"/api/v1/meetings/{meeting_id}/done/").status_code == 200
    assert not SalesCost.objects.filter(person=vp).exclude(amount=0).exists()
    assert not SalesCost.objects.exclude(amount=0).exists()
    pending = PendingMeetingCost.objects.get(meeting_id=meeting_id)
    assert pending.confirmed_at is None and "more than 10" in pending.reason

    ops_page = client_for(personas.sales_ops).get("/ops/")
    assert "Offsite" in ops_page.content.decode()


def test_only_attendees_who_accepted_are_charged(personas, api_client_for):
    rep = api_client_for(personas.rep_a1)
    start = timezone.now() - dt.timedelta(hours=3)
    meeting_id = _book_past(
        rep,
        start,
        start + dt.timedelta(hours=1),
        personas.person("rep_b1"),
        personas.person("manager_b"),
    )
    rep.post(f"/api/v1/meetings/{meeting_id}/done/")
    charged = set(
        SalesCost.objects.filter(external_ref=f"meeting:{meeting_id}")
        .exclude(amount=0)
        .values_list("person__name", flat=True)
    )
    assert charged == {"Anna Rep"}  # the organizer accepted; the invitees never answered


def test_a_meeting_marked_done_long_after_it_ended_waits_for_sales_ops(
    personas, api_client_for, client_for, settings
):
    settings.MEETING_COST_MAX_AGE_DAYS = 7
    rep = api_client_for(personas.rep_a1)
    start = timezone.now() - dt.timedelta(days=30)
    meeting_id = _book_past(rep, start, start + dt.timedelta(hours=1))
    rep.post(f"/api/v1/meetings/{meeting_id}/done/")
    assert not SalesCost.objects.exclude(amount=0).exists()

    # Only sales ops confirm; then the cost is posted, exactly once.
    assert client_for(personas.rep_a1).post(
        f"/meetings/{meeting_id}/confirm-cost/"
    ).status_code in (
        403,
        404,
    )
    assert not SalesCost.objects.exclude(amount=0).exists()
    ops = client_for(personas.sales_ops)
    ops.post(f"/meetings/{meeting_id}/confirm-cost/")
    ops.post(f"/meetings/{meeting_id}/confirm-cost/")
    amounts = list(SalesCost.objects.exclude(amount=0).values_list("amount", flat=True))
    assert amounts == [Decimal("60.00")]
    assert "Offsite" not in ops.get("/ops/").content.decode()

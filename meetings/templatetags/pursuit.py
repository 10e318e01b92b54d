"""`{% cost_of_pursuit_panel %}`: the dashboard's cost-of-pursuit panel in one line.

Reads the dashboard's `period` (any object with `start` and `end` dates) and `request` from the
context, so the dashboard includes it without new view code; meetings cannot import dashboard.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from meetings.models import Meeting
from meetings.selectors.meetings import meeting_can_edit
from meetings.selectors.pursuit import meeting_deal_ids, pursuit_by_segment
from salesops.calendar import company_today
from salesops.selectors.core import deal_list

register = template.Library()


@register.inclusion_tag("dashboard/_cost_of_pursuit.html", takes_context=True)
def cost_of_pursuit_panel(context: template.Context) -> dict[str, Any]:
    request = context["request"]
    period = context.get("period")
    end = getattr(period, "end", None) or company_today()
    start = getattr(period, "start", None) or end.replace(month=1, day=1)
    return {"pursuit": pursuit_by_segment(user=request.user, start=start, end=end)}


@register.inclusion_tag("meetings/_meeting_deals.html", takes_context=True)
def meeting_deals_panel(context: template.Context, meeting: Meeting) -> dict[str, Any]:
    """The deals a meeting is for, and (for whoever may edit it) the chooser to change them."""
    from meetings.views_pursuit import MeetingDealsForm

    user = context["request"].user
    linked = meeting_deal_ids(meeting=meeting)
    can_edit = meeting_can_edit(user=user, meeting=meeting)
    deals = list(
        deal_list(user=user)
        .prefetch_related(None)
        .filter(pk__in=[*linked, *([meeting.deal_id] if meeting.deal_id else [])])
        .select_related("account")
        .order_by("external_id")
    )
    return {
        "meeting": meeting,
        "deals": deals,
        "hidden": len(set(linked) - {d.pk for d in deals}),
        "can_edit": can_edit and meeting.status != "cancelled",
        "form": MeetingDealsForm(initial={"deals": linked}, user=user) if can_edit else None,
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("meetings/_meeting_attendance.html", takes_context=True)
def meeting_attendance_panel(context: template.Context, meeting: Meeting) -> dict[str, Any]:
    """Who attended, for whoever may edit a meeting that has started (not cancelled)."""
    user = context["request"].user
    show = (
        meeting.status != "cancelled"
        and meeting.start <= timezone.now()
        and meeting_can_edit(user=user, meeting=meeting)
    )
    attendees = [a for a in meeting.attendees.all() if a.person_id is not None] if show else []
    return {"meeting": meeting, "attendees": attendees, "csrf_token": context.get("csrf_token")}

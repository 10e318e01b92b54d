"""`{% cost_of_pursuit_panel %}`: the dashboard's cost-of-pursuit panel in one line.

Reads the dashboard's `period` (any object with `start` and `end` dates) and `request` from the
context, so the dashboard includes it without new view code; meetings cannot import dashboard.
"""

from __future__ import annotations

from typing import Any

from django import template

from meetings.selectors.pursuit import pursuit_by_segment
from salesops.calendar import company_today

register = template.Library()


@register.inclusion_tag("dashboard/_cost_of_pursuit.html", takes_context=True)
def cost_of_pursuit_panel(context: template.Context) -> dict[str, Any]:
    request = context["request"]
    period = context.get("period")
    end = getattr(period, "end", None) or company_today()
    start = getattr(period, "start", None) or end.replace(month=1, day=1)
    return {"pursuit": pursuit_by_segment(user=request.user, start=start, end=end)}

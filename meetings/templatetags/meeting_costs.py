"""`{% pending_meeting_costs %}`: the done meetings whose cost waits for sales ops (on /ops/)."""

from __future__ import annotations

from typing import Any

from django import template

from meetings.services.costs import meeting_costs_pending

register = template.Library()


@register.inclusion_tag("meetings/_pending_costs.html")
def pending_meeting_costs(limit: int = 50) -> dict[str, Any]:
    qs = meeting_costs_pending()
    return {"pending": list(qs[:limit]), "total": qs.count()}

"""`{% meeting_when meeting %}`: a meeting's time in its zone, and the viewer's when different.

The viewer's zone is the request's current zone (salesops.middleware). The text comes from
meetings.display, which converts from the stored instant exactly once.
"""

from __future__ import annotations

from datetime import UTC
from typing import Any

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString

from meetings import display

register = template.Library()


@register.simple_tag
def meeting_when(meeting: Any, day_format: str = display.DAY, end: bool = True) -> SafeString:
    """`day_format` is a Django date format for the day ("" for none); `end=False` shows only
    the start."""
    text = display.when(
        meeting.start,
        meeting.end if end else None,
        zone=meeting.time_zone,
        viewer_zone=timezone.get_current_timezone(),
        day_format=day_format or None,
    )
    return format_html(
        '<time datetime="{}">{}</time>', meeting.start.astimezone(UTC).isoformat(), text
    )

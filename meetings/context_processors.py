from __future__ import annotations

from django.http import HttpRequest

from meetings.selectors.meetings import unread_notification_count


def notifications(request: HttpRequest) -> dict[str, int]:
    """`unread_notifications` for the top bar: one COUNT query, none for anonymous users."""
    if not request.user.is_authenticated:
        return {"unread_notifications": 0}
    return {"unread_notifications": unread_notification_count(user=request.user)}

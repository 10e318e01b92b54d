"""Every page is shown in the viewer's time zone, and says so.

Django renders aware datetimes (the `date`/`time` filters, `{{ value }}`, admin, form initial
values) in the *current* time zone, which is TIME_ZONE (UTC) unless something activates another.
This middleware activates the viewer's zone for the whole request, rendering included: their
person's `time_zone`, else the company's (salesops.calendar). Templates name it through the `tz`
context processor's `TIME_ZONE`. Times of a meeting are shown in the meeting's own zone by
meetings.display, which converts explicitly and so does not depend on this.

The JSON API is left in UTC: it serves ISO 8601 instants to programs, which convert themselves.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from salesops import calendar
from salesops.selectors.scope import AnyUser, person_for_user

API_PREFIX = "/api/"


def viewer_zone(user: AnyUser) -> zoneinfo.ZoneInfo:
    """The zone pages are shown in for `user`: their person's, else the company's."""
    person = person_for_user(user)
    if person is not None and person.time_zone:
        try:
            return zoneinfo.ZoneInfo(person.time_zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            pass  # a zone from before validation (e.g. an old import): fall back, don't fail
    return calendar.company_zone()


class ViewerTimeZoneMiddleware:
    """Activate `viewer_zone(request.user)` for the request. Needs AuthenticationMiddleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info.startswith(API_PREFIX):
            return self.get_response(request)
        with timezone.override(viewer_zone(request.user)):
            return self.get_response(request)

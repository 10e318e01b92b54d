"""Outside calendars on the calendar settings page: add and remove a person's own feeds."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from meetings.services import feeds
from salesops.models import Person
from salesops.selectors.scope import person_for_user


def _me(request: HttpRequest) -> Person:
    me = person_for_user(request.user)
    if me is None:
        raise Http404("Only people of the sales org have calendars.")
    return me


@login_required
@require_POST
def busy_feed_add_view(request: HttpRequest) -> HttpResponse:
    me = _me(request)
    try:
        feeds.busy_feed_add(
            person=me, url=request.POST.get("url", ""), label=request.POST.get("label", "")
        )
    except ValidationError as exc:
        for message in exc.message_dict.get("url", exc.messages):
            messages.error(request, f"Calendar address: {message}")
    else:
        messages.success(
            request, "Calendar added: its busy times are read within the next few minutes."
        )
    return redirect("meetings:calendar")


@login_required
@require_POST
def busy_feed_remove_view(request: HttpRequest, pk: int) -> HttpResponse:
    if not feeds.busy_feed_remove(person=_me(request), feed_id=pk):
        raise Http404("No such calendar.")  # someone else's or absent: a 404 (issue 20)
    messages.success(request, "Calendar removed, with its busy times.")
    return redirect("meetings:calendar")

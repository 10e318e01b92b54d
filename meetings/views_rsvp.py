"""The RSVP link page (no login): GET shows the answer to confirm, POST records it once."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from meetings import display
from meetings.models import Rsvp
from meetings.services.rsvp import ANSWERS, rsvp_link_resolve, rsvp_link_use
from salesops.exceptions import ApplicationError


def _answer(request: HttpRequest) -> str:
    value = (request.POST if request.method == "POST" else request.GET).get("answer", "")
    return value if value in ANSWERS else Rsvp.ACCEPTED


@require_http_methods(["GET", "POST"])
def rsvp_link_view(request: HttpRequest, token: str) -> HttpResponse:
    answer = _answer(request)
    context: dict[str, object] = {"token": token, "answer": answer, "answers": Rsvp.choices[1:]}
    try:
        if request.method == "POST":
            link = rsvp_link_use(token=token, answer=answer)
            context["done"] = True
        else:
            link = rsvp_link_resolve(token=token)
            if link.used is not None:
                raise ApplicationError(
                    "This link was already used; change your answer on the meeting page."
                )
    except ApplicationError as exc:
        context["error"] = exc.message
        return render(request, "meetings/rsvp_link.html", context, status=410)
    except ValidationError as exc:
        context["error"] = "; ".join(exc.messages)
        return render(request, "meetings/rsvp_link.html", context, status=410)
    meeting = link.meeting
    context.update(
        meeting=meeting,
        attendee=link.attendee,
        when=display.when(meeting.start, meeting.end, zone=meeting.time_zone, viewer_zone=None),
        answer_label=Rsvp(answer).label,
    )
    return render(request, "meetings/rsvp_link.html", context)

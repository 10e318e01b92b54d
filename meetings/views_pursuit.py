"""The deals a meeting is for: chosen on the meeting page with the searchable deal chooser."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from meetings.selectors.meetings import meeting_can_edit, meeting_get_for_user
from meetings.services import costs
from meetings.services.pursuit import meeting_deals_set
from salesops.exceptions import ApplicationError
from salesops.models import Deal
from salesops.selectors.core import deal_list
from salesops.selectors.scope import AnyUser
from salesops.widgets import MultiChooser


class DealChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        account = obj.account.name if obj.account_id and obj.account else "no account"
        return f"{obj.external_id} · {account} · {obj.get_stage_display()}"


class MeetingDealsForm(forms.Form):
    deals = DealChoice(
        queryset=Deal.objects.none(),
        required=False,
        label="Deals this meeting is for",
        widget=MultiChooser(source="choose-deals", placeholder="Deal id or account…"),
    )

    def __init__(self, *args: Any, user: AnyUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["deals"]
        assert isinstance(field, DealChoice)
        field.queryset = deal_list(user=user).prefetch_related(None).select_related("account")


MAX_ID = 2**63 - 1


def _refuse_unseen_deals(request: HttpRequest) -> None:
    """A posted deal id that is not a number is a 400; one the user cannot see (another team's,
    or absent) is a 404, the same for both (issue 20: refused like every unseen object)."""
    raw = request.POST.getlist("deals")
    if not all(value.isdigit() and 0 < int(value) <= MAX_ID for value in raw):
        raise BadRequest("A deal id is a positive whole number.")
    wanted = {int(value) for value in raw}
    seen = deal_list(user=request.user).prefetch_related(None).filter(pk__in=wanted)
    if len(wanted) != seen.count():
        raise Http404("No deal with that id that you can see.")


@login_required
@require_POST
def meeting_deals_view(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = meeting_get_for_user(user=request.user, meeting_id=pk)
    if not meeting_can_edit(user=request.user, meeting=meeting):
        raise PermissionDenied("Only the organizer, their manager or sales ops may do this.")
    _refuse_unseen_deals(request)
    form = MeetingDealsForm(request.POST, user=request.user)
    if not form.is_valid():
        messages.error(request, "; ".join(str(e) for errs in form.errors.values() for e in errs))
        return redirect("meetings:detail", pk=pk)
    # Deals already linked that this user cannot see stay linked: the form cannot show them.
    visible = deal_list(user=request.user).prefetch_related(None).values("pk")
    hidden = Deal.objects.filter(meeting_links__meeting=meeting).exclude(pk__in=visible)
    try:
        linked = meeting_deals_set(meeting=meeting, deals=[*form.cleaned_data["deals"], *hidden])
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    else:
        messages.success(request, f"This meeting is for {len(linked)} deal(s).")
    return redirect("meetings:detail", pk=pk)


ATTENDED_VALUES = {"": None, "yes": True, "no": False}


@login_required
@require_POST
def meeting_attendance_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Who attended (posted as attended-<attendee id> = yes / no / empty): decides, with the
    RSVP, whose time the meeting's cost charges (meetings.services.costs.posts_cost)."""
    meeting = meeting_get_for_user(user=request.user, meeting_id=pk)
    if not meeting_can_edit(user=request.user, meeting=meeting):
        raise PermissionDenied("Only the organizer, their manager or sales ops may do this.")
    marks: dict[int, bool | None] = {}
    for key, value in request.POST.items():
        name, _, raw_id = key.partition("-")
        if name == "attended" and raw_id.isdigit() and value in ATTENDED_VALUES:
            marks[int(raw_id)] = ATTENDED_VALUES[value]
    try:
        costs.attendee_attendance_set(meeting=meeting, attended=marks)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Attendance saved.")
    return redirect("meetings:detail", pk=pk)

"""Meeting pages: thin views over the selectors (scoped reads) and the services (writes).

Why one module: the meeting pages share one form path (_meeting_form, _form_context, _save) and the
same scoped look-ups; each view itself is a few lines over the selectors and services.
"""

from __future__ import annotations

import zoneinfo
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from meetings import conf
from meetings.display import slot_choices
from meetings.filters import MeetingFilter
from meetings.forms import (
    ActionItemForm,
    AgendaFormSet,
    FindTimeForm,
    MeetingForm,
    RsvpForm,
    agenda_inputs,
)
from meetings.listing import MEETINGS
from meetings.models import Meeting, MeetingStatus
from meetings.selectors.busy import busy_feeds_for
from meetings.selectors.kickoff import kickoff_warnings
from meetings.selectors.load import meeting_cost_by_team_week, monday_of, team_load
from meetings.selectors.meetings import (
    action_item_can_update,
    action_items_visible,
    meeting_can_edit,
    meeting_cost_visible,
    meeting_get_for_user,
    meeting_list,
    my_open_action_items,
    notifications_for_user,
)
from meetings.services import calendar, costs, feeds, findtime, items, scheduling, update
from meetings.services.conflicts import ConflictError
from salesops.calendar import company_today, company_zone
from salesops.edge import check_date
from salesops.exceptions import ApplicationError
from salesops.models import Person
from salesops.selectors.scope import person_for_user, sees_everything, visible_people, visible_teams


def _people() -> QuerySet[Person]:
    return Person.objects.filter(active=True).order_by("name")


def _error_messages(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [m for msgs in exc.message_dict.values() for m in msgs]
    return list(exc.messages)


@login_required
def meeting_list_view(request: HttpRequest) -> HttpResponse:
    """My meetings: upcoming by default, each with its agenda; managers may widen to the team."""
    team_view = request.GET.get("scope") == "team"
    qs = meeting_list(user=request.user, mine_only=not team_view)
    params = request.GET.copy()
    if not params.get("start_after") and not params.get("start_before"):
        params["start_after"] = (timezone.now() - timedelta(hours=2)).isoformat()
    if not params.getlist("status"):
        params.setlist("status", [MeetingStatus.SCHEDULED])
    flt = MeetingFilter(params, queryset=qs)
    if MEETINGS.wants_csv(request):
        return MEETINGS.csv(request, flt.qs.select_related("organizer"), "meetings.csv")
    listing = MEETINGS.page(request, flt.qs)
    page = listing.page
    for meeting in page:
        meeting.cost, meeting.person_hours = _cost_or_hours(
            request, meeting, meeting.attendees.all()
        )  # type: ignore[attr-defined]
    return render(
        request,
        "meetings/meeting_list.html",
        {
            "page": page,
            "listing": listing,
            "sort_choices": [("start", "Start"), ("title", "Title"), ("type", "Type")],
            "filter": flt,
            "team_view": team_view,
            "can_team": sees_everything(request.user) or bool(_person_is_manager(request)),
            "my_actions": list(my_open_action_items(user=request.user)[:10]),
            "person": person_for_user(request.user),
            "today": company_today(),
        },
    )


def _cost_or_hours(
    request: HttpRequest, meeting: Meeting, attendees: Any
) -> tuple[Decimal | None, Decimal]:
    """The meeting's cost only for those who may see every attendee's rate; hours for all."""
    hours = costs.meeting_person_hours(meeting=meeting, attendees=attendees)
    if not meeting_cost_visible(user=request.user, attendees=attendees):
        return None, hours
    return costs.meeting_cost(meeting=meeting, attendees=attendees), hours


def _person_is_manager(request: HttpRequest) -> bool:
    person = person_for_user(request.user)
    return person is not None and person.role == "sales_manager"


@login_required
def meeting_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = meeting_get_for_user(user=request.user, meeting_id=pk)
    me = person_for_user(request.user)
    attendees = list(meeting.attendees.all())
    mine = next((a for a in attendees if me is not None and a.person_id == me.pk), None)
    can_edit = meeting_can_edit(user=request.user, meeting=meeting)
    people = _people().filter(pk__in=[a.person_id for a in attendees if a.person_id])
    actions = list(meeting.action_items.all())
    cost, person_hours = _cost_or_hours(request, meeting, attendees)
    return render(
        request,
        "meetings/meeting_detail.html",
        {
            "meeting": meeting,
            "attendees": attendees,
            "agenda": list(meeting.agenda_items.all()),
            "actions": [(a, action_item_can_update(user=request.user, item=a)) for a in actions],
            "cost": cost,
            "person_hours": person_hours,
            "cost_pending": meeting.status == "done" and costs.meeting_cost_is_pending(meeting),
            "warnings": kickoff_warnings(meeting=meeting),
            "my_attendance": mine,
            "rsvp_form": RsvpForm(initial={"rsvp": mine.rsvp if mine else None}),
            "can_edit": can_edit,
            "action_form": ActionItemForm(people=people) if can_edit else None,
            "started": meeting.start <= timezone.now(),
        },
    )


def _form_context(
    request: HttpRequest,
    form: MeetingForm,
    formset: Any,
    meeting: Meeting | None,
    conflicts: list[str] | None = None,
) -> dict[str, Any]:
    return {
        "form": form,
        "formset": formset,
        "meeting": meeting,
        "conflicts": conflicts or [],
    }


def _meeting_form(
    request: HttpRequest, meeting: Meeting | None, people: QuerySet[Person]
) -> tuple[MeetingForm, Any]:
    owners = visible_people(user=request.user).filter(active=True)
    if meeting is not None:
        owners = owners | _people().filter(meeting_attendances__meeting=meeting)
    owners = owners.distinct().order_by("name")
    if request.method == "POST":
        form = MeetingForm(request.POST, people=people)
        formset = AgendaFormSet(request.POST, prefix="agenda", form_kwargs={"people": owners})
        return form, formset
    if meeting is None:
        me = person_for_user(request.user)
        tz = me.time_zone if me else company_zone().key
        start = (timezone.now() + timedelta(days=1)).astimezone(zoneinfo.ZoneInfo(tz))
        start = start.replace(hour=10, minute=0, second=0, microsecond=0, tzinfo=None)
        initial: dict[str, Any] = {
            "time_zone": tz,
            "start": start,
            "end": start + timedelta(minutes=30),
            "type": request.GET.get("type", "team"),
        }
        agenda_initial: list[dict[str, Any]] = []
    else:
        zone = zoneinfo.ZoneInfo(meeting.time_zone)
        attendees = list(meeting.attendees.all())
        initial = {
            "title": meeting.title,
            "type": meeting.type,
            "time_zone": meeting.time_zone,
            "start": meeting.start.astimezone(zone).replace(tzinfo=None),
            "end": meeting.end.astimezone(zone).replace(tzinfo=None),
            "start_instant": meeting.start.astimezone(UTC).isoformat(),
            "end_instant": meeting.end.astimezone(UTC).isoformat(),
            "location": meeting.location,
            "video_link": meeting.video_link,
            "description": meeting.description,
            "rrule": meeting.rrule,
            "attendees": [a.person_id for a in attendees if a.person_id and a.required],
            "optional_attendees": [
                a.person_id for a in attendees if a.person_id and not a.required
            ],
            "external": "\n".join(f"{a.name} <{a.email}>" for a in attendees if not a.person_id),
        }
        agenda_initial = [
            {"title": i.title, "minutes": i.minutes, "owner": i.owner_id, "notes": i.notes}
            for i in meeting.agenda_items.all()
        ]
    form = MeetingForm(initial=initial, people=people)
    formset = AgendaFormSet(initial=agenda_initial, prefix="agenda", form_kwargs={"people": owners})
    return form, formset


def _save(request: HttpRequest, meeting: Meeting | None) -> HttpResponse:
    people = _people()
    form, formset = _meeting_form(request, meeting, people)
    conflicts: list[str] = []
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        d = form.cleaned_data
        try:
            if meeting is None:
                organizer = person_for_user(request.user)
                if organizer is None:
                    raise PermissionDenied("Only people of the sales org organise meetings.")
                result = scheduling.meeting_schedule(
                    organizer=organizer,
                    title=d["title"],
                    type=d["type"],
                    start=d["start"],
                    end=d["end"],
                    time_zone=d["time_zone"],
                    location=d["location"],
                    video_link=d["video_link"],
                    description=d["description"],
                    rrule=d["rrule"],
                    attendees=form.attendee_inputs(),
                    agenda=agenda_inputs(formset) or None,
                    allow_conflicts=d["allow_conflicts"],
                    viewer=request.user,
                )
            else:
                fields = ("title", "type", "start", "end", "time_zone", "location")
                data = {f: d[f] for f in (*fields, "video_link", "description")}
                if meeting.series_id is None:
                    data["rrule"] = d["rrule"]
                result = update.meeting_update(
                    meeting=meeting,
                    data=data,
                    attendees=form.attendee_inputs(),
                    agenda=agenda_inputs(formset),
                    allow_conflicts=d["allow_conflicts"],
                    viewer=request.user,
                )
        except ConflictError as exc:
            conflicts = [c.message(d["time_zone"]) for c in exc.conflicts]
        except ValidationError as exc:
            for msg in _error_messages(exc):
                form.add_error(None, msg)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            for warning in result.warnings:
                messages.warning(request, warning)
            messages.success(request, "Meeting saved.")
            return redirect("meetings:detail", pk=result.meeting.pk)
    return render(
        request,
        "meetings/meeting_form.html",
        _form_context(request, form, formset, meeting, conflicts),
    )


@login_required
def meeting_create_view(request: HttpRequest) -> HttpResponse:
    return _save(request, None)


@login_required
def meeting_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = meeting_get_for_user(user=request.user, meeting_id=pk)
    if not meeting_can_edit(user=request.user, meeting=meeting):
        raise PermissionDenied("Only the organizer, their manager or sales ops may edit this.")
    return _save(request, meeting)


@login_required
def find_time_view(request: HttpRequest) -> HttpResponse:
    """htmx partial: the earliest slots the booking form will accept for the people picked.

    The same people as the booking checks: the organizer (the current user, or the edited
    meeting's), required and optional attendees. Slots are shown in the meeting's zone and carry
    their exact instants (meetings.display.slot_choices), so a click books the instant offered."""
    form = FindTimeForm(request.POST or request.GET)
    slots: list[tuple[datetime, datetime]] = []
    tz = timezone.get_current_timezone_name()
    if form.is_valid():
        d = form.cleaned_data
        tz = d.get("time_zone") or tz
        organizer = person_for_user(request.user)
        exclude = None
        if d.get("meeting"):
            meeting = meeting_get_for_user(user=request.user, meeting_id=d["meeting"])
            organizer, exclude = meeting.organizer, meeting.pk
        people = {p.pk for p in (*d["attendees"], *(d.get("optional_attendees") or ()))}
        if organizer is not None:
            people.add(organizer.pk)
        now = timezone.now().replace(second=0, microsecond=0)
        start = now - timedelta(minutes=now.minute % 30) + timedelta(minutes=30)
        try:
            slots = findtime.find_time(
                person_ids=sorted(people),
                duration=timedelta(minutes=d["duration"]),
                window_start=start,
                window_end=start + timedelta(days=d["window_days"]),
                buffer_before=timedelta(minutes=d.get("buffer") or 0),
                buffer_after=timedelta(minutes=d.get("buffer") or 0),
                limit=8,
                exclude_meeting_id=exclude,
                rrule=d.get("rrule") or "",
                time_zone=tz,
            )
        except ValidationError as exc:
            form.add_error("rrule", _error_messages(exc))
    return render(
        request,
        "meetings/_slots.html",
        {"slots": slot_choices(slots, zone=tz), "form": form, "time_zone": tz},
    )


@login_required
@require_POST
def meeting_transition_view(request: HttpRequest, pk: int, transition: str) -> HttpResponse:
    meeting = meeting_get_for_user(user=request.user, meeting_id=pk)
    if not meeting_can_edit(user=request.user, meeting=meeting):
        raise PermissionDenied("Only the organizer, their manager or sales ops may do this.")
    try:
        if transition == "done":
            costs.meeting_mark_done(meeting=meeting)
            if costs.meeting_cost_is_pending(meeting):
                messages.warning(
                    request,
                    "Marked done; its cost waits for sales ops to confirm it (too long or too "
                    "long ago to post unchecked).",
                )
            else:
                messages.success(request, "Marked done; its cost is on the ledger.")
        elif transition == "confirm-cost":
            costs.meeting_cost_confirm(meeting=meeting, user=request.user)
            messages.success(request, "Confirmed; its cost is on the ledger.")
        elif transition == "reopen":
            costs.meeting_reopen(meeting=meeting)
            messages.success(request, "Reopened; its ledger entries are back to zero.")
        elif transition == "cancel":
            whole = request.POST.get("whole_series") == "1"
            n = scheduling.meeting_cancel(meeting=meeting, whole_series=whole)
            messages.success(request, f"Cancelled {n} meeting{'s' if n != 1 else ''}.")
        else:
            raise Http404("Unknown action.")
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("meetings:detail", pk=pk)


@login_required
@require_POST
def rsvp_view(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = meeting_get_for_user(user=request.user, meeting_id=pk)
    me = person_for_user(request.user)
    mine = next((a for a in meeting.attendees.all() if me and a.person_id == me.pk), None)
    form = RsvpForm(request.POST)
    if mine is None:
        raise PermissionDenied("You are not invited to this meeting.")
    if form.is_valid():
        try:
            scheduling.attendee_rsvp(attendee=mine, rsvp=form.cleaned_data["rsvp"])
            messages.success(request, "Answer saved.")
        except (ApplicationError, ValidationError) as exc:
            messages.error(request, getattr(exc, "message", str(exc)))
    return redirect("meetings:detail", pk=pk)


@login_required
@require_POST
def action_item_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = meeting_get_for_user(user=request.user, meeting_id=pk)
    if not meeting_can_edit(user=request.user, meeting=meeting):
        raise PermissionDenied("Only the organizer, their manager or sales ops may add items.")
    people = _people().filter(meeting_attendances__meeting=meeting)
    form = ActionItemForm(request.POST, people=people)
    if form.is_valid():
        items.action_item_create(meeting=meeting, **form.cleaned_data)
        messages.success(request, "Action item added.")
    else:
        messages.error(request, "Give a description, an attendee as owner and a due date.")
    return redirect("meetings:detail", pk=pk)


@login_required
@require_POST
def action_item_toggle_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Tick an action item off (or reopen it). htmx swaps the row; without JS, a redirect."""
    item = action_items_visible(user=request.user).filter(pk=pk).first()
    if item is None:
        raise Http404("No such action item.")
    if not action_item_can_update(user=request.user, item=item):
        raise PermissionDenied("Only the owner or the meeting's organizer may tick this off.")
    item = items.action_item_set_status(
        item=item, status="open" if item.status == "done" else "done"
    )
    if request.headers.get("HX-Request"):
        return render(request, "meetings/_action_row.html", {"item": item, "can_update": True})
    return redirect(request.POST.get("next") or reverse("meetings:detail", args=[item.meeting_id]))


@login_required
def meeting_ics_view(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = meeting_get_for_user(user=request.user, meeting_id=pk)
    response = HttpResponse(calendar.meeting_ics(meeting=meeting), content_type="text/calendar")
    response["Content-Disposition"] = f'attachment; filename="meeting-{meeting.pk}.ics"'
    return response


def calendar_feed_view(request: HttpRequest, token: str) -> HttpResponse:
    """The subscription feed: no login, the secret token is the credential."""
    person = calendar.calendar_feed_resolve(token=token)
    if person is None:
        raise Http404("Unknown or revoked calendar feed.")
    return HttpResponse(calendar.person_feed_ics(person=person), content_type="text/calendar")


@login_required
def calendar_settings_view(request: HttpRequest) -> HttpResponse:
    me = person_for_user(request.user)
    if me is None:
        raise Http404("Only people of the sales org have a calendar feed.")
    new_url = None
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            calendar.calendar_feed_revoke(person=me)
            messages.success(request, "Feed revoked: the old address no longer works.")
        else:
            token = calendar.calendar_feed_regenerate(person=me)
            new_url = request.build_absolute_uri(reverse("calendar-feed", args=[token]))
    has_feed = hasattr(me, "calendar_feed") and me.calendar_feed is not None
    return render(
        request,
        "meetings/calendar_settings.html",
        {
            "new_url": new_url,
            "has_feed": has_feed or new_url is not None,
            "busy_feeds": [(f, feeds.mask_url(f.url)) for f in busy_feeds_for(person=me)],
        },
    )


@login_required
def team_load_view(request: HttpRequest) -> HttpResponse:
    """The team's meeting load and cost for one week, plus the last weeks' team totals."""
    if not (sees_everything(request.user) or _person_is_manager(request)):
        raise Http404("Team meeting load is for managers and sales ops.")
    try:
        week = monday_of(check_date(date.fromisoformat(request.GET.get("week", ""))))
    except (ValueError, ValidationError):
        week = monday_of(company_today())
    rows = team_load(user=request.user, week_start=week)
    if sees_everything(request.user):
        teams = []
    else:
        teams = list(visible_teams(user=request.user).order_by("name"))
    history = meeting_cost_by_team_week(
        team_ids=[t.pk for t in teams], week_start=week - timedelta(weeks=3), weeks=4
    )
    by_team: dict[int, dict[date, Any]] = {}
    for row in history:
        by_team.setdefault(row.team_id, {})[row.week_start] = row
    weeks = [week - timedelta(weeks=i) for i in (3, 2, 1, 0)]
    return render(
        request,
        "meetings/team_load.html",
        {
            "rows": rows,
            "week": week,
            "prev": week - timedelta(weeks=1),
            "next": week + timedelta(weeks=1),
            "limit": conf.load_limit_hours(),
            "overloaded": sum(1 for r in rows if r.overloaded),
            "total_cost": sum((r.cost for r in rows), start=Decimal("0.00")),
            "total_hours": sum((r.hours for r in rows), start=Decimal("0.00")),
            "weeks": weeks,
            "team_history": [(t, [by_team.get(t.pk, {}).get(w) for w in weeks]) for t in teams],
        },
    )


@login_required
def notifications_view(request: HttpRequest) -> HttpResponse:
    me = person_for_user(request.user)
    if request.method == "POST" and me is not None:
        n = items.notifications_mark_read(person=me)
        messages.success(request, f"Marked {n} notification{'s' if n != 1 else ''} read.")
        return redirect("meetings:notifications")
    page = Paginator(notifications_for_user(user=request.user), 30).get_page(
        request.GET.get("page")
    )
    return render(request, "meetings/notifications.html", {"page": page})

"""Booking links: the public page a prospect books on (no login), and the link pages of the org."""

from __future__ import annotations

import zoneinfo
from collections import defaultdict
from datetime import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from meetings.models import BookingLink
from meetings.services import booking
from salesops.exceptions import ApplicationError
from salesops.models import Person, Team
from salesops.selectors.scope import person_for_user, scope_for
from salesops.zones import canonical_zone, time_zone_names


def _client_address(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR", ""))


def _zone(request: HttpRequest) -> str:
    raw = request.POST.get("tz") or request.GET.get("tz") or ""
    return canonical_zone(raw) or booking.calendar.company_zone().key


def _days(
    slots: list[tuple[datetime, datetime]], zone: str
) -> list[tuple[str, list[dict[str, str]]]]:
    tz = zoneinfo.ZoneInfo(zone)
    days: dict[str, list[dict[str, str]]] = defaultdict(list)
    for start, end in slots:
        s, e = start.astimezone(tz), end.astimezone(tz)
        days[f"{s:%A %d %B %Y}"].append(
            {"value": start.isoformat(), "label": f"{s:%H:%M}–{e:%H:%M}"}
        )
    return list(days.items())


def _page(request: HttpRequest, link: BookingLink, **extra: object) -> HttpResponse:
    zone = _zone(request)
    context = {
        "link": link,
        "zone": zone,
        "zones": time_zone_names(),
        "days": _days(booking.link_slots(link=link), zone),
        "host": link.person.name if link.person else link.team.name if link.team else "",
        "questions": list(enumerate(link.questions)),
        **extra,
    }
    return render(request, "meetings/booking_page.html", context, status=extra.get("status", 200))  # type: ignore[arg-type]


@never_cache
@require_http_methods(["GET", "POST"])
def booking_page_view(request: HttpRequest, slug: str) -> HttpResponse:
    """Public: pick a slot (shown in the prospect's zone) and book. The answer never says
    whether the e-mail's domain matched an account (see meetings.services.booking)."""
    link = get_object_or_404(BookingLink, slug=slug, active=True)
    if request.method == "GET":
        return _page(request, link)
    try:
        booking.booking_rate_check(link=link, client=_client_address(request))
    except ApplicationError as exc:
        return _page(request, link, errors=[str(exc)], status=429)
    answers = {q: request.POST.get(f"q{i}", "") for i, q in enumerate(link.questions)}
    try:
        start = datetime.fromisoformat(request.POST.get("start", ""))
        if start.tzinfo is None:
            raise ValueError("naive")
        made = booking.booking_create(
            link=link,
            start=start,
            name=request.POST.get("name", ""),
            email=request.POST.get("email", ""),
            answers=answers,
        )
    except ValueError:
        return _page(request, link, errors=["Pick one of the times offered."], status=400)
    except ValidationError as exc:
        problems = [m for msgs in exc.message_dict.values() for m in msgs]
        return _page(request, link, errors=problems, status=400)
    except ApplicationError as exc:
        return _page(request, link, errors=[str(exc)], status=409)
    tz = zoneinfo.ZoneInfo(_zone(request))
    start_local = made.meeting.start.astimezone(tz)
    end_local = made.meeting.end.astimezone(tz)
    return render(
        request,
        "meetings/booking_done.html",
        {
            "link": link,
            "when": f"{start_local:%A %d %B %Y, %H:%M}–{end_local:%H:%M}",
            "zone": tz.key,
            "email": made.email,
        },
    )


def _may_manage(request: HttpRequest, link: BookingLink) -> bool:
    scope = scope_for(request.user)
    if scope.everything:
        return True
    me = person_for_user(request.user)
    if me is None:
        return False
    if link.person is not None:
        return link.person.pk == me.pk or link.person.team_id in scope.team_ids
    return link.team is not None and (
        link.team.pk in scope.team_ids or link.team.manager_id == me.pk
    )


@login_required
def booking_link_detail_view(request: HttpRequest, slug: str) -> HttpResponse:
    link = get_object_or_404(BookingLink.objects.select_related("person", "team"), slug=slug)
    if not _may_manage(request, link):
        raise Http404("No such booking link.")
    return render(
        request,
        "meetings/booking_link.html",
        {
            "link": link,
            "rule": booking.rule_text(link),
            "people": booking.team_members(link),
            "bookings": link.bookings.select_related("meeting", "routed_to")[:50],
            "public_url": request.build_absolute_uri(reverse("meetings:book", args=[link.slug])),
        },
    )


def _int(request: HttpRequest, name: str, default: int) -> int:
    try:
        return int(request.POST.get(name, default))
    except ValueError:
        return -1  # out of every bound: the model's check names the field


@login_required
@require_http_methods(["GET", "POST"])
def booking_link_create_view(request: HttpRequest) -> HttpResponse:
    """Sales ops and managers publish team links for teams they see; anyone a link for
    themselves."""
    scope = scope_for(request.user)
    me = person_for_user(request.user)
    teams = Team.objects.all() if scope.everything else Team.objects.filter(pk__in=scope.team_ids)
    errors: list[str] = []
    if request.method == "POST":
        team_id = request.POST.get("team", "")
        team = teams.filter(pk=team_id).first() if team_id else None
        person: Person | None = None if team else me
        if team_id and team is None:
            raise Http404("No such team.")
        try:
            link = booking.booking_link_create(
                created_by=request.user,
                title=request.POST.get("title", ""),
                person=person,
                team=team,
                duration_minutes=_int(request, "duration_minutes", 30),
                buffer_minutes=_int(request, "buffer_minutes", 0),
                min_notice_minutes=_int(request, "min_notice_minutes", 240),
                horizon_days=_int(request, "horizon_days", 14),
                questions=request.POST.get("questions", "").splitlines(),
            )
        except ValidationError as exc:
            errors = [f"{k}: {m}" for k, msgs in exc.message_dict.items() for m in msgs]
        else:
            return redirect("meetings:booking-link", slug=link.slug)
    return render(request, "meetings/booking_link_form.html", {"teams": teams, "errors": errors})


@login_required
def booking_links_view(request: HttpRequest) -> HttpResponse:
    """The links the user may manage (sales ops: all), with the account domains for sales ops."""
    scope = scope_for(request.user)
    links = BookingLink.objects.select_related("person", "team").order_by("title", "id")
    mine = [link for link in links if _may_manage(request, link)]
    return render(
        request,
        "meetings/booking_links.html",
        {
            "links": mine,
            "domains": booking.account_domains() if scope.everything else None,
        },
    )


@login_required
@require_POST
def account_domains_view(request: HttpRequest) -> HttpResponse:
    """Sales ops add or remove an account's e-mail domain (routing of team booking links)."""
    if not scope_for(request.user).everything:
        raise Http404("Only sales ops keep account domains.")
    if request.POST.get("remove"):
        booking.account_domain_remove(domain_id=_int(request, "remove", -1))
    else:
        try:
            booking.account_domain_add(
                domain=request.POST.get("domain", ""),
                account_name=request.POST.get("account", ""),
            )
        except ValidationError as exc:
            for field, msgs in exc.message_dict.items():
                for m in msgs:
                    messages.error(request, f"{field}: {m}")
    return redirect("meetings:booking-links")

from __future__ import annotations

import logging

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from salesops import calendar, choosers
from salesops.celery import app as celery_app
from salesops.models import Account, Deal, Person
from salesops.selectors.core import account_list, deal_list, person_list
from salesops.selectors.home import home_figures
from salesops.selectors.scope import person_for_user, scope_for

logger = logging.getLogger(__name__)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    today = calendar.company_today()
    figures = home_figures(user=request.user, today=today)
    return render(
        request,
        "salesops/home.html",
        {"figures": figures, "person": person_for_user(request.user)},
    )


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        logger.exception("healthz: database check failed")
        return False


def _broker_ok() -> bool:
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return True
    except Exception:
        logger.exception("healthz: broker check failed")
        return False


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    checks = {"database": _database_ok(), "broker": _broker_ok()}
    healthy = all(checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "checks": checks},
        status=200 if healthy else 503,
    )


# --- choosers (salesops.widgets): scoped JSON search, GET ?q= ----------------------------------


def _person_label(person: Person) -> str:
    team = f" · {person.team.name}" if person.team_id and person.team else ""
    return f"{person.name} ({person.get_role_display()}){team}"


@login_required
@require_GET
def choose_people(request: HttpRequest) -> JsonResponse:
    text = choosers.query_text(request)
    qs = person_list(user=request.user).filter(choosers.search_q(text, ["name"]))
    if request.GET.get("all") != "1":
        qs = qs.filter(active=True)
    return choosers.rows(qs.order_by("name"), _person_label)


@login_required
@require_GET
def choose_colleagues(request: HttpRequest) -> JsonResponse:
    """The org directory (active people, any team) for pickers whose form accepts anyone, such as
    meeting attendees: names, roles and teams only, for members of the org."""
    scope = scope_for(request.user)
    text = choosers.query_text(request)
    qs = Person.objects.filter(active=True).select_related("team")
    if not (scope.everything or scope.person_id is not None):
        qs = qs.none()
    return choosers.rows(
        qs.filter(choosers.search_q(text, ["name"])).order_by("name"), _person_label
    )


@login_required
@require_GET
def choose_accounts(request: HttpRequest) -> JsonResponse:
    text = choosers.query_text(request)
    qs = account_list(user=request.user).filter(choosers.search_q(text, ["name"]))
    return choosers.rows(qs.order_by("name"), lambda a: a.name)


def _deal_label(deal: Deal) -> str:
    account = deal.account.name if deal.account_id and deal.account else "no account"
    return f"{deal.external_id} · {account} · {deal.get_stage_display()}"


@login_required
@require_GET
def choose_deals(request: HttpRequest) -> JsonResponse:
    """By deal id, then by account name: two indexed searches, not one OR across the join
    (which PostgreSQL would answer by reading every deal)."""
    text = choosers.query_text(request)
    limit = choosers.CHOOSER_LIMIT
    deals = deal_list(user=request.user).prefetch_related(None).select_related("account")
    by_id = list(
        deals.filter(choosers.search_q(text, ["external_id"])).order_by("external_id")[: limit + 1]
    )
    found = by_id[:limit]
    if text and len(found) < limit:
        accounts = Account.objects.filter(choosers.search_q(text, ["name"])).values("pk")[:50]
        seen = {d.pk for d in found}
        by_account = deals.filter(account_id__in=accounts).order_by("external_id")[: limit + 1]
        found += [d for d in by_account if d.pk not in seen][: limit - len(found)]
    return choosers.respond(found, _deal_label, more=len(by_id) > limit or len(found) >= limit)

"""Pages: the manager dashboard, the rep workspace and the sales-ops page. Thin: parse the GET/POST,
call selectors, render."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    StreamingHttpResponse,
)
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.dateparse import parse_date
from django.utils.html import format_html_join
from django.views.decorators.http import require_POST

from dashboard import charts, ops, panels, selectors
from dashboard.figures import win_rate
from dashboard.forms import PeriodForm
from dashboard.people import people_rows
from dashboard.periods import PERIOD_CHOICES, company_today
from dashboard.pursuit import pursuit_panel
from dashboard.scopes import (
    can_use_dashboard,
    dashboard_scope_get,
    dashboard_scope_options,
    personal_scope,
    scope_roots,
)
from dashboard.services import action_item_tick_off, delivery_retry_now, job_run_rerun
from dashboard.snapshots import DEFAULT_SORT, PEOPLE_SORTS, figures_as_of
from salesops.csvsafe import csv_writer
from salesops.formulas import format_ratio
from salesops.models import JobStatus, Role
from salesops.selectors.scope import person_for_user, sees_everything

# The people table is paged (?page=, server side, in the chosen order); the CSV has everyone.
PEOPLE_SHOWN = 50
MAX_PAGE = 10_000


# The people table's server-side orders (dashboard.snapshots.PEOPLE_SORTS), as offered.
SORT_LABELS = (
    ("revenue", "Revenue"),
    ("cost", "Cost"),
    ("ratio", "Ratio"),
    ("attainment", "Attainment"),
)


def _query_string(request: HttpRequest) -> str:
    keep = {k: v for k, v in request.GET.items() if k in ("period", "start", "end", "team") and v}
    return urlencode(keep)


def _sort(request: HttpRequest) -> str:
    """?sort= from the whitelist; anything else is the default order."""
    value = request.GET.get("sort", "")
    return value if value in PEOPLE_SORTS else DEFAULT_SORT


def _page(request: HttpRequest) -> int:
    """?page= (1-based), anything unreadable is the first page."""
    try:
        return min(max(int(request.GET.get("page", "1")), 1), MAX_PAGE)
    except ValueError:
        return 1


def _people_page(
    *, request: HttpRequest, scope: Any, period: Any, scope_cost: Any, as_of: Any, sort: str
) -> Any:
    """One page of the people table in the whitelisted order; a page past the end shows the
    first. Attainment (compensation's figures) orders every row of the scope, then pages."""
    page = _page(request)
    for offset in dict.fromkeys(((page - 1) * PEOPLE_SHOWN, 0)):
        if sort == "attainment":
            people = _by_attainment(
                request, scope, period, as_of, scope_cost=scope_cost, offset=offset
            )
        else:
            people = selectors.dashboard_people(
                scope=scope,
                period=period,
                scope_cost=scope_cost,
                limit=PEOPLE_SHOWN,
                offset=offset,
                as_of=as_of,
                sort=sort,
            )
        if people.rows:
            break
    return people


def _pages(people: Any) -> dict[str, Any]:
    """Previous / next page numbers of the people table (None at either end)."""
    current = people.offset // PEOPLE_SHOWN + 1
    count = max((people.total_people + PEOPLE_SHOWN - 1) // PEOPLE_SHOWN, 1)
    return {
        "page": current,
        "page_count": count,
        "prev_page": current - 1 if current > 1 else None,
        "next_page": current + 1 if current < count else None,
    }


def _scope_select(options: list[Any], selected: str) -> str:
    """The scope picker's <option>s: the whole-scope choice ("Whole company" or "All my teams")
    and the picked team. The rest are searched as the user types (the select is a team chooser,
    salesops.choosers_teams: a large org has hundreds of teams, too many for one <select>)."""
    shown = [o for o in options if o.team_id is None or o.value == selected]
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        ((o.value, " selected" if o.value == selected else "", o.label) for o in shown),
    )


def _monthly_context(series: selectors.MonthlySeries) -> dict[str, Any]:
    return {
        "monthly": series,
        "monthly_rows": charts.monthly_rows(series),
        "monthly_chart": charts.monthly_chart(series),
    }


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    # A rep has no team dashboard: their figures live in their own workspace.
    if not can_use_dashboard(user=request.user):
        return redirect("dashboard:me")
    today = company_today()
    form = PeriodForm(request.GET or None)
    period = form.period_for(today)
    options = dashboard_scope_options(user=request.user)
    scope = dashboard_scope_get(
        user=request.user, value=request.GET.get("team", ""), options=options
    )
    as_of = figures_as_of()
    roots = scope_roots(scope, options)
    tiles = selectors.dashboard_tiles(scope=scope, period=period, as_of=as_of, roots=roots)
    sort = _sort(request)
    people = _people_page(
        request=request, scope=scope, period=period, scope_cost=tiles.cost, as_of=as_of, sort=sort
    )
    context: dict[str, Any] = {
        "form": form,
        "period": period,
        "period_choices": PERIOD_CHOICES,
        "scope": scope,
        "scope_options": options,
        "scope_select": _scope_select(options, scope.key),
        "tiles": tiles,
        "funnel": tiles.funnel,
        "people": people,
        "stuck": selectors.dashboard_stuck_deals(
            scope=scope, as_of=as_of, tiles=tiles, roots=roots
        ),
        "query": _query_string(request),
        "currency": settings.BASE_CURRENCY,
        "sees_everything": sees_everything(request.user),
        "as_of": as_of,
        "sort": sort,
        "sorts": SORT_LABELS,
        "pursuit": pursuit_panel(
            user=request.user, period=period, as_of=as_of, options=options, read=tiles.deal_rows
        ),
        **_pages(people),
    }
    context["funnel_chart"] = charts.funnel_chart(context["funnel"])
    context.update(
        panels.team_panels(
            user=request.user,
            scope=scope,
            options=options,
            period=period,
            people=people,
            today=today,
            as_of=as_of,
        )
    )
    if not (context["trend"] and context["trend"]["days"]):
        # No snapshots to plot yet: show the months from the core data instead.
        series = selectors.dashboard_monthly(scope=scope, end=period.end, as_of=as_of, roots=roots)
        context.update(_monthly_context(series))
    return render(request, "dashboard/dashboard.html", context)


CSV_HEADER = (
    "person",
    "team",
    "role",
    "revenue",
    "cost",
    "efficiency_ratio",
    "won",
    "lost",
    "win_rate_percent",
    "open_pipeline",
    "open_deals",
)


class _Echo:
    """A file whose write hands the line back, for a streamed csv writer."""

    def write(self, value: str) -> str:
        return value


def _csv_cells(row: tuple[Any, ...], roles: dict[str, str]) -> list[Any]:
    _pid, name, role, _active, team, revenue, cost, ratio, won, (lost, open_n, pipeline) = row[:10]
    rate = win_rate(won, lost)
    return [
        name,
        team,
        roles.get(role, role),
        f"{revenue:.2f}",
        f"{cost:.2f}",
        "" if ratio is None else format_ratio(ratio).replace(",", ""),
        won,
        lost,
        "" if rate is None else rate,
        f"{pipeline:.2f}",
        open_n,
    ]


def _csv_lines(rows: Iterable[tuple[Any, ...]]) -> Iterator[str]:
    writer = csv_writer(_Echo())
    roles = dict(Role.choices)
    yield writer.writerow(CSV_HEADER)
    for row in rows:
        yield writer.writerow(_csv_cells(row, roles))


def _by_attainment(
    request: HttpRequest,
    scope: Any,
    period: Any,
    as_of: Any,
    *,
    scope_cost: Any = None,
    limit: int | None = PEOPLE_SHOWN,
    offset: int = 0,
) -> Any:
    """The people table of the whole scope ordered by attainment (compensation's figures), then
    `limit` rows from `offset`."""
    table = selectors.dashboard_people(
        scope=scope, period=period, scope_cost=scope_cost, as_of=as_of, sort="attainment"
    )
    return panels.people_by_attainment(
        user=request.user,
        people=table,
        period=period,
        today=company_today(),
        limit=limit,
        offset=offset,
        as_of=as_of,
    )


@login_required
def people_csv(request: HttpRequest) -> HttpResponseBase:
    """Everyone of the scope, streamed from the snapshot rows (tuples, formatted as they go)."""
    if not can_use_dashboard(user=request.user):
        return redirect("dashboard:me")
    form = PeriodForm(request.GET or None)
    period = form.period_for(company_today())
    options = dashboard_scope_options(user=request.user)
    scope = dashboard_scope_get(
        user=request.user, value=request.GET.get("team", ""), options=options
    )
    sort = _sort(request)
    as_of = figures_as_of()
    rows = people_rows(scope=scope, period=period, as_of=as_of, sort=sort)
    if sort == "attainment":
        position = {
            row.person_id: i
            for i, row in enumerate(_by_attainment(request, scope, period, as_of, limit=None).rows)
        }
        rows.sort(key=lambda row: position.get(row[0], len(position)))
    filename = f"people-{scope.key}-{period.start:%Y%m%d}-{period.end:%Y%m%d}.csv"
    response = StreamingHttpResponse(_csv_lines(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def me(request: HttpRequest) -> HttpResponse:
    person = person_for_user(request.user)
    today = company_today()
    form = PeriodForm(request.GET or None)
    period = form.period_for(today)
    context: dict[str, Any] = {
        "form": form,
        "period": period,
        "period_choices": PERIOD_CHOICES,
        "person": person,
        "query": _query_string(request),
        "currency": settings.BASE_CURRENCY,
        "today": today,
    }
    if person is not None:
        scope = personal_scope(person=person)
        as_of = figures_as_of()
        context.update(
            as_of=as_of,
            tiles=selectors.dashboard_tiles(scope=scope, period=period, as_of=as_of),
            deals=selectors.my_open_deals(scope=scope),
            follow_ups=selectors.my_follow_ups(scope=scope, today=today),
            follow_up_days=settings.FOLLOW_UP_DAYS_AFTER_WON,
        )
        series = selectors.dashboard_monthly(scope=scope, end=period.end, as_of=as_of)
        context.update(_monthly_context(series))
        context.update(
            panels.personal_panels(
                user=request.user, person=person, period=period, today=today, as_of=as_of
            )
        )
    return render(request, "dashboard/me.html", context)


@login_required
def ops_page(request: HttpRequest) -> HttpResponse:
    job = request.GET.get("job", "")
    status = request.GET.get("status", "")
    if status not in JobStatus.values:
        status = ""
    context = {
        "summaries": ops.job_summaries(user=request.user),
        "runs": ops.job_runs_recent(user=request.user, job=job, status=status),
        "attention": ops.jobs_needing_attention(user=request.user),
        "deliveries": ops.deliveries_failed(user=request.user),
        "imports": ops.import_runs_recent(user=request.user),
        "next_run": ops.nightly_next_run(user=request.user),
        "job_filter": job,
        "status_filter": status,
        "statuses": JobStatus.choices,
    }
    return render(request, "dashboard/ops.html", context)


@login_required
@require_POST
def ops_rerun(request: HttpRequest) -> HttpResponse:
    ops.require_ops(request.user)
    job = request.POST.get("job", "")
    partition = request.POST.get("partition", "")
    business_date = parse_date(request.POST.get("business_date", "") or "")
    if not job or business_date is None:
        return HttpResponseBadRequest("job and business_date are required")
    if job_run_rerun(user=request.user, job=job, business_date=business_date, partition=partition):
        messages.success(request, f"{job} for {business_date} will run again.")
    else:
        messages.warning(
            request, f"{job} for {business_date} is running or unknown: nothing to re-run."
        )
    return redirect(reverse("dashboard:ops") + "#jobs")


@login_required
@require_POST
def ops_delivery_retry(request: HttpRequest, delivery_id: int) -> HttpResponse:
    if delivery_retry_now(user=request.user, delivery_id=delivery_id):
        messages.success(request, "The message is due again; the next dispatch sends it.")
    else:
        messages.warning(request, "That message is not failed: nothing to retry.")
    return redirect(reverse("dashboard:ops") + "#deliveries")


@login_required
def ops_import(request: HttpRequest, import_id: int) -> HttpResponse:
    run = ops.import_run_get(user=request.user, import_id=import_id)
    context = {
        "run": run,
        "report_json": json.dumps(run.report, indent=2, sort_keys=True, default=str),
        "files_json": json.dumps(run.files, indent=2, sort_keys=True, default=str),
    }
    return render(request, "dashboard/import_detail.html", context)


@login_required
@require_POST
def action_item_done(request: HttpRequest, item_id: int) -> HttpResponse:
    action_item_tick_off(user=request.user, item_id=item_id)
    messages.success(request, "Action item done.")
    return redirect(reverse("dashboard:me") + "#ai-title")

"""Pages: the rep's "My quota & pay", the manager's team table, statements, the plan list
(the editor is compensation.plan_views; pay operations compensation.ops_views).

Thin: parse, call one selector or service, render. Every page runs a fixed number of queries.
Pay views are marked sensitive so amounts never reach error reports.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_POST

from compensation import selectors, team_page
from compensation.filters import StatementFilter
from compensation.forms import DisputeForm, ResolveForm
from compensation.models import StatementStatus
from compensation.selectors import pay
from compensation.services import disputes as dispute_services
from compensation.services import jobs as statement_jobs
from compensation.services import statements as statement_services
from compensation.statement_listing import STATEMENTS
from salesops import calendar
from salesops.exceptions import ApplicationError
from salesops.models import JobRun, JobStatus
from salesops.progress import progress_context, progress_response
from salesops.selectors.scope import person_for_user, scope_for, sees_everything


def _error_text(exc: ValidationError | ApplicationError) -> str:
    if isinstance(exc, ApplicationError):
        return exc.message
    return "; ".join(exc.messages)


@login_required
@sensitive_variables()
def my_pay(request: HttpRequest) -> HttpResponse:
    """The rep's own quota, attainment, pace, latest statement and a what-if."""
    person = person_for_user(request.user)
    if person is None:
        return redirect("compensation:team")
    today = calendar.company_today()
    periods = [calendar.period_containing(today, kind) for kind in calendar.KINDS]
    attainment = []
    for period in periods:
        row = selectors.attainment_for_people(
            user=request.user,
            person_ids=[person.pk],
            start=period.start,
            end=period.end,
            today=today,
        ).get(person.pk)
        attainment.append((period, row))
    statement_id = pay.latest_statement_id(user=request.user, person_id=person.pk)
    statement = (
        pay.statement_get(user=request.user, statement_id=statement_id) if statement_id else None
    )
    in_force = pay.plan_in_force(user=request.user, person_id=person.pk, on=today)
    month = periods[0]
    whatif = None
    if in_force is not None:
        assignment, version = in_force
        month_row = attainment[0][1]
        whatif = {
            "plan": version.definition,
            "quota": None if month_row is None or month_row.quota is None else str(month_row.quota),
            "target_incentive": None
            if assignment.target_incentive is None
            else str(assignment.target_incentive),
            "deals": pay.whatif_deals(
                user=request.user, person_id=person.pk, start=month.start, end=month.end
            ),
            "period_start": str(month.start),
            "period_end": str(month.end),
        }
    return render(
        request,
        "compensation/my_pay.html",
        {
            "person": person,
            "attainment": attainment,
            "statement": statement,
            "in_force": in_force,
            "whatif": whatif,
            "dispute_form": DisputeForm(),
            "is_manager": bool(scope_for(request.user).team_ids),
        },
    )


@login_required
def team(request: HttpRequest) -> HttpResponse:
    """Team attainment: searchable, sortable, downloadable (compensation.team_page)."""
    return team_page.team(request)


@login_required
def statement_list(request: HttpRequest) -> HttpResponse:
    qs = pay.statement_list(user=request.user).order_by("-period_start", "person__name")
    filterset = StatementFilter(request.GET, queryset=qs)
    if STATEMENTS.wants_csv(request):
        return STATEMENTS.csv(request, filterset.qs, "statements.csv")
    listing = STATEMENTS.page(request, filterset.qs)
    page = listing.page
    disputes = pay.dispute_list(user=request.user).filter(status="open")[:20]
    return render(
        request,
        "compensation/statements.html",
        {
            "filter": filterset,
            "page": page,
            "listing": listing,
            "open_disputes": disputes,
            "sees_everything": sees_everything(request.user),
            "current_month": calendar.period_containing(calendar.company_today()),
        },
    )


@login_required
@sensitive_variables()
def statement_detail(request: HttpRequest, statement_id: int) -> HttpResponse:
    statement = pay.statement_get(user=request.user, statement_id=statement_id)
    person = person_for_user(request.user)
    disputes = list(statement.disputes.all())
    can_resolve = [
        d for d in disputes if dispute_services.can_resolve(user=request.user, dispute=d)
    ]
    return render(
        request,
        "compensation/statement_detail.html",
        {
            "statement": statement,
            "lines": statement.lines.all(),
            "disputes": disputes,
            "resolvable": {d.pk for d in can_resolve},
            "is_owner": person is not None and person.pk == statement.person_id,
            "sees_everything": sees_everything(request.user),
            "dispute_form": DisputeForm(),
            "resolve_form": ResolveForm(),
        },
    )


@login_required
@require_POST
@sensitive_post_parameters()
def line_dispute(request: HttpRequest, line_id: int) -> HttpResponse:
    line = pay.statement_line_get(user=request.user, line_id=line_id)
    form = DisputeForm(request.POST)
    target = reverse("compensation:statement", args=[line.statement_id])
    if not form.is_valid():
        messages.error(request, "Say what is wrong with the line.")
        return HttpResponseRedirect(target)
    try:
        dispute_services.dispute_open(
            user=request.user, line=line, comment=form.cleaned_data["comment"]
        )
        messages.success(request, "Dispute sent to your manager and sales ops.")
    except (ValidationError, ApplicationError) as exc:
        messages.error(request, _error_text(exc))
    return HttpResponseRedirect(target)


@login_required
@require_POST
@sensitive_post_parameters()
def dispute_resolve(request: HttpRequest, dispute_id: int) -> HttpResponse:
    dispute = pay.dispute_get(user=request.user, dispute_id=dispute_id)
    form = ResolveForm(request.POST)
    target = reverse("compensation:statement", args=[dispute.statement_id])
    if not form.is_valid():
        if "adjustment" in form.errors:
            messages.error(request, f"Correction: {' '.join(map(str, form.errors['adjustment']))}")
        else:
            messages.error(request, "Choose a decision and explain it.")
        return HttpResponseRedirect(target)
    try:
        dispute_services.dispute_resolve(user=request.user, dispute=dispute, **form.cleaned_data)
        messages.success(request, "Dispute resolved.")
    except (ValidationError, ApplicationError) as exc:
        messages.error(request, _error_text(exc))
    return HttpResponseRedirect(target)


@login_required
@require_POST
def statement_action(request: HttpRequest, statement_id: int, action: str) -> HttpResponse:
    if not sees_everything(request.user):
        raise Http404
    statement = pay.statement_get(user=request.user, statement_id=statement_id)
    target = reverse("compensation:statement", args=[statement.pk])
    try:
        if action == "approve":
            statement_services.statement_approve(user=request.user, statement=statement)
        elif action == "pay":
            statement_services.statement_mark_paid(user=request.user, statement=statement)
        elif action == "regenerate" and statement.status == StatementStatus.DRAFT:
            statement_services.statements_generate(
                period=calendar.period_containing(statement.period_start),
                person_ids=[statement.person_id],
                user=request.user,
            )
        else:
            raise Http404
        messages.success(request, "Done.")
    except (ValidationError, ApplicationError) as exc:
        messages.error(request, _error_text(exc))
    return HttpResponseRedirect(target)


@login_required
@require_POST
def statements_generate(request: HttpRequest) -> HttpResponse:
    """Queue the month's drafts for a worker and follow its progress on the run's page."""
    if not sees_everything(request.user):
        raise Http404
    try:
        period = calendar.parse(request.POST.get("period", ""))
    except (ValueError, ValidationError) as exc:
        messages.error(request, str(exc))
        return redirect("compensation:statements")
    run = statement_jobs.statements_generate_request(period=period, user=request.user)
    return redirect("compensation:statements-generate-run", run_id=run.pk)


def _generate_run_get(request: HttpRequest, run_id: int) -> JobRun:
    if not sees_everything(request.user):
        raise Http404
    run = JobRun.objects.filter(pk=run_id, job=statement_jobs.GENERATE_JOB).first()
    if run is None:
        raise Http404("No such statement generation.")
    return run


def _generate_label(run: JobRun) -> str:
    return f"Statements of {run.partition}"


@login_required
def generate_run(request: HttpRequest, run_id: int) -> HttpResponse:
    """A generation of drafts: its progress while queued or running, then its outcome."""
    run = _generate_run_get(request, run_id)
    queued = statement_jobs.statements_generate_queued(run)
    context: dict[str, object] = {
        "run": run,
        "pending": queued or run.status == JobStatus.RUNNING,
    }
    context.update(
        progress_context(
            run=None if queued else run,
            url=reverse("compensation:statements-generate-progress", args=[run.pk]),
            label=_generate_label(run),
        )
    )
    return render(request, "compensation/statements_generate.html", context)


@login_required
def generate_progress(request: HttpRequest, run_id: int) -> HttpResponse:
    run = _generate_run_get(request, run_id)
    queued = statement_jobs.statements_generate_queued(run)
    return progress_response(
        request,
        run=None if queued else run,
        label=_generate_label(run),
        finished=not queued and run.status != JobStatus.RUNNING,
    )


@login_required
def plan_list(request: HttpRequest) -> HttpResponse:
    if not sees_everything(request.user):
        raise Http404
    return render(request, "compensation/plans.html", {"plans": pay.plan_list(user=request.user)})

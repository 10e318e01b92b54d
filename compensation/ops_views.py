"""Pay operations pages for sales ops (issue 19, item 5): search people, assign plans (one person
or a whole team), set quotas, upload quotas and assignments from CSV (dry run first, row-level
errors), approve statements in bulk with a summary, and see who has not acknowledged their plan.

Thin: parse with a form, call one service or selector, render. Anyone but sales ops and admins
gets 404, as on the other pay pages outside their scope.
"""

from __future__ import annotations

import base64
import io
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_POST

from compensation.forms import (
    AssignPlanForm,
    BulkApproveForm,
    PayImportForm,
    PersonSearchForm,
    QuotaForm,
)
from compensation.selectors import pay
from compensation.selectors.acknowledgements import acknowledgement_status
from compensation.services import bulk
from compensation.services.plans import plan_assign
from compensation.services.quota_import import pay_csv_import, template_csv
from compensation.services.quotas import Assignee, quota_set
from salesops import calendar
from salesops.csvsafe import csv_writer
from salesops.exceptions import ApplicationError
from salesops.selectors.scope import scope_for, sees_everything, visible_people

SIGNING_SALT = "compensation.pay-import"
# A checked file travels back to the "apply" button signed (no server-side state); bigger files
# are uploaded again.
MAX_CARRIED_BYTES = 1024 * 1024


def _sales_ops_only(request: HttpRequest) -> None:
    if not sees_everything(request.user):
        raise Http404


def _errors_to_form(form: Any, exc: ValidationError | ApplicationError) -> None:
    if isinstance(exc, ApplicationError):
        form.add_error(None, exc.message)
        return
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
        return
    form.add_error(None, exc.messages)


@login_required
def pay_ops(request: HttpRequest) -> HttpResponse:
    """Search people; pick one to set their quota or plan; or assign a whole team."""
    _sales_ops_only(request)
    search = PersonSearchForm(request.GET or None)
    people = visible_people(user=request.user).filter(active=True).select_related("team")
    if search.is_valid():
        if search.cleaned_data["q"]:
            q = search.cleaned_data["q"]
            people = people.filter(Q(name__icontains=q) | Q(email__icontains=q))
        if search.cleaned_data["team"]:
            people = people.filter(team=search.cleaned_data["team"])
    page = Paginator(people.order_by("name"), 25).get_page(request.GET.get("page"))
    today = calendar.company_today()
    chosen = None
    if request.GET.get("person", "").isdigit():
        chosen = visible_people(user=request.user).filter(pk=int(request.GET["person"])).first()
    initial = {"person": chosen.pk if chosen else None}
    return render(
        request,
        "compensation/pay_ops.html",
        {
            "search": search,
            "page": page,
            "rows": _rows(request, page),
            "chosen": chosen,
            "assign_form": AssignPlanForm(
                initial={**initial, "start": calendar.period_containing(today).start}
            ),
            "quota_form": QuotaForm(
                initial={**initial, "period": calendar.period_containing(today).key}
            ),
        },
    )


def _rows(request: HttpRequest, page: Any) -> list[tuple[Any, str | None]]:
    """The page's people with the plan each is on today (one query)."""
    today = calendar.company_today()
    plans_today = dict(
        pay.assignment_list(user=request.user)
        .filter(person_id__in=[p.pk for p in page], start__lte=today)
        .filter(Q(end__isnull=True) | Q(end__gte=today))
        .values_list("person_id", "plan__name")
    )
    return [(p, plans_today.get(p.pk)) for p in page]


def _ops_page(request: HttpRequest, **forms: Any) -> HttpResponse:
    """Render the pay-ops page again with a bound form and its field errors."""
    chosen = None
    bound = forms.get("quota_form") or forms["assign_form"]
    person = bound.data.get("person", "")
    if str(person).isdigit():
        chosen = visible_people(user=request.user).filter(pk=int(person)).first()
    today = calendar.company_today()
    page = Paginator(
        visible_people(user=request.user)
        .filter(active=True)
        .select_related("team")
        .order_by("name"),
        25,
    ).get_page(1)
    context = {
        "search": PersonSearchForm(),
        "page": page,
        "rows": _rows(request, page),
        "chosen": chosen,
        "assign_form": AssignPlanForm(
            initial={"person": person, "start": calendar.period_containing(today).start}
        ),
        "quota_form": QuotaForm(
            initial={"person": person, "period": calendar.period_containing(today).key}
        ),
    }
    context.update(forms)
    return render(request, "compensation/pay_ops.html", context, status=400)


def _back(chosen_id: Any) -> HttpResponse:
    response = redirect("compensation:pay-ops")
    if chosen_id:
        response["Location"] += f"?person={int(chosen_id)}"
    return response


@login_required
@require_POST
@sensitive_post_parameters()
def plan_assign_page(request: HttpRequest) -> HttpResponse:
    _sales_ops_only(request)
    form = AssignPlanForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        common = {
            "user": request.user,
            "plan": data["plan"],
            "start": data["start"],
            "end": data["end"],
            "target_incentive": data["target_incentive"],
        }
        try:
            if data["team"] is not None:
                report = bulk.plan_assign_team(team=data["team"], **common)
                for issue in report.skipped:
                    messages.warning(request, f"{issue.label}: {issue.reason}")
                messages.success(
                    request,
                    f"{data['plan']}: {len(report.assigned)} of {data['team']} assigned, "
                    f"{len(report.skipped)} skipped.",
                )
                return _back(None)
            plan_assign(person=data["person"], **common)
            messages.success(
                request, f"{data['person']} is on {data['plan']} from {data['start']}."
            )
            return _back(data["person"].pk)
        except (ValidationError, ApplicationError) as exc:
            _errors_to_form(form, exc)
    return _ops_page(request, assign_form=form)


@login_required
@require_POST
@sensitive_post_parameters()
def quota_set_page(request: HttpRequest) -> HttpResponse:
    _sales_ops_only(request)
    form = QuotaForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            rows = quota_set(
                user=request.user,
                assignee=Assignee(person=data["person"]),
                metric=data["metric"],
                period=data["period"],
                amount=data["amount"],
            )
            messages.success(
                request,
                f"Quota set for {data['person']}: {data['period'].key}, {len(rows)} month(s).",
            )
            return _back(data["person"].pk)
        except (ValidationError, ApplicationError) as exc:
            _errors_to_form(form, exc)
    return _ops_page(request, quota_form=form)


def _carry(data: bytes, kind: str) -> str:
    if len(data) > MAX_CARRIED_BYTES:
        return ""
    return signing.dumps(
        {"kind": kind, "data": base64.b64encode(data).decode()}, salt=SIGNING_SALT, compress=True
    )


def _uncarry(token: str, kind: str) -> bytes | None:
    try:
        payload = signing.loads(token, salt=SIGNING_SALT, max_age=3600)
    except signing.BadSignature:
        return None
    if payload.get("kind") != kind:
        return None
    return base64.b64decode(payload["data"])


@login_required
@sensitive_variables()
def pay_import(request: HttpRequest) -> HttpResponse:
    """CSV upload of quotas or assignments: a dry run reports every row; a clean dry run offers
    "Apply" with the same file; applying is all or nothing."""
    _sales_ops_only(request)
    if request.GET.get("template") in ("quotas", "assignments"):
        response = HttpResponse(template_csv(request.GET["template"]), content_type="text/csv")
        response["Content-Disposition"] = f'attachment; filename="{request.GET["template"]}.csv"'
        return response
    form = PayImportForm(request.POST or None, request.FILES or None)
    report, carry = None, ""
    if request.method == "POST" and form.is_valid():
        kind = form.cleaned_data["kind"]
        upload = form.cleaned_data["file"]
        data = upload.read() if upload is not None else _uncarry(form.cleaned_data["content"], kind)
        if data is None:
            form.add_error("file", "The checked file expired: upload it again.")
        else:
            dry_run = form.cleaned_data["dry_run"]
            report = pay_csv_import(user=request.user, kind=kind, data=data, dry_run=dry_run)
            if report.applied:
                messages.success(request, f"{len(report.rows)} {kind} rows applied.")
            elif dry_run and not report.errors and not report.file_error:
                carry = _carry(data, kind)
    return render(
        request,
        "compensation/pay_import.html",
        {"form": form, "report": report, "carry": carry},
        status=400 if report is not None and (report.errors or report.file_error) else 200,
    )


@login_required
@require_POST
def pay_import_errors_csv(request: HttpRequest) -> HttpResponse:
    """The row-level error report of an upload as CSV (spreadsheet-safe via csvsafe)."""
    _sales_ops_only(request)
    form = PayImportForm(request.POST, request.FILES)
    if not form.is_valid() or form.cleaned_data["file"] is None:
        raise Http404
    report = pay_csv_import(
        user=request.user,
        kind=form.cleaned_data["kind"],
        data=form.cleaned_data["file"].read(),
        dry_run=True,
    )
    out = io.StringIO()
    writer = csv_writer(out)
    writer.writerow(["line", "person", "column", "error"])
    for row in report.errors:
        writer.writerow([row.line, row.person, row.column, row.message])
    response = HttpResponse(out.getvalue(), content_type="text/csv")
    response["Content-Disposition"] = 'attachment; filename="import-errors.csv"'
    return response


@login_required
@sensitive_variables()
def bulk_approve(request: HttpRequest) -> HttpResponse:
    """POST a selection (or a month): a summary first (count, total payable, exceptions); POST
    again with confirm=1 to approve through the statement services."""
    _sales_ops_only(request)
    if request.method != "POST":
        return redirect("compensation:statements")
    form = BulkApproveForm(request.POST)
    if not form.is_valid():
        for error in [*form.non_field_errors(), *form.errors.get("period", [])]:
            messages.error(request, str(error))
        return redirect("compensation:statements")
    ids = list(form.cleaned_data["statements"])
    period = form.cleaned_data["period"]
    if period is not None:
        ids += bulk.draft_ids_of_month(user=request.user, period=period)
    done = request.POST.get("confirm") == "1"
    if done:
        summary = bulk.statements_bulk_approve(user=request.user, statement_ids=ids)
    else:
        summary = bulk.statements_bulk_preview(user=request.user, statement_ids=ids)
    return render(
        request,
        "compensation/bulk_approve.html",
        {"summary": summary, "ids": sorted(set(ids)), "done": done, "period": period},
    )


@login_required
def acknowledgements(request: HttpRequest) -> HttpResponse:
    """Who has (not) acknowledged the plan version in force today: sales ops sees everyone, a
    manager their teams; a rep is sent to their own page."""
    scope = scope_for(request.user)
    if not scope.everything and not scope.team_ids:
        raise Http404
    only_missing = request.GET.get("missing") == "1"
    rows = acknowledgement_status(
        user=request.user, on=calendar.company_today(), only_missing=only_missing
    )
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "compensation/acknowledgements.html",
        {
            "page": page,
            "only_missing": only_missing,
            "missing_count": sum(1 for r in rows if r.acknowledged_at is None),
        },
    )

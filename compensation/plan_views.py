"""The plan editor for sales ops (issue 19 item 4): a form with a tier table per component (each
tier retroactive or marginal), caps, SPIFs, draws and measurement periods, the live simulator
beside it (the same forms POSTed to `plan_simulate`, which runs the simulator service), and the
JSON as a read-only "advanced" view. Saves and approves through the plan services."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_POST

from compensation.models import PlanVersionStatus
from compensation.plan_forms import PlanEditor, plan_editor
from compensation.selectors import pay
from compensation.services import plans as plan_services
from compensation.services.simulate import simulate
from salesops import calendar
from salesops.exceptions import ApplicationError
from salesops.selectors.scope import sees_everything

# A new plan starts as the most common AE shape: retroactive below quota, marginal above.
NEW_PLAN: dict[str, Any] = {
    "version": 2,
    "components": [
        {
            "name": "New business",
            "measure": "revenue",
            "period": "month",
            "tier_basis": "attainment",
            "tiers": [
                {"from": "0", "to": "50", "rate": "5", "method": "retroactive"},
                {"from": "50", "to": "100", "rate": "10", "method": "retroactive"},
                {"from": "100", "to": None, "rate": "20", "method": "marginal"},
            ],
        }
    ],
    "cap": {"kind": "percent_of_target", "value": "250"},
    "clawback_days": 90,
}


def _sales_ops_only(request: HttpRequest) -> None:
    if not sees_everything(request.user):
        raise Http404


def _put_error(editor: PlanEditor, exc: ValidationError | ApplicationError) -> None:
    terms = editor.terms
    if isinstance(exc, ApplicationError):
        terms.add_error(None, exc.message)
    elif hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            terms.add_error(name if name in terms.fields else None, errors)
    else:
        terms.add_error(None, exc.messages)
    editor.error_count += 1


def _page(request: HttpRequest, editor: PlanEditor, **context: Any) -> HttpResponse:
    return render(
        request,
        "compensation/plan_form.html",
        {"editor": editor, **context},
        status=400 if editor.error_count else 200,
    )


@login_required
@sensitive_post_parameters()
def plan_new(request: HttpRequest) -> HttpResponse:
    _sales_ops_only(request)
    start = calendar.period_containing(calendar.company_today()).start
    editor = plan_editor(
        data=request.POST if request.method == "POST" else None,
        definition=NEW_PLAN,
        initial={"effective_from": start},
        new=True,
    )
    if request.method == "POST" and editor.is_valid():
        terms = editor.terms.cleaned_data
        try:
            version = plan_services.plan_create(
                user=request.user,
                name=terms["name"],
                description=terms["description"],
                definition=editor.definition,
                effective_from=terms["effective_from"],
            )
            messages.success(request, f"Plan {version.plan.name} created as a draft.")
            return redirect("compensation:plan", plan_id=version.plan_id)
        except (ValidationError, ApplicationError) as exc:
            _put_error(editor, exc)
    return _page(request, editor, plan=None, saved_json=None)


@login_required
@sensitive_post_parameters()
def plan_edit(request: HttpRequest, plan_id: int) -> HttpResponse:
    """Edit the plan's draft version (or start one from the latest version); "Save and
    approve" saves, then makes the version immutable."""
    _sales_ops_only(request)
    plan = pay.plan_get(user=request.user, plan_id=plan_id)
    versions = list(plan.versions.all())
    draft = next((v for v in versions if v.status == PlanVersionStatus.DRAFT), None)
    base = draft or (versions[0] if versions else None)
    editor = plan_editor(
        data=request.POST if request.method == "POST" else None,
        definition=base.definition if base else NEW_PLAN,
        initial={
            "effective_from": draft.effective_from if draft else None,
            "notes": draft.notes if draft else "",
        },
        new=False,
    )
    if request.method == "POST" and editor.is_valid():
        terms = editor.terms.cleaned_data
        fields = {
            "definition": editor.definition,
            "effective_from": terms["effective_from"],
            "notes": terms["notes"],
        }
        try:
            if draft is not None:
                version = plan_services.plan_version_update(
                    user=request.user, version=draft, **fields
                )
            else:
                version = plan_services.plan_version_create(user=request.user, plan=plan, **fields)
            if request.POST.get("approve"):
                plan_services.plan_version_approve(user=request.user, version=version)
                messages.success(
                    request, f"Version {version.number} approved: it is now immutable."
                )
            else:
                messages.success(request, f"Draft version {version.number} saved.")
            return redirect("compensation:plan", plan_id=plan.pk)
        except (ValidationError, ApplicationError) as exc:
            _put_error(editor, exc)
    return _page(
        request,
        editor,
        plan=plan,
        versions=versions,
        draft=draft,
        saved_json=json.dumps(base.definition, indent=2) if base else None,
    )


@login_required
@require_POST
@sensitive_variables()
def plan_simulate(request: HttpRequest) -> HttpResponse:
    """The editor's live simulation: the forms as they stand (unsaved) through the simulator
    service. An HTML fragment: the result, or how many fields need fixing (the errors
    themselves are shown at their fields, once)."""
    _sales_ops_only(request)
    editor = plan_editor(data=request.POST, definition={}, initial={}, new=False)
    # The rules only: a version's date matters when it is saved, not to simulate it.
    editor.terms.fields["effective_from"].required = False
    context: dict[str, Any] = {"editor": editor}
    if not editor.is_valid():
        context["problems"] = editor.error_count
        context["errors"] = editor.error_map()
        return render(request, "compensation/_plan_simulation.html", context)
    quota, target, deals, problem = simulate_inputs(request.POST)
    context["definition_json"] = json.dumps(editor.definition, indent=2)
    if problem:
        context["input_error"] = problem
        return render(request, "compensation/_plan_simulation.html", context)
    try:
        context["result"] = simulate(
            definition=editor.definition,
            quota=quota,
            deals=deals,
            target_incentive=target,
        )
    except (ValidationError, ArithmeticError, KeyError) as exc:
        context["input_error"] = f"The simulator could not run these inputs ({type(exc).__name__})."
    context["quota"] = quota if quota is None else Decimal(quota)
    return render(request, "compensation/_plan_simulation.html", context)


def simulate_inputs(
    data: Mapping[str, Any],
) -> tuple[Decimal | None, Decimal | None, list[dict[str, str]], str]:
    """The simulator's quota, target incentive and deals ("amount, YYYY-MM-DD[, product[,
    split %]]" per line) from the editor's side panel; an error message instead when unreadable."""

    def number(key: str) -> Decimal | None:
        raw = str(data.get(key) or "").strip()
        return Decimal(raw) if raw else None

    try:
        quota, target = number("sim_quota"), number("sim_target")
    except ArithmeticError:
        return None, None, [], "Quota and target incentive are numbers."
    deals: list[dict[str, Any]] = []
    for i, line in enumerate(str(data.get("sim_deals") or "").splitlines(), 1):
        parts = [p.strip() for p in line.split(",")]
        if not parts[0]:
            continue
        if len(parts) < 2:
            return quota, target, [], f"Deal line {i}: write 'amount, YYYY-MM-DD'."
        try:
            closed = date.fromisoformat(parts[1])
            amount = Decimal(parts[0])
        except (ValueError, ArithmeticError):
            return quota, target, [], f"Deal line {i}: write 'amount, YYYY-MM-DD'."
        deal: dict[str, Any] = {"amount": amount, "date": closed, "ref": f"sim-{i}"}
        if len(parts) > 2 and parts[2]:
            deal["product"] = parts[2]
        if len(parts) > 3 and parts[3]:
            deal["split_percent"] = parts[3]
        deals.append(deal)
    return quota, target, deals, ""

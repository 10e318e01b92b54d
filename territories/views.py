"""Territory pages: models, the tree with metrics, the rule editor, the preview and balance."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from salesops.exceptions import ApplicationError
from salesops.selectors.core import account_list
from salesops.selectors.scope import sees_everything
from territories import selectors, services
from territories.filters import AssignmentRuleFilter
from territories.forms import PinForm, RebalanceForm, RuleForm
from territories.listing import TERRITORY_MODELS
from territories.models import ModelState
from territories.services.preview import territory_model_preview


def _ops_only(request: HttpRequest) -> None:
    if not sees_everything(request.user):
        raise Http404("Not found.")


def _error_text(exc: Exception) -> str:
    if isinstance(exc, ApplicationError):
        return exc.message
    if isinstance(exc, ValidationError):
        return "; ".join(exc.messages)
    return str(exc)


@login_required
def index(request: HttpRequest) -> HttpResponse:
    models = selectors.visible_models(user=request.user)
    if TERRITORY_MODELS.wants_csv(request):
        return TERRITORY_MODELS.csv(request, models, "territory-models.csv")
    listing = TERRITORY_MODELS.page(request, models)
    return render(
        request, "territories/index.html", {"models": listing.page.object_list, "listing": listing}
    )


@login_required
def model_detail(request: HttpRequest, model_id: int) -> HttpResponse:
    model = selectors.model_get(user=request.user, model_id=model_id)
    balance = selectors.territory_metrics(user=request.user, model=model)
    unassigned = None
    if sees_everything(request.user):
        unassigned = Paginator(
            selectors.unassigned_accounts(user=request.user, model_id=model.pk), 25
        ).get_page(request.GET.get("page"))
    return render(
        request,
        "territories/model_detail.html",
        {"model": model, "balance": balance, "unassigned": unassigned},
    )


@login_required
def territory_detail(request: HttpRequest, territory_id: int) -> HttpResponse:
    territory = selectors.territory_get(user=request.user, territory_id=territory_id)
    accounts = Paginator(
        selectors.territory_accounts(user=request.user, territory_id=territory.pk), 50
    ).get_page(request.GET.get("page"))
    coverage = selectors.visible_coverage(user=request.user).filter(territory=territory)
    rules = selectors.visible_rules(user=request.user).filter(territory=territory)
    return render(
        request,
        "territories/territory_detail.html",
        {"territory": territory, "accounts": accounts, "coverage": coverage, "rules": rules},
    )


@login_required
def rules(request: HttpRequest, model_id: int) -> HttpResponse:
    """The rule editor: every rule of a model, and a form to add or edit one (sales ops)."""
    model = selectors.model_get(user=request.user, model_id=model_id)
    can_edit = sees_everything(request.user) and model.is_editable
    queryset = selectors.visible_rules(user=request.user).filter(territory__model=model)
    rule_filter = AssignmentRuleFilter(request.GET, queryset=queryset)
    editing = None
    if can_edit and request.GET.get("edit"):
        editing = selectors.rule_get(user=request.user, rule_id=int(request.GET["edit"]))
    form = None
    if can_edit:
        if request.method == "POST":
            form = RuleForm(request.POST, model=model)
            if form.is_valid():
                data = dict(form.cleaned_data)
                territory = data.pop("territory")
                try:
                    if editing is not None:
                        services.rule_update(rule=editing, territory=territory, **data)
                    else:
                        services.rule_create(territory=territory, **data)
                except (ValidationError, ApplicationError) as exc:
                    form.add_error(None, _error_text(exc))
                else:
                    messages.success(request, "Rule saved. Run the assignment to apply it.")
                    return redirect("territories:rules", model_id=model.pk)
        else:
            initial = RuleForm.initial_for(editing) if editing else None
            if editing is not None and initial is not None:
                initial["territory"] = editing.territory_id
            form = RuleForm(initial=initial, model=model)
    return render(
        request,
        "territories/rules.html",
        {
            "model": model,
            "rules": rule_filter.qs.order_by("-priority", "territory__path", "id"),
            "filter": rule_filter,
            "form": form,
            "editing": editing,
            "can_edit": can_edit,
        },
    )


@login_required
@require_POST
def rule_delete(request: HttpRequest, model_id: int, rule_id: int) -> HttpResponse:
    _ops_only(request)
    rule = selectors.rule_get(user=request.user, rule_id=rule_id)
    try:
        services.rule_delete(rule=rule)
        messages.success(request, "Rule deleted.")
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("territories:rules", model_id=model_id)


@login_required
@require_POST
def run(request: HttpRequest, model_id: int) -> HttpResponse:
    _ops_only(request)
    model = selectors.model_get(user=request.user, model_id=model_id)
    try:
        result = services.territory_assignments_run(model=model)
        messages.success(
            request,
            f"Assignment run: {result.changed} accounts changed, {result.unassigned} unassigned.",
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("territories:model", model_id=model.pk)


@login_required
def preview(request: HttpRequest, model_id: int) -> HttpResponse:
    _ops_only(request)
    model = selectors.model_get(user=request.user, model_id=model_id)
    if model.state != ModelState.PLANNING:
        raise Http404("Only planning models have a preview.")
    return render(
        request,
        "territories/preview.html",
        {"model": model, "preview": territory_model_preview(model=model)},
    )


@login_required
@require_POST
def activate(request: HttpRequest, model_id: int) -> HttpResponse:
    _ops_only(request)
    model = selectors.model_get(user=request.user, model_id=model_id)
    try:
        services.territory_model_activate(model=model)
        messages.success(request, f"'{model.name}' is now the active territory model.")
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("territories:model", model_id=model.pk)


@login_required
@require_POST
def clone(request: HttpRequest, model_id: int) -> HttpResponse:
    _ops_only(request)
    model = selectors.model_get(user=request.user, model_id=model_id)
    name = request.POST.get("name", "").strip() or f"{model.name} (plan)"
    try:
        plan = services.territory_model_clone(source=model, name=name)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
        return redirect("territories:model", model_id=model.pk)
    messages.success(request, f"Planning model '{plan.name}' created.")
    return redirect("territories:model", model_id=plan.pk)


@login_required
def pins(request: HttpRequest, model_id: int) -> HttpResponse:
    _ops_only(request)
    model = selectors.model_get(user=request.user, model_id=model_id)
    form = PinForm(request.POST or None, model=model, accounts=account_list(user=request.user))
    if request.method == "POST" and form.is_valid():
        account = form.cleaned_data["account"]
        try:
            services.pin_set(
                model=model,
                account=account,
                territory=form.cleaned_data["territory"],
                kind=form.cleaned_data["kind"],
                reason=form.cleaned_data["reason"],
                user=request.user,
            )
            services.territory_assignments_run(model=model, account_ids=[account.pk])
        except (ValidationError, ApplicationError) as exc:
            form.add_error(None, _error_text(exc))
        else:
            messages.success(request, f"{account.name} pinned.")
            return redirect("territories:pins", model_id=model.pk)
    page = Paginator(
        selectors.visible_pins(user=request.user).filter(model=model).order_by("account__name"),
        50,
    ).get_page(request.GET.get("page"))
    return render(request, "territories/pins.html", {"model": model, "form": form, "pins": page})


def _chart(balance: selectors.Balance) -> dict[str, list[str]]:
    rows = [r for r in balance.rows if r.territory.depth == 0] or balance.rows
    return {
        "labels": [r.territory.name for r in rows],
        "potential": [str(r.potential) for r in rows],
        "won": [str(r.won_ytd) for r in rows],
        "pipeline": [str(r.pipeline) for r in rows],
    }


@login_required
def balance(request: HttpRequest, model_id: int) -> HttpResponse:
    model = selectors.model_get(user=request.user, model_id=model_id)
    figures = selectors.territory_metrics(user=request.user, model=model)
    context: dict[str, Any] = {"model": model, "balance": figures, "chart": _chart(figures)}
    if sees_everything(request.user) and model.state == ModelState.PLANNING:
        form = RebalanceForm(request.POST or request.GET or None, model=model)
        context["form"] = form
        if form.is_bound and form.is_valid():
            options = dict(form.cleaned_data)
            if request.method == "POST":
                proposal = services.rebalance_apply(model=model, user=request.user, **options)
                messages.success(
                    request, f"Applied: {proposal.accounts_moved} accounts pinned in this plan."
                )
                return redirect("territories:balance", model_id=model.pk)
            proposal = selectors.rebalance_propose(model=model, **options)
            names = {t.pk: t.name for t in proposal.siblings}
            context["proposal"] = proposal
            context["proposal_rows"] = [
                {
                    "name": names[tid],
                    "before": proposal.before[tid],
                    "after": proposal.after.get(tid, Decimal(0)),
                }
                for tid in names
            ]
            context["moves"] = [
                {"from": names[m.from_id], "to": names[m.to_id], "unit": m.unit}
                for m in proposal.moves
            ]
    return render(request, "territories/balance.html", context)

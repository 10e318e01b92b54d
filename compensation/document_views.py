"""Plan documents and printable statements (issue 19, items 4 and 5): the printable plan summary
of one person and version, the rep's acknowledgement of it, and every statement's print view.
Same scope as every pay page: a rep their own, a manager their teams, sales ops everything;
anything else is 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.debug import sensitive_variables
from django.views.decorators.http import require_POST

from compensation.models import PlanAssignment
from compensation.plan_summary import components_of
from compensation.selectors import pay
from compensation.selectors.acknowledgements import acknowledgement_get
from compensation.services.acknowledgements import plan_acknowledge
from salesops import calendar
from salesops.selectors.scope import person_for_user, visible_people


@login_required
@sensitive_variables()
def plan_document(request: HttpRequest, person_id: int, version_id: int) -> HttpResponse:
    """The plan summary one person is paid by: rules in words, their assignment and quotas of
    the fiscal year, and whether they acknowledged it. Print-ready."""
    person = visible_people(user=request.user).select_related("team").filter(pk=person_id).first()
    if person is None:
        raise Http404("No such person.")
    version = pay.plan_version_get(user=request.user, version_id=version_id)
    assignments = list(
        PlanAssignment.objects.filter(person=person, plan_id=version.plan_id).order_by("start")
    )
    if not assignments:
        raise Http404("This person is not on this plan.")
    year = calendar.period_containing(
        max(version.effective_from, assignments[-1].start), calendar.YEAR
    )
    quotas = (
        pay.quota_list(user=request.user)
        .filter(person=person, period_start__gte=year.start, period_start__lte=year.end)
        .order_by("metric", "period_start")
    )
    own = person_for_user(request.user)
    definition = version.definition
    return render(
        request,
        "compensation/plan_document.html",
        {
            "person": person,
            "version": version,
            "assignments": assignments,
            "components": components_of(definition),
            "definition": definition,
            "year": year,
            "quotas": quotas,
            "acknowledgement": acknowledgement_get(person_id=person.pk, version_id=version.pk),
            "can_acknowledge": own is not None
            and own.pk == person.pk
            and version.status == "approved",
        },
    )


@login_required
@require_POST
def plan_acknowledge_page(request: HttpRequest, version_id: int) -> HttpResponse:
    """The rep accepts the plan version they are paid by (from their pay page or the document).
    A version outside the caller's scope is a 404; one they see but may not acknowledge (a draft,
    a plan they are not on) is a 403 page saying why (issue 20: refusals are 403/404)."""
    person = person_for_user(request.user)
    if person is None:
        raise Http404
    version = pay.plan_version_get(user=request.user, version_id=version_id)
    try:
        plan_acknowledge(user=request.user, person=person, version=version)
    except ValidationError as exc:
        context = {"version": version, "reasons": exc.messages}
        return render(request, "compensation/acknowledge_refused.html", context, status=403)
    messages.success(request, f"You acknowledged {version.plan.name} version {version.number}.")
    if request.POST.get("next") == "document":
        return redirect("compensation:plan-document", person_id=person.pk, version_id=version.pk)
    return redirect("compensation:me")


@login_required
@sensitive_variables()
def statement_print(request: HttpRequest, statement_id: int) -> HttpResponse:
    statement = pay.statement_get(user=request.user, statement_id=statement_id)
    return render(
        request,
        "compensation/statement_print.html",
        {"statement": statement, "lines": statement.lines.all()},
    )

"""The commission-plan chooser's endpoint (salesops.widgets, salesops.choosers): plans the caller
may see (compensation.selectors.pay.plan_list), searched by name."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.views.decorators.http import require_GET

from compensation.selectors.pay import plan_list
from salesops import choosers


@login_required
@require_GET
def choose_plans(request: HttpRequest) -> JsonResponse:
    text = choosers.query_text(request)
    qs = plan_list(user=request.user).prefetch_related(None)
    qs = qs.filter(choosers.search_q(text, ["name"])).order_by("name")
    return choosers.rows(qs, lambda plan: plan.name)


urlpatterns = [path("", choose_plans, name="choose-plans")]

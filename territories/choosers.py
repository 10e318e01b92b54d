"""The territory chooser's endpoint (salesops.widgets, salesops.choosers): territories the caller
may see, searched by name; ?model=<id> keeps one territory model's."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.views.decorators.http import require_GET

from salesops import choosers
from territories.models import Territory
from territories.selectors.access import visible_territories


def _label(territory: Territory) -> str:
    return f"{territory.name} · {territory.model.name}"


@login_required
@require_GET
def choose_territories(request: HttpRequest) -> JsonResponse:
    text = choosers.query_text(request)
    qs = visible_territories(user=request.user).filter(choosers.search_q(text, ["name"]))
    model = request.GET.get("model", "")
    if model.isdigit():
        qs = qs.filter(model_id=int(model))
    return choosers.rows(qs.order_by("name", "model__name"), _label)


urlpatterns = [path("", choose_territories, name="choose-territories")]

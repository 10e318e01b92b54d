"""The team chooser's endpoint (salesops.widgets, salesops.choosers): teams the caller may see
(sales ops and admin: all; a manager: their teams and sub-teams; anyone else: none), searched by
name. At 5,000 people the org has about 600 teams, too many for a <select>."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.views.decorators.http import require_GET

from salesops import choosers
from salesops.models import Team
from salesops.selectors.scope import scope_for


def _label(team: Team) -> str:
    return f"{team.name} · {team.parent.name}" if team.parent is not None else team.name


@login_required
@require_GET
def choose_teams(request: HttpRequest) -> JsonResponse:
    scope = scope_for(request.user)
    qs = Team.objects.select_related("parent")
    if not scope.everything:
        qs = qs.filter(pk__in=sorted(scope.team_ids))
    qs = qs.filter(choosers.search_q(choosers.query_text(request), ["name"]))
    return choosers.rows(qs.order_by("name", "pk"), _label)


urlpatterns = [path("", choose_teams, name="choose-teams")]

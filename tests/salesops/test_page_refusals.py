"""Refusals on the pages are 403 or 404 too (issue 20), never a redirect with a flash message, a
form re-shown with 200 or 400, or a 5xx.

Every page route of ours that takes an object id is POSTed (the way every write page is reached)
with an object of team B and with an id that exists nowhere, as the personas who may not see
team B's objects: both answers are 403, 404 or 405 (a read-only page), and the same (no
existence leak). `test_every_page_with_an_id_is_audited` fails when such a route is added
without saying which object its id names.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from compensation.models import PlanAcknowledgement
from compensation.services import plans as plan_services
from tests.compensation.factories import FLAT_5, approved_plan, assign
from tests.salesops.refusal_world import ABSENT, build_team_b_objects

pytestmark = pytest.mark.django_db

OUT_OF_SCOPE = ("rep_a1", "manager_a", "outsider")
OUR_APPS = ("salesops.", "meetings.", "territories.", "compensation.", "dashboard.")

# Route (as Django writes it) -> the object of team B each int id names (None: no team-B object
# of that kind is built; only the absent id is sent).
ROUTES: dict[str, dict[str, str | None]] = {
    "deals/<int:deal_id>/": {"deal_id": "deal"},
    "me/action-items/<int:item_id>/done/": {"item_id": "action"},
    "ops/deliveries/<int:delivery_id>/retry/": {"delivery_id": None},
    "ops/imports/<int:import_id>/": {"import_id": None},
    "meetings/calendar/busy-feeds/<int:pk>/remove/": {"pk": None},
    "meetings/<int:pk>/": {"pk": "meeting"},
    "meetings/<int:pk>.ics": {"pk": "meeting"},
    "meetings/<int:pk>/edit/": {"pk": "meeting"},
    "meetings/<int:pk>/rsvp/": {"pk": "meeting"},
    "meetings/<int:pk>/action-items/": {"pk": "meeting"},
    "meetings/<int:pk>/deals/": {"pk": "meeting"},
    "meetings/<int:pk>/attendance/": {"pk": "meeting"},
    "meetings/<int:pk>/<str:transition>/": {"pk": "meeting"},
    "meetings/action-items/<int:pk>/toggle/": {"pk": "action"},
    "territories/models/<int:model_id>/": {"model_id": "model"},
    "territories/models/<int:model_id>/rules/": {"model_id": "model"},
    "territories/models/<int:model_id>/rules/<int:rule_id>/delete/": {
        "model_id": "model",
        "rule_id": "rule",
    },
    "territories/models/<int:model_id>/run/": {"model_id": "model"},
    "territories/models/<int:model_id>/preview/": {"model_id": "model"},
    "territories/models/<int:model_id>/activate/": {"model_id": "model"},
    "territories/models/<int:model_id>/clone/": {"model_id": "model"},
    "territories/models/<int:model_id>/pins/": {"model_id": "model"},
    "territories/models/<int:model_id>/balance/": {"model_id": "model"},
    "territories/t/<int:territory_id>/": {"territory_id": "territory"},
    "territories/models/<int:model_id>/rules/preview/": {"model_id": "model"},
    "territories/models/<int:model_id>/assign/": {"model_id": "model"},
    "territories/runs/<int:batch_id>/": {"batch_id": None},
    "territories/runs/<int:batch_id>/progress/": {"batch_id": None},
    "territories/runs/<int:batch_id>/rollback/": {"batch_id": None},
    "compensation/statements/generate/<int:run_id>/": {"run_id": None},
    "compensation/statements/generate/<int:run_id>/progress/": {"run_id": None},
    "jobs/<int:run_id>/": {"run_id": None},
    "jobs/<int:run_id>/progress/": {"run_id": None},
    "compensation/statements/<int:statement_id>/": {"statement_id": "statement"},
    "compensation/statements/<int:statement_id>/print/": {"statement_id": "statement"},
    "compensation/statements/<int:statement_id>/<str:action>/": {"statement_id": "statement"},
    "compensation/lines/<int:line_id>/dispute/": {"line_id": "line"},
    "compensation/disputes/<int:dispute_id>/resolve/": {"dispute_id": "dispute"},
    "compensation/plans/<int:plan_id>/": {"plan_id": "plan"},
    "compensation/people/<int:person_id>/plans/<int:version_id>/": {
        "person_id": "person",
        "version_id": "version",
    },
    "compensation/plan-versions/<int:version_id>/acknowledge/": {"version_id": "version"},
}
# Values for the routes' other (text) parts: an action each page offers.
WORDS = {"transition": "done", "action": "approve"}
ARGUMENT = re.compile(r"<(?:(\w+):)?(\w+)>")


def _page_routes(patterns: Any, prefix: str = "") -> list[str]:
    found: list[str] = []
    for p in patterns:
        if isinstance(p, URLResolver):
            found += _page_routes(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            route = prefix + str(p.pattern)
            module = getattr(p.callback, "__module__", "")
            if (
                not route.startswith(("api/", "admin/"))
                and module.startswith(OUR_APPS)
                and "<int:" in route
            ):
                found.append(route)
    return found


def _url(route: str, ids: dict[str, int], use_team_b: bool) -> str:
    def one(match: re.Match[str]) -> str:
        kind, name = match.group(1), match.group(2)
        if kind != "int":
            return WORDS[name]
        ref = ROUTES[route][name]
        return str(ids[ref]) if use_team_b and ref is not None else str(ABSENT)

    return "/" + ARGUMENT.sub(one, route)


def test_every_page_with_an_id_is_audited():
    assert set(_page_routes(get_resolver().url_patterns)) - set(ROUTES) == set()


@pytest.mark.parametrize("route", sorted(ROUTES))
def test_a_page_refuses_an_object_out_of_scope_with_403_or_404(personas, client, route):
    ids = build_team_b_objects(personas).ids
    has_team_b = any(ref is not None for ref in ROUTES[route].values())
    wrong = []
    for who in OUT_OF_SCOPE:
        client.force_login(getattr(personas, who))
        absent = client.post(_url(route, ids, use_team_b=False))
        if absent.status_code not in (403, 404, 405):
            wrong.append(f"{who}: absent id {absent.status_code}")
        if has_team_b:
            theirs = client.post(_url(route, ids, use_team_b=True))
            if theirs.status_code != absent.status_code:
                wrong.append(f"{who}: team B's {theirs.status_code}, absent {absent.status_code}")
    assert wrong == []


def test_a_refused_plan_acknowledgement_is_a_403_page_saying_why(personas, client):
    version = approved_plan("Flat", FLAT_5, dt.date(2026, 1, 1))
    assign(personas.person("rep_a1"), version, dt.date(2026, 1, 1))
    draft = plan_services.plan_version_create(
        user=None, plan=version.plan, definition=FLAT_5, effective_from=dt.date(2026, 6, 1)
    )
    client.force_login(personas.rep_a1)
    response = client.post(f"/compensation/plan-versions/{draft.pk}/acknowledge/")
    assert response.status_code == 403
    assert "Only an approved plan version can be acknowledged." in response.content.decode()
    client.force_login(personas.manager_a)  # sees the plan (their rep's), is not on it
    response = client.post(f"/compensation/plan-versions/{version.pk}/acknowledge/")
    assert response.status_code == 403
    assert "You are not assigned to this plan." in response.content.decode()
    client.force_login(personas.outsider)  # does not see the plan at all
    assert client.post(f"/compensation/plan-versions/{version.pk}/acknowledge/").status_code == 404
    assert not PlanAcknowledgement.objects.exists()

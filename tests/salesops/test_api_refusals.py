"""Refusals are 403 or 404, never 400, 2xx or 5xx (issue 20: "25 permission refusals come back as
400"). A systematic audit of every write operation of the API.

Why one module: the table of cases is one table, checked complete against the schema by
`test_every_write_operation_is_audited`; split, a new operation could be missed between files.

For every write operation (POST/PUT/PATCH/DELETE) the OpenAPI schema lists, a request that refers
to an object the caller may not see or act on, in the URL or in the body (person, team, deal,
account, meeting, territory, plan, statement ... ids), with the rest of the body valid:
- as the personas outside the object's scope (rep_a1, manager_a, outsider; the objects belong to
  team B): 403 or 404, and the same answer for an object of team B as for an id that exists
  nowhere (no existence leak);
- as team B's own rep and manager: an absent id is 403 or 404;
- as sales ops and admin (who see everything): an absent id is 404.
A 400 is right only for malformed input. `test_every_write_operation_is_audited` fails when an
operation is added without a case here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.urls import reverse

from tests.salesops.refusal_world import ABSENT, Objects, build_team_b_objects

pytestmark = pytest.mark.django_db

OUT_OF_SCOPE = ("rep_a1", "manager_a", "outsider")
OWN_TEAM = ("rep_b1", "manager_b")
EVERYTHING = ("sales_ops", "admin")
SIMPLE_PLAN = {"base_rate": "5"}
DEFINITION = {"base_rate": "5", "clawback_days": 90}


@dataclass(frozen=True)
class Op:
    """One write request. `@name` in the path or body is the id under test (`@@name` a list of
    it); `@me` is the caller's own person (rep_a1's for the admin, who has none)."""

    method: str
    path: str
    body: dict[str, Any] = field(default_factory=dict)

    @property
    def route(self) -> tuple[str, str]:
        """(METHOD, OpenAPI path) of the operation."""
        parts = [
            "{id}" if p.startswith("@") else p for p in self.path.rstrip("/").split("/")
        ]  # every @ref in a path is the {id} of its route
        return self.method.upper(), "/".join(parts) + "/"


def _op(method: str, path: str, **body: Any) -> Op:
    return Op(method, "/api/v1/" + path, body)


FUTURE = {"start": "2026-12-21T10:00:00+01:00", "end": "2026-12-21T11:00:00+01:00"}
MEETING = {"title": "Refusal audit", "type": "client", **FUTURE, "organizer": "@me"}

# (case id, operation): each names one reference under test.
CASES: list[tuple[str, Op]] = [
    # core
    ("account.owner", _op("post", "accounts/", name="Initech", owner="@person")),
    ("account.parent", _op("post", "accounts/", name="Initech", parent="@account")),
    ("account.url", _op("patch", "accounts/@account/", name="Renamed")),
    ("person.team", _op("post", "people/", name="New Rep", role="account_executive", team="@team")),
    (
        "person.manager",
        _op("post", "people/", name="New Rep", role="account_executive", manager="@person"),
    ),
    ("person.url", _op("patch", "people/@person/", name="Renamed")),
    ("person.delete", _op("delete", "people/@person/")),
    ("team.manager", _op("post", "teams/", name="Team Z", manager="@person")),
    ("team.parent", _op("post", "teams/", name="Team Z", parent="@team")),
    ("team.url", _op("patch", "teams/@team/", name="Renamed")),
    ("product.url", _op("patch", "products/@product/", name="Renamed")),
    (
        "cost.person",
        _op("post", "costs/", date="2026-03-02", category="travel", amount="10", person="@person"),
    ),
    (
        "cost.team",
        _op("post", "costs/", date="2026-03-02", category="tools", amount="10", team="@team"),
    ),
    ("cost.url", _op("patch", "costs/@cost/", note="x")),
    ("deal.owner", _op("post", "deals/", owner="@person", product="@@product_own")),
    ("deal.product", _op("post", "deals/", owner="@me", product="@product")),
    (
        "deal.account",
        _op("post", "deals/", owner="@me", product="@@product_own", account="@account"),
    ),
    (
        "deal.split",
        _op(
            "post",
            "deals/",
            owner="@me",
            product="@@product_own",
            splits=[{"person": "@person", "percent": "100"}],
        ),
    ),
    ("deal.url", _op("patch", "deals/@deal/", amount="10")),
    ("deal.confirm", _op("post", "deals/@deal/confirm/")),
    (
        "deal.splits",
        _op("post", "deals/@deal/splits/", splits=[{"person": "@me", "percent": "100"}]),
    ),
    ("deal.stage", _op("post", "deals/@deal/stage/", stage="closing")),
    # meetings
    ("meeting.organizer", _op("post", "meetings/", **{**MEETING, "organizer": "@person"})),
    ("meeting.attendee", _op("post", "meetings/", **MEETING, attendees=[{"person": "@person"}])),
    ("meeting.deal", _op("post", "meetings/", **MEETING, deal="@deal")),
    ("meeting.account", _op("post", "meetings/", **MEETING, account="@account")),
    ("meeting.url", _op("patch", "meetings/@meeting/", title="Renamed")),
    ("meeting.cancel", _op("post", "meetings/@meeting/cancel/")),
    ("meeting.done", _op("post", "meetings/@meeting/done/")),
    ("meeting.reopen", _op("post", "meetings/@meeting/reopen/")),
    ("meeting.rsvp", _op("post", "meetings/@meeting/rsvp/", rsvp="accepted")),
    (
        "find-time.attendee",
        _op(
            "post",
            "meetings/find-time/",
            attendees=["@person"],
            duration_minutes=30,
            window_start="2026-12-21T08:00:00+01:00",
            window_end="2026-12-22T18:00:00+01:00",
        ),
    ),
    (
        "find-time.exclude",
        _op(
            "post",
            "meetings/find-time/",
            attendees=["@me"],
            duration_minutes=30,
            window_start="2026-12-21T08:00:00+01:00",
            window_end="2026-12-22T18:00:00+01:00",
            exclude_meeting="@meeting",
        ),
    ),
    ("agenda.meeting", _op("post", "agenda-items/", meeting="@meeting", title="Topic", minutes=10)),
    ("agenda.url", _op("patch", "agenda-items/@agenda/", title="Renamed")),
    ("agenda.delete", _op("delete", "agenda-items/@agenda/")),
    (
        "action.meeting",
        _op(
            "post",
            "action-items/",
            meeting="@meeting",
            owner="@me",
            description="Do",
            due_date="2026-12-31",
        ),
    ),
    ("action.url", _op("patch", "action-items/@action/", description="Renamed")),
    ("action.complete", _op("post", "action-items/@action/complete/")),
    ("notification.read", _op("post", "notifications/@notification/read/")),
    # compensation
    (
        "adjustment.person",
        _op("post", "compensation/adjustments/", person="@person", amount="10", reason="x"),
    ),
    (
        "assignment.person",
        _op(
            "post", "compensation/assignments/", person="@person", plan="@@plan", start="2026-04-01"
        ),
    ),
    (
        "assignment.plan",
        _op("post", "compensation/assignments/", person="@me", plan="@plan", start="2026-04-01"),
    ),
    ("assignment.end", _op("post", "compensation/assignments/@assignment/end/", end="2026-12-31")),
    ("dispute.line", _op("post", "compensation/disputes/", line="@line", comment="too low")),
    (
        "dispute.resolve",
        _op("post", "compensation/disputes/@dispute/resolve/", accept=False, resolution="no"),
    ),
    (
        "mbo.person",
        _op(
            "post",
            "compensation/mbo-scores/",
            person="@person",
            component="Pipeline hygiene",
            period_start="2026-01-01",
            score="80",
        ),
    ),
    (
        "overlay.person",
        _op(
            "post",
            "compensation/overlay-credits/",
            deal="@@deal_own",
            person="@person",
            role="solutions_engineer",
            percent="10",
        ),
    ),
    (
        "overlay.deal",
        _op(
            "post",
            "compensation/overlay-credits/",
            deal="@deal",
            person="@me",
            role="solutions_engineer",
            percent="10",
        ),
    ),
    (
        "plan-version.plan",
        _op(
            "post",
            "compensation/plan-versions/",
            plan="@plan",
            definition=DEFINITION,
            effective_from="2026-07-01",
        ),
    ),
    ("plan-version.put", _op("put", "compensation/plan-versions/@version/", notes="x")),
    ("plan-version.patch", _op("patch", "compensation/plan-versions/@version/", notes="x")),
    ("plan-version.approve", _op("post", "compensation/plan-versions/@version/approve/")),
    (
        "quota.person",
        _op("post", "compensation/quotas/", person="@person", period="FY2026-M05", amount="10"),
    ),
    (
        "quota.team",
        _op("post", "compensation/quotas/", team="@team", period="FY2026-M05", amount="10"),
    ),
    (
        "quota.territory",
        _op(
            "post",
            "compensation/quotas/",
            territory_id="@territory",
            period="FY2026-M05",
            amount="10",
        ),
    ),
    ("quota.put", _op("put", "compensation/quotas/@quota/", amount="10")),
    ("quota.patch", _op("patch", "compensation/quotas/@quota/", amount="10")),
    ("quota.delete", _op("delete", "compensation/quotas/@quota/")),
    (
        "reversal.deal",
        _op(
            "post",
            "compensation/reversals/",
            deal="@deal",
            reversed_on="2026-03-20",
            reason="lost",
        ),
    ),
    ("statement.approve", _op("post", "compensation/statements/@statement/approve/")),
    ("statement.pay", _op("post", "compensation/statements/@statement/pay/")),
    (
        "statement.generate",
        _op("post", "compensation/statements/generate/", period="FY2026-M03", person="@person"),
    ),
    # territories
    ("territory.model", _op("post", "territories/", model="@model", name="Z")),
    (
        "territory.parent",
        _op("post", "territories/", model="@@model_own", parent="@territory", name="Z"),
    ),
    ("territory.put", _op("put", "territories/@territory/", model="@@model_own", name="Z")),
    ("territory.patch", _op("patch", "territories/@territory/", name="Z")),
    ("territory.delete", _op("delete", "territories/@territory/")),
    (
        "coverage.person",
        _op(
            "post",
            "territories/assignments/",
            territory="@@territory_own",
            person="@person",
            effective_from="2026-01-01",
        ),
    ),
    (
        "coverage.territory",
        _op(
            "post",
            "territories/assignments/",
            territory="@territory",
            person="@me",
            effective_from="2026-01-01",
        ),
    ),
    ("coverage.delete", _op("delete", "territories/assignments/@coverage/")),
    ("pin.account", _op("post", "territories/pins/", model="@@model_own", account="@account")),
    ("pin.model", _op("post", "territories/pins/", model="@model", account="@@account_own")),
    ("pin.delete", _op("delete", "territories/pins/@pin/")),
    ("rule.territory", _op("post", "territories/rules/", territory="@territory", name="R")),
    ("rule.put", _op("put", "territories/rules/@rule/", territory="@@territory_own", name="R")),
    ("rule.patch", _op("patch", "territories/rules/@rule/", name="R")),
    ("rule.delete", _op("delete", "territories/rules/@rule/")),
    ("model.patch", _op("patch", "territory-models/@model/", name="Z")),
    ("model.activate", _op("post", "territory-models/@model/activate/")),
    ("model.archive", _op("post", "territory-models/@model/archive/")),
    ("model.clone", _op("post", "territory-models/@model/clone/", name="Z")),
    ("model.rebalance", _op("post", "territory-models/@model/rebalance/")),
    (
        "model.rebalance-parent",
        _op("post", "territory-models/@@model_own/rebalance/", parent="@territory"),
    ),
    ("model.run", _op("post", "territory-models/@model/run/")),
]

# References every member of the sales org may use, whatever their team: accounts and products
# are shared, and anyone may be invited to a meeting (others' calendars show "busy" only). For
# these only an absent id is checked.
ORG_WIDE = {
    "deal.product",
    "deal.account",
    "meeting.account",
    "meeting.attendee",
    "find-time.attendee",
}

# Write operations that refer to no object of anyone's scope, and why.
NO_OBJECT = {
    ("POST", "/api/v1/auth/token/"): "the API's login: no caller yet",
    ("POST", "/api/v1/auth/token/rotate/"): "rotates the caller's own token",
    ("POST", "/api/v1/compensation/plans/"): "creates a plan from a body of values, no id",
    ("POST", "/api/v1/compensation/simulate/"): "a plan and deals as values; saves nothing",
    ("POST", "/api/v1/imports/"): "CSV files; ids inside are the importer's (test_import_refusals)",
    ("POST", "/api/v1/notifications/read-all/"): "the caller's own notifications",
    ("POST", "/api/v1/products/"): "a product has no reference",
    ("POST", "/api/v1/territory-models/"): "a model has no reference",
}


@pytest.fixture
def team_b_objects(personas) -> Objects:
    return build_team_b_objects(personas)


def _fill(value: Any, ids: dict[str, int], ref: int, me: int) -> Any:
    if isinstance(value, dict):
        return {k: _fill(v, ids, ref, me) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, ids, ref, me) for v in value]
    if isinstance(value, str) and value.startswith("@@"):
        return ids[value[2:]]
    if value == "@me":
        return me
    if isinstance(value, str) and value.startswith("@"):
        return ref
    return value


def _send(client: Any, op: Op, ids: dict[str, int], ref: int, me: int) -> Any:
    path = "/".join(
        str(ids[p[2:]]) if p.startswith("@@") else (str(ref) if p.startswith("@") else p)
        for p in op.path.split("/")
    )
    body = _fill(op.body, ids, ref, me)
    return getattr(client, op.method)(path, body, format="json")


def _ref_name(op: Op) -> str:
    refs = [p[1:] for p in op.path.split("/") if p.startswith("@") and not p.startswith("@@")]
    text = json.dumps(op.body)
    for token in text.replace('"', " ").split():
        if token.startswith("@") and not token.startswith("@@") and token != "@me":
            refs.append(token[1:].rstrip(","))
    assert len(set(refs)) == 1, f"{op}: one reference under test, got {refs}"
    return refs[0]


def _answer(response: Any) -> str:
    try:
        return f"{response.status_code} {response.json()}"
    except (TypeError, ValueError):
        return str(response.status_code)


@pytest.mark.parametrize(("case", "op"), CASES, ids=[c for c, _ in CASES])
def test_a_refused_reference_is_403_or_404_and_never_leaks(
    personas, team_b_objects, api_client_for, case, op
):
    ids = team_b_objects.ids
    foreign = ids[_ref_name(op)]
    wrong = []
    for who in OUT_OF_SCOPE:
        client = api_client_for(getattr(personas, who))
        me = personas.person(who).pk
        absent = _send(client, op, ids, ABSENT, me)
        if case in ORG_WIDE:
            if absent.status_code not in (403, 404):
                wrong.append(f"{who}: absent {_answer(absent)}")
            continue
        theirs = _send(client, op, ids, foreign, me)
        if theirs.status_code not in (403, 404) or theirs.status_code != absent.status_code:
            wrong.append(f"{who}: team B's {_answer(theirs)} / absent {_answer(absent)}")
    for who in OWN_TEAM:
        absent = _send(
            api_client_for(getattr(personas, who)), op, ids, ABSENT, personas.person(who).pk
        )
        if absent.status_code not in (403, 404):
            wrong.append(f"{who}: absent {_answer(absent)}")
    for who in EVERYTHING:
        me = personas.person("rep_a1" if who == "admin" else who).pk
        absent = _send(api_client_for(getattr(personas, who)), op, ids, ABSENT, me)
        if absent.status_code != 404:
            wrong.append(f"{who}: absent {_answer(absent)}")
    assert wrong == []


def test_every_write_operation_is_audited(personas, api_client_for):
    schema = (
        api_client_for(personas.sales_ops).get(reverse("api-schema"), {"format": "json"}).json()
    )
    writes = {
        (method.upper(), path)
        for path, item in schema["paths"].items()
        for method in item
        if method in ("post", "put", "patch", "delete")
    }
    assert ORG_WIDE <= {case for case, _ in CASES}
    audited = {op.route for _, op in CASES}
    assert audited - writes == set()  # no case for an operation that does not exist
    assert writes - audited - set(NO_OBJECT) == set()


# Team B's own people, on objects they see but may not act on: a 403 that says so (the object's
# existence is no secret to them).
VISIBLE_BUT_REFUSED = [
    ("rep_b1", _op("post", "compensation/statements/@@statement/approve/")),
    ("manager_b", _op("post", "compensation/statements/@@statement/pay/")),
    (
        "rep_b1",
        _op("post", "compensation/disputes/@@dispute/resolve/", accept=True, resolution="x"),
    ),
    ("rep_b1", _op("patch", "people/@@person/", name="Renamed")),
    ("rep_b1", _op("post", "compensation/quotas/", person="@me", period="FY2026-M05", amount="1")),
    (
        "rep_b1",
        _op(
            "post",
            "compensation/mbo-scores/",
            person="@me",
            component="Pipeline hygiene",
            period_start="2026-01-01",
            score="80",
        ),
    ),
    (
        "rep_b1",
        _op(
            "post",
            "compensation/overlay-credits/",
            deal="@@deal",
            person="@me",
            role="solutions_engineer",
            percent="10",
        ),
    ),
    ("rep_b1", _op("post", "deals/", owner="@@person", product="@@product_own", splits=[])),
]


@pytest.mark.parametrize(
    ("who", "op"),
    VISIBLE_BUT_REFUSED,
    ids=[f"{w}-{o.method}-{o.path}" for w, o in VISIBLE_BUT_REFUSED],
)
def test_an_action_on_a_visible_object_that_is_not_the_callers_is_403(
    personas, team_b_objects, api_client_for, who, op
):
    client = api_client_for(getattr(personas, who))
    response = _send(client, op, team_b_objects.ids, ABSENT, personas.person(who).pk)
    assert response.status_code == 403, _answer(response)

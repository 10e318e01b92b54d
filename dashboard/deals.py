"""The deal page (issue 23 item 2): one deal with everything that hangs on it, for whoever may see
the deal (404 otherwise): owner, stage, amounts and dates; splits and overlay credit; its
account's territories and how each was assigned (rule, pin, exclusion); the meetings held for it
with their hours and, for viewers who may see every rate involved, their cost
(meetings.selectors.pursuit); the commission lines that paid it (only statements the viewer may
see); and its change history with who made each change.

The dashboard is the top layer: it reads every app. A fixed number of queries per page."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from compensation.models import OverlayCredit, StatementLine
from compensation.selectors.pay import statement_list
from meetings.selectors.pursuit import DealPursuit, deal_pursuit
from salesops.models import Deal
from salesops.selectors.core import deal_get_for_user
from salesops.selectors.scope import AnyUser, scope_for
from territories.models import AccountTerritory, ModelState
from territories.selectors.access import territory_q

HISTORY_ROWS = 50


@dataclass(frozen=True)
class DealPage:
    deal: Deal
    splits: list[Any]
    overlays: list[OverlayCredit]
    territories: list[AccountTerritory]
    pursuit: DealPursuit
    lines: list[StatementLine]
    history: list[Any]


def _territories(*, user: AnyUser, deal: Deal) -> list[AccountTerritory]:
    """The account's current assignment in each live or planned model, as the viewer may see
    it: the territory, the source (rule, pin, excluded, unassigned) and the rule that matched."""
    if deal.account_id is None:
        return []
    rows = (
        AccountTerritory.objects.filter(account_id=deal.account_id, valid_to__isnull=True)
        .exclude(model__state=ModelState.ARCHIVED)
        .select_related("model", "territory", "rule")
        .order_by("model__state", "model__name")
    )
    # Excluded and unassigned rows have no territory: they say how the account stands.
    return list(rows.filter(territory_q(user, "territory") | Q(territory__isnull=True)))


def deal_page_get(*, user: AnyUser, deal_id: int) -> DealPage:
    """Everything the deal page shows, scoped to `user` (Http404 outside the deal scope)."""
    deal = deal_get_for_user(user=user, deal_id=deal_id)
    scope = scope_for(user)
    overlays = list(
        OverlayCredit.objects.filter(scope.people_q("person"), deal_id=deal.pk)
        .select_related("person")
        .order_by("-percent", "person__name")
    )
    lines = list(
        StatementLine.objects.filter(
            deal_id=deal.pk, statement__in=statement_list(user=user).values("pk")
        )
        .select_related("statement__person")
        .order_by("statement__period_start", "statement__person__name", "position")
    )
    history = list(
        deal.history.select_related("history_user").order_by("-history_date")[:HISTORY_ROWS]  # type: ignore[attr-defined]
    )
    return DealPage(
        deal=deal,
        splits=list(deal.splits.all()),
        overlays=overlays,
        territories=_territories(user=user, deal=deal),
        pursuit=deal_pursuit(user=user, deal_id=deal.pk),
        lines=lines,
        history=history,
    )


@login_required
def deal_view(request: HttpRequest, deal_id: int) -> HttpResponse:
    page = deal_page_get(user=request.user, deal_id=deal_id)
    return render(request, "dashboard/deal.html", {"p": page, "deal": page.deal})


urlpatterns = [path("<int:deal_id>/", deal_view, name="deal")]

"""The deal lists of the dashboard and /me/: stuck deals, a rep's open deals and follow-ups;
one query each."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db.models import (
    Count,
    F,
    Window,
)
from django.utils import timezone

from dashboard.deal_snapshots import stuck_deal_ids
from dashboard.scopes import DashboardScope
from dashboard.selectors.tiles import Tiles
from dashboard.snapshots import AsOf
from salesops.models import OPEN_STAGES, Deal, Stage


@dataclass(frozen=True)
class StuckDeals:
    deals: Sequence[Deal]
    total: int
    days: int


def dashboard_stuck_deals(
    *,
    scope: DashboardScope,
    limit: int = 10,
    as_of: AsOf | None = None,
    tiles: Tiles | None = None,
    roots: Sequence[int] = (),
) -> StuckDeals:
    """Open deals sitting in their stage longer than settings.DEAL_STUCK_DAYS, longest first;
    the first `limit` and the total count, in one query. With the night's deal snapshot (the
    tiles read it: `tiles.stuck_as_of` is the total), the list is the night's longest-stuck of
    the scope still open (their ids from the snapshot, through the deals' primary key); else
    every open deal of the scope, ordered, with a window count."""
    days = settings.DEAL_STUCK_DAYS
    open_deals = Deal.objects.filter(stage__in=OPEN_STAGES).select_related("owner", "account")
    if as_of is not None and tiles is not None and tiles.stuck_as_of is not None:
        ids = stuck_deal_ids(as_of=as_of.day, team_ids=scope.team_ids, roots=list(roots))
        deals = list(open_deals.filter(pk__in=ids).order_by("stage_entered_at", "id")[:limit])
        total = tiles.stuck_as_of
    else:
        cutoff = timezone.now() - timedelta(days=days)
        deals = list(
            open_deals.filter(scope.people_q("owner"), stage_entered_at__lt=cutoff)
            .annotate(total=Window(Count("id")))
            .order_by("stage_entered_at", "id")[:limit]
        )
        total = deals[0].total if deals else 0  # type: ignore[attr-defined]
    now = timezone.now()
    for deal in deals:
        deal.days_in_stage = (now - deal.stage_entered_at).days  # type: ignore[attr-defined,operator]
    return StuckDeals(deals=deals, total=total, days=days)


@dataclass(frozen=True)
class MyDeals:
    deals: Sequence[Deal]
    total: int
    stuck_before: datetime


def my_open_deals(*, scope: DashboardScope, limit: int = 25) -> MyDeals:
    """The person's open deals, oldest in stage first, with the total count: one query."""
    deals = list(
        Deal.objects.filter(scope.people_q("owner"), stage__in=OPEN_STAGES)
        .select_related("account", "product")
        .annotate(total=Window(Count("id")))
        .order_by(F("stage_entered_at").asc(nulls_last=True), "id")[:limit]
    )
    total = deals[0].total if deals else 0  # type: ignore[attr-defined]
    cutoff = timezone.now() - timedelta(days=settings.DEAL_STUCK_DAYS)
    return MyDeals(deals=deals, total=total, stuck_before=cutoff)


@dataclass(frozen=True)
class FollowUp:
    deal: Deal
    due: date
    overdue: bool


FOLLOW_UP_LOOKBACK_DAYS = 14
FOLLOW_UP_LOOKAHEAD_DAYS = 7


def my_follow_ups(*, scope: DashboardScope, today: date, limit: int = 10) -> list[FollowUp]:
    """Won deals owned in the scope whose customer check-in (close date + FOLLOW_UP_DAYS_AFTER_WON)
    falls in the last two weeks or the coming week, soonest first: one query."""
    days = timedelta(days=settings.FOLLOW_UP_DAYS_AFTER_WON)
    first = today - timedelta(days=FOLLOW_UP_LOOKBACK_DAYS) - days
    last = today + timedelta(days=FOLLOW_UP_LOOKAHEAD_DAYS) - days
    deals = (
        Deal.objects.filter(
            scope.people_q("owner"), stage=Stage.WON, close_date__gte=first, close_date__lte=last
        )
        .select_related("account")
        .order_by("close_date", "id")[:limit]
    )
    return [
        FollowUp(deal=d, due=d.close_date + days, overdue=d.close_date + days < today)
        for d in deals
        if d.close_date is not None
    ]

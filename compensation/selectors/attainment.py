"""Quota and attainment reads, set-based: one aggregate query per figure, whatever the head count.

Achieved value per metric (all through the one credit function where deals are credited):
- revenue: Σ credit of won deals closed in the period (salesops.selectors.credit);
- new_logos: Σ split share (percent / 100) of won deals that are their account's first won deal;
- retention: Σ credit of won deals on accounts that had an earlier won deal (repeat business);
- pipeline_created: Σ expected amount of deals engaged in the period that got past prospecting,
  credited to the deal owner (open pipeline has no splits yet);
- meetings_held: from the provider the meetings app registers (meetings.selectors.metrics).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import (
    DecimalField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Sum,
    Value,
)
from django.db.models.expressions import Exists

from compensation.conf import club_thresholds
from compensation.models import Metric, Quota
from salesops import calendar
from salesops.models import Deal, Person, Stage
from salesops.selectors.credit import credit_by_person, credited_splits
from salesops.selectors.scope import AnyUser, scope_for, team_subtree_ids

ZERO = Decimal(0)
HUNDRED = Decimal(100)
PCT = Decimal("0.01")
PRESIDENTS = "presidents"
CHAIRMANS = "chairmans"

MetricProvider = Callable[[list[int], date, date], dict[int, Decimal]]
_providers: dict[str, MetricProvider] = {}


def register_metric_provider(metric: str, provider: MetricProvider) -> None:
    """Let another app supply a metric: provider(person_ids, start, end).

    A registry because the providers sit above pay: the meetings app (meetings held) registers
    from its AppConfig.ready(), and tests plug in their own; compensation cannot import meetings
    (.importlinter)."""
    _providers[metric] = provider


def percent(value: Decimal | None, of: Decimal | None) -> Decimal | None:
    if value is None or of is None or of <= 0:
        return None
    return (value / of * HUNDRED).quantize(PCT, ROUND_HALF_UP)


def club_tier(credited: Decimal, quota: Decimal | None) -> str:
    """The club reached, on the exact ratio (99.999 % is not 100 % even if it displays so)."""
    if quota is None or quota <= 0:
        return ""
    presidents, chairmans = club_thresholds()
    if credited * HUNDRED >= chairmans * quota:
        return CHAIRMANS
    if credited * HUNDRED >= presidents * quota:
        return PRESIDENTS
    return ""


def quota_sums(*, by: str, metric: str = Metric.REVENUE, **filters: Any) -> dict[int, Decimal]:
    """Σ monthly quota amount grouped by `by` ("person_id", "team_id" or "territory_id")."""
    rows = (
        Quota.objects.filter(metric=metric, **filters)
        .values(by)
        .annotate(total=Sum("amount"))
        .values_list(by, "total")
    )
    return {key: total for key, total in rows if key is not None}


def quota_by_person(
    *, person_ids: Iterable[int], start: date, end: date, metric: str = Metric.REVENUE
) -> dict[int, Decimal]:
    """Σ monthly quota per person over the months starting in [start, end] (one GROUP BY)."""
    return quota_sums(
        by="person_id",
        metric=metric,
        person_id__in=list(person_ids),
        period_start__gte=start,
        period_start__lte=end,
    )


def achieved_by_person(
    *, person_ids: Iterable[int], start: date, end: date, metric: str = Metric.REVENUE
) -> dict[int, Decimal]:
    ids = list(person_ids)
    if metric == Metric.REVENUE:
        return credit_by_person(start=start, end=end, person_ids=ids)
    if metric in (Metric.NEW_LOGOS, Metric.RETENTION):
        earlier = Deal.objects.filter(
            account_id=OuterRef("deal__account_id"), stage=Stage.WON
        ).filter(
            Q(close_date__lt=OuterRef("deal__close_date"))
            | Q(close_date=OuterRef("deal__close_date"), pk__lt=OuterRef("deal_id"))
        )
        qs = credited_splits(start=start, end=end, person_ids=ids).filter(
            deal__account__isnull=False
        )
        if metric == Metric.NEW_LOGOS:
            value = ExpressionWrapper(
                F("percent") / Value(HUNDRED),
                output_field=DecimalField(max_digits=12, decimal_places=6),
            )
            qs = qs.filter(~Exists(earlier)).annotate(value=value)
        else:
            qs = qs.filter(Exists(earlier)).annotate(value=F("credit"))
        split_rows = (
            qs.values("person_id").annotate(total=Sum("value")).values_list("person_id", "total")
        )
        return {pid: total or ZERO for pid, total in split_rows}
    if metric == Metric.PIPELINE_CREATED:
        rows = (
            Deal.objects.filter(owner_id__in=ids, engage_date__gte=start, engage_date__lte=end)
            .exclude(stage=Stage.PROSPECTING)
            .exclude(stage=Stage.LOST, lost_at_stage__in=["", Stage.PROSPECTING])
            .values("owner_id")
            .annotate(total=Sum("amount"))
            .values_list("owner_id", "total")
        )
        return {pid: total or ZERO for pid, total in rows}
    provider = _providers.get(metric)
    return provider(ids, start, end) if provider else {}


@dataclass(frozen=True)
class AttainmentRow:
    person_id: int
    name: str
    team_id: int | None
    metric: str
    quota: Decimal | None
    credited: Decimal
    percent: Decimal | None  # credited / quota × 100, 2 places; None without a quota
    expected_to_date: Decimal | None  # where the person should be by `today` (linear pace)
    pace_percent: Decimal | None  # credited / expected_to_date × 100
    club_tier: str  # "presidents", "chairmans" or "" (by this row's percent)


def _expected(quota: Decimal | None, start: date, end: date, today: date) -> Decimal | None:
    if quota is None:
        return None
    days = (end - start).days + 1
    elapsed = min(max((today - start).days + 1, 0), days)
    return (quota * elapsed / days).quantize(PCT, ROUND_HALF_UP)


def attainment_for_people(
    *,
    user: AnyUser,
    person_ids: Iterable[int],
    start: date,
    end: date,
    metric: str = Metric.REVENUE,
    today: date | None = None,
) -> dict[int, AttainmentRow]:
    """Attainment per person over [start, end], for the people the user may see (others are
    silently left out). Four queries whatever the number of people."""
    people = list(
        Person.objects.filter(scope_for(user).people_q(), pk__in=list(person_ids)).values_list(
            "pk", "name", "team_id"
        )
    )
    ids = [p[0] for p in people]
    quotas = quota_by_person(person_ids=ids, start=start, end=end, metric=metric)
    achieved = achieved_by_person(person_ids=ids, start=start, end=end, metric=metric)
    day = today or calendar.company_today()
    out: dict[int, AttainmentRow] = {}
    for pid, name, team_id in people:
        quota = quotas.get(pid)
        credited = achieved.get(pid, ZERO)
        pct = percent(credited, quota)
        expected = _expected(quota, start, end, day)
        out[pid] = AttainmentRow(
            person_id=pid,
            name=name,
            team_id=team_id,
            metric=metric,
            quota=quota,
            credited=credited,
            percent=pct,
            expected_to_date=expected,
            pace_percent=percent(credited, expected),
            club_tier=club_tier(credited, quota),
        )
    return out


@dataclass(frozen=True)
class TeamRow:
    team_id: int
    name: str
    own_quota: Decimal | None  # the team's (manager's) own number
    members_quota: Decimal  # Σ quotas of the people in the team and its sub-teams
    assignment_gap: Decimal | None  # members − own: > 0 over-assigned, < 0 under-assigned
    credited: Decimal
    percent: Decimal | None  # credited / own quota (members' sum when the team has none)


def team_rollup(
    *,
    user: AnyUser,
    team_ids: Iterable[int],
    start: date,
    end: date,
    metric: str = Metric.REVENUE,
) -> list[TeamRow]:
    """Per team (with its sub-teams): own quota beside the sum of its members' quotas, and the
    credited value of its members. A fixed number of queries: per-team sums are rolled up from
    per-team GROUP BYs over the team tree (teams are few; people are many)."""
    from salesops.models import Team

    scope = scope_for(user)
    teams = list(
        Team.objects.filter(scope.teams_q(), pk__in=list(team_ids)).values_list("pk", "name")
    )
    subtrees = {tid: team_subtree_ids([tid]) for tid, _ in teams}
    all_ids = sorted(set().union(*subtrees.values())) if subtrees else []
    members = dict(Person.objects.filter(team_id__in=all_ids).values_list("pk", "team_id"))
    own = quota_sums(
        by="team_id",
        metric=metric,
        team_id__in=[t for t, _ in teams],
        period_start__gte=start,
        period_start__lte=end,
    )
    person_quota = quota_by_person(person_ids=members, start=start, end=end, metric=metric)
    person_credit = achieved_by_person(person_ids=members, start=start, end=end, metric=metric)
    rows = []
    for tid, name in teams:
        people = [pid for pid, team in members.items() if team in subtrees[tid]]
        members_quota = sum((person_quota.get(p, ZERO) for p in people), ZERO)
        credited = sum((person_credit.get(p, ZERO) for p in people), ZERO)
        own_quota = own.get(tid)
        rows.append(
            TeamRow(
                team_id=tid,
                name=name,
                own_quota=own_quota,
                members_quota=members_quota,
                assignment_gap=None if own_quota is None else members_quota - own_quota,
                credited=credited,
                percent=percent(credited, own_quota if own_quota is not None else members_quota),
            )
        )
    return rows

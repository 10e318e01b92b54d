"""Reads of efficiency snapshots, magic number and effectiveness, scoped by the caller.

Who sees which snapshot: sales ops and admins everything; a manager their own person row, the
people and teams they manage (down the hierarchy); a rep their own person row. Company, role and
plug-in scopes (territory) are org-wide figures: sales ops and admins only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from itertools import pairwise
from typing import Any

from django.db import connection
from django.db.models import Q, QuerySet
from psycopg2 import sql

from salesops.formulas import efficiency_ratio, magic_number
from salesops.models import (
    OPEN_STAGES,
    STAGE_ORDER,
    EfficiencySnapshot,
    Period,
    ScopeType,
    Stage,
)
from salesops.selectors.scope import AnyUser, scope_for, visible_people
from salesops.selectors.sql import DEALS_TABLE, PEOPLE_TABLE, TEAMS_TABLE

MAGIC_MODERATE = Decimal("0.75")
# part / whole × 100 at 4 decimals, None for an empty whole: the efficiency ratio's arithmetic.
_percent = efficiency_ratio
MAGIC_STRONG = Decimal("1")


def _visible_q(user: AnyUser) -> Q:
    scope = scope_for(user)
    if scope.everything:
        return Q()
    if scope.nothing:
        return Q(scope_id__in=[])
    people = visible_people(user=user).values("pk")
    q = Q(scope_type=ScopeType.PERSON, scope_id__in=people)
    if scope.team_ids:
        q |= Q(scope_type=ScopeType.TEAM, scope_id__in=sorted(scope.team_ids))
    return q


def efficiency_snapshot_list(*, user: AnyUser) -> QuerySet[EfficiencySnapshot]:
    """Every snapshot the user may see (filter with EfficiencySnapshotFilter)."""
    return EfficiencySnapshot.objects.filter(_visible_q(user)).order_by(
        "-period_end", "scope_type", "scope_id", "scope_key", "period"
    )


def efficiency_latest_publish() -> tuple[date, datetime] | None:
    """(business date, computed_at) of the newest published snapshot set: its company-wide
    year-to-date or trailing-90-day row (one of them exists once anything happened in the last
    90 days). Not scoped: the date says nothing about anyone's figures."""
    row = (
        EfficiencySnapshot.objects.filter(
            scope_type=ScopeType.COMPANY, scope_id=0, period__in=[Period.YTD, Period.T90]
        )
        .order_by("-period_end", "-computed_at")
        .values_list("period_end", "computed_at")
        .first()
    )
    return None if row is None else (row[0], row[1])


def efficiency_trend(
    *,
    user: AnyUser,
    scope_type: str,
    scope_id: int = 0,
    scope_key: str = "",
    period: str = Period.DAY,
    start: date | None = None,
    end: date | None = None,
) -> QuerySet[EfficiencySnapshot]:
    """A time series: the `period` snapshots of one scope by period end (default: daily)."""
    qs = efficiency_snapshot_list(user=user).filter(
        scope_type=scope_type, scope_id=scope_id, scope_key=scope_key, period=period
    )
    if start is not None:
        qs = qs.filter(period_end__gte=start)
    if end is not None:
        qs = qs.filter(period_end__lte=end)
    return qs.order_by("period_end")


@dataclass(frozen=True)
class MagicNumber:
    scope_type: str
    scope_id: int
    quarter_start: date
    quarter_end: date
    revenue: Decimal
    previous_revenue: Decimal
    previous_cost: Decimal
    value: Decimal | None
    band: str
    # Revenue growth over the previous quarter that would give a magic number of 0.75.
    increase_for_moderate: Decimal | None


def _band(value: Decimal | None) -> str:
    if value is None:
        return "undefined"
    if value < MAGIC_MODERATE:
        return "inefficient"
    if value <= MAGIC_STRONG:
        return "moderate"
    return "strong"


def efficiency_magic_numbers(
    *, user: AnyUser, scope_type: str | None = None, scope_id: int | None = None
) -> list[MagicNumber]:
    """Magic number per closed quarter for the company and each team, from quarter snapshots:
    (revenue[q] − revenue[q−1]) × 4 / cost[q−1], where cost[q−1] is all ledger cost of the
    scope in q−1 (sales and marketing alike)."""
    qs = efficiency_snapshot_list(user=user).filter(
        period=Period.QUARTER, scope_type__in=[ScopeType.COMPANY, ScopeType.TEAM]
    )
    if scope_type:
        qs = qs.filter(scope_type=scope_type)
    if scope_id is not None:
        qs = qs.filter(scope_id=scope_id)
    rows = list(
        qs.order_by("scope_type", "scope_id", "period_start").values_list(
            "scope_type", "scope_id", "period_start", "period_end", "revenue", "cost"
        )
    )
    result = []
    for prev, cur in pairwise(rows):
        same_scope = prev[:2] == cur[:2]
        consecutive = prev[3] + timedelta(days=1) == cur[2]
        if not (same_scope and consecutive):
            continue
        value = magic_number(cur[4], prev[4], prev[5])
        needed = None if prev[5] == 0 else (MAGIC_MODERATE * prev[5] / 4).quantize(Decimal("0.01"))
        result.append(
            MagicNumber(
                scope_type=cur[0],
                scope_id=cur[1],
                quarter_start=cur[2],
                quarter_end=cur[3],
                revenue=cur[4],
                previous_revenue=prev[4],
                previous_cost=prev[5],
                value=value,
                band=_band(value),
                increase_for_moderate=needed,
            )
        )
    return result


@dataclass(frozen=True)
class StageConversion:
    from_stage: str
    to_stage: str
    reached: int
    advanced: int
    rate: Decimal | None  # percent of the deals that reached from_stage


@dataclass(frozen=True)
class Effectiveness:
    scope_type: str
    scope_id: int
    deals: int
    won: int
    lost: int
    win_rate: Decimal | None  # percent: won / (won + lost) × 100
    conversions: list[StageConversion]


def _reached_sql(index: int) -> tuple[sql.SQL, list[Any]]:
    """A deal reached STAGE_ORDER[index] if it is there or further, or was lost from there on."""
    if index == 0:
        return sql.SQL("TRUE"), []
    later = list(STAGE_ORDER[index:])
    lost_from = list(OPEN_STAGES[index:])
    return sql.SQL("(d.stage = ANY(%s) OR (d.stage = %s AND d.lost_at_stage = ANY(%s)))"), [
        later,
        str(Stage.LOST),
        lost_from,
    ]


# Deals by owner, or by every team above (and including) the owner's current team.
_BY_PERSON_FROM = sql.SQL("{deals} d").format(deals=DEALS_TABLE)
_BY_TEAM_FROM = sql.SQL(
    """
    {deals} d JOIN {people} p ON p.id = d.owner_id
    JOIN (
        WITH RECURSIVE closure(ancestor, team_id) AS (
            SELECT id, id FROM {teams}
            UNION ALL
            SELECT c.ancestor, t.id FROM closure c
            JOIN {teams} t ON t.parent_id = c.team_id
        )
        SELECT ancestor, team_id FROM closure
    ) c ON c.team_id = p.team_id
    """
).format(deals=DEALS_TABLE, people=PEOPLE_TABLE, teams=TEAMS_TABLE)
_EFFECTIVENESS_SQL = sql.SQL(
    "SELECT {key}, COUNT(*), {columns} FROM {source} WHERE {where} GROUP BY {key} ORDER BY {key}"
)


def efficiency_effectiveness(
    *, user: AnyUser, group_by: str, start: date | None = None, end: date | None = None
) -> list[Effectiveness]:
    """Stage-to-stage conversion and win rate per person (deal owner) or team (owners in the
    team or its sub-teams, by their current team), for deals engaged in [start, end] (a deal
    without an engage date counts from its creation day). One aggregate query."""
    if group_by not in (ScopeType.PERSON, ScopeType.TEAM):
        raise ValueError("group_by is 'person' or 'team'")
    columns: list[sql.Composable] = []
    params: list[Any] = []
    for index in range(len(STAGE_ORDER)):
        condition, condition_params = _reached_sql(index)
        columns.append(sql.SQL("COUNT(*) FILTER (WHERE {})").format(condition))
        params += condition_params
    columns.append(sql.SQL("COUNT(*) FILTER (WHERE d.stage = %s)"))
    columns.append(sql.SQL("COUNT(*) FILTER (WHERE d.stage = %s)"))
    params += [str(Stage.WON), str(Stage.LOST)]
    where: list[sql.Composable] = [sql.SQL("TRUE")]
    where_params: list[Any] = []
    if start is not None:
        where.append(sql.SQL("COALESCE(d.engage_date, d.created_at::date) >= %s"))
        where_params.append(start)
    if end is not None:
        where.append(sql.SQL("COALESCE(d.engage_date, d.created_at::date) <= %s"))
        where_params.append(end)
    scope = scope_for(user)
    visible: list[int] | None = None
    if group_by == ScopeType.PERSON:
        key, source = sql.SQL("d.owner_id"), _BY_PERSON_FROM
        if not scope.everything:
            visible = list(visible_people(user=user).values_list("pk", flat=True))
    else:
        key, source = sql.SQL("c.ancestor"), _BY_TEAM_FROM
        if not scope.everything:
            visible = sorted(scope.team_ids)
    if visible is not None:
        where.append(sql.SQL("{} = ANY(%s)").format(key))
        where_params.append(visible)
    query = _EFFECTIVENESS_SQL.format(
        key=key,
        columns=sql.SQL(", ").join(columns),
        source=source,
        where=sql.SQL(" AND ").join(where),
    )
    with connection.cursor() as cur:
        cur.execute(query, [*params, *where_params])
        rows = cur.fetchall()
    result = []
    for key, deals, *counts in rows:
        reached, won, lost = counts[: len(STAGE_ORDER)], counts[-2], counts[-1]
        conversions = [
            StageConversion(
                from_stage=str(STAGE_ORDER[i]),
                to_stage=str(STAGE_ORDER[i + 1]),
                reached=reached[i],
                advanced=reached[i + 1],
                rate=_percent(Decimal(reached[i + 1]), Decimal(reached[i])),
            )
            for i in range(len(STAGE_ORDER) - 1)
        ]
        result.append(
            Effectiveness(
                scope_type=group_by,
                scope_id=key,
                deals=deals,
                won=won,
                lost=lost,
                win_rate=_percent(Decimal(won), Decimal(won + lost)),
                conversions=conversions,
            )
        )
    return result

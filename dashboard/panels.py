"""Panels fed by the other apps' selectors (efficiency, compensation, meetings, territories).

Each panel shows an empty state that says what to do next when its app has no data yet (no quota,
no active territory model, no snapshots) instead of made-up figures. Every panel is a fixed number of
queries: the apps' selectors aggregate in SQL over the list of people the dashboard already holds.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Prefetch, Q
from django.utils import timezone

from compensation.selectors import AttainmentRow, attainment_for_people, club_members
from compensation.selectors.pay import statement_list
from dashboard.periods import Period
from dashboard.scopes import DashboardScope
from dashboard.selectors import ZERO, PeopleTable
from dashboard.snapshot_attainment import attainment_from_snapshots, clubs_from_snapshots
from dashboard.snapshots import AsOf, snapshot_span
from meetings.models import AgendaItem, MeetingStatus
from meetings.selectors.load import meeting_cost_by_person_week, meeting_load_by_person, monday_of
from meetings.selectors.meetings import meeting_list, my_open_action_items, notifications_for_user
from salesops import calendar
from salesops.formulas import HUNDRED
from salesops.models import REP_ROLES, Person
from salesops.selectors.efficiency import efficiency_snapshot_list
from salesops.selectors.scope import AnyUser
from territories.models import ModelState
from territories.selectors import Balance, territory_metrics, territory_q, visible_models


def _percent(part: Decimal, whole: Decimal) -> Decimal | None:
    if whole <= 0:
        return None
    return (part * HUNDRED / whole).quantize(Decimal("0.1"))


@dataclass(frozen=True)
class AttainmentTile:
    credited: Decimal
    quota: Decimal
    percent: Decimal | None
    pace: Decimal | None
    people_with_quota: int
    # Only the people shown in a truncated people table were counted.
    partial: bool = False


def _attainment(
    *,
    user: AnyUser,
    person_ids: list[int],
    period: Period,
    today: date,
    as_of: AsOf | None = None,
    people: PeopleTable | None = None,
) -> tuple[dict[int, AttainmentRow], AttainmentTile | None]:
    """Per-person attainment rows and the scope's tile (Σcredited / Σquota over the people with a
    quota) for the whole month/quarter/year of the period: from the quotas and the nightly
    snapshots as of `as_of` when they hold the period (2 queries; 1 given the `people` table whose
    revenue is those snapshots'), else compensation's live
    selector (4 queries). The people are the dashboard scope's, already within the user's."""
    # The people table's revenue is the same snapshots' (when they hold the period).
    revenue = None if people is None else {r.person_id: r.revenue for r in people.rows}
    found = attainment_from_snapshots(
        person_ids=person_ids, period=period, as_of=as_of, credited=revenue
    )
    rows = found
    if rows is None:
        rows = attainment_for_people(
            user=user, person_ids=person_ids, start=period.start, end=period.full_end, today=today
        )
    with_quota = [r for r in rows.values() if r.quota is not None and r.quota > 0]
    if not with_quota:
        return rows, None
    quota = sum((r.quota or ZERO for r in with_quota), ZERO)
    credited = sum((r.credited for r in with_quota), ZERO)
    expected = sum((r.expected_to_date or ZERO for r in with_quota), ZERO)
    tile = AttainmentTile(
        credited=credited,
        quota=quota,
        percent=_percent(credited, quota),
        pace=_percent(credited, expected),
        people_with_quota=len(with_quota),
    )
    return rows, tile


def people_by_attainment(
    *,
    user: AnyUser,
    people: PeopleTable,
    period: Period,
    today: date,
    limit: int | None,
    as_of: AsOf | None = None,
    offset: int = 0,
) -> PeopleTable:
    """The table (every person of the scope) ordered by attainment of the whole period, highest
    first, people without a quota last, then cut to `limit` rows from `offset` (a page; see
    _attainment)."""
    rows, _tile = _attainment(
        user=user,
        person_ids=[r.person_id for r in people.rows],
        period=period,
        today=today,
        as_of=as_of,
        people=people,
    )

    def key(row: Any) -> tuple[int, Decimal, Decimal, str]:
        found = rows.get(row.person_id)
        pct = found.percent if found is not None else None
        return (pct is None, -(pct or ZERO), -row.revenue, row.name)

    ordered = sorted(people.rows, key=key)
    rows_shown = ordered[offset:] if limit is None else ordered[offset : offset + limit]
    return replace(people, rows=rows_shown, offset=offset)


def _clubs(*, period: Period, people: PeopleTable, as_of: AsOf | None = None) -> dict[int, str]:
    """Club tier per rep for the fiscal year containing the period's end (≥ 100 % / ≥ 125 % of
    the annual plan): of the people shown, from the year-to-date snapshots (2 queries; 1 on a YTD
    page, whose table holds the same snapshots' revenue), else compensation's `club_members` of
    everyone (3 queries, every rep's yearly credit). The table's roles say who is a rep."""
    year = calendar.year_containing(period.end)
    span = None if as_of is None else snapshot_span(period, as_of.day)
    ytd = span is not None and span.period == "ytd" and span.start == year.start
    found = clubs_from_snapshots(
        person_ids=[r.person_id for r in people.rows],
        day=period.end,
        as_of=as_of,
        reps=[r.person_id for r in people.rows if r.role_code in REP_ROLES],
        ytd_revenue={r.person_id: r.revenue for r in people.rows} if ytd else None,
    )
    if found is not None:
        return found
    return {m.person_id: m.tier for m in club_members(year=year)}


@dataclass(frozen=True)
class MeetingLoad:
    week_start: date
    limit: Decimal
    hours: Decimal
    cost: Decimal
    overloaded: list[tuple[str, Decimal]]
    people: int


def _meeting_load(*, people: PeopleTable, today: date) -> MeetingLoad:
    """This week's internal-meeting hours per person (flagged over MEETING_LOAD_LIMIT_HOURS) and
    meeting cost, for the people in the table: two queries (meetings' load selectors)."""
    week_start = monday_of(today)
    ids = [row.person_id for row in people.rows if row.active]
    load = meeting_load_by_person(person_ids=ids, week_start=week_start)
    costs = meeting_cost_by_person_week(person_ids=ids, week_start=week_start)
    names = {row.person_id: row for row in people.rows}
    for pid, entry in load.items():
        names[pid].extra["meeting_hours"] = entry.hours
        names[pid].extra["meeting_overloaded"] = entry.overloaded
    overloaded = sorted(
        ((names[pid].name, entry.hours) for pid, entry in load.items() if entry.overloaded),
        key=lambda item: (-item[1], item[0]),
    )
    return MeetingLoad(
        week_start=week_start,
        limit=Decimal(str(settings.MEETING_LOAD_LIMIT_HOURS)),
        hours=sum((entry.hours for entry in load.values()), ZERO),
        cost=sum((c.cost for c in costs), ZERO),
        overloaded=overloaded,
        people=len(ids),
    )


def _territory_balance(*, user: AnyUser, today: date, as_of: AsOf | None) -> Balance | None:
    """Potential, quota and won revenue per territory of the active model the user can see
    (territories' balance selector: from its nightly snapshot of the figures' business date when
    there is one); None while no model is active."""
    # The user's visible territories, looked up once for the model and for its rows.
    visible = territory_q(user)
    model = visible_models(user=user, visible=visible).filter(state=ModelState.ACTIVE).first()
    if model is None:
        return None
    day = None if as_of is None else as_of.day
    return territory_metrics(user=user, model=model, today=today, as_of=day, visible=visible)


def team_panels(
    *,
    user: AnyUser,
    scope: DashboardScope,
    options: list[Any],
    period: Period,
    people: PeopleTable,
    today: date,
    as_of: AsOf | None = None,
) -> dict[str, Any]:
    panels: dict[str, Any] = {
        "trend": efficiency_trend_panel(
            user=user, scope=scope, options=options, people=people, today=today
        ),
        "attainment": None,
        "attainment_tile": None,
        "meeting_load": None,
        "territory_balance": None,
    }
    shown = [r.person_id for r in people.rows]
    rows, tile = _attainment(
        user=user, person_ids=shown, period=period, today=today, as_of=as_of, people=people
    )
    if tile is not None and people.truncated:
        tile = replace(tile, partial=True)
    # Always, so the page's query count does not depend on data.
    clubs = _clubs(period=period, people=people, as_of=as_of)
    if tile is not None:
        for row in people.rows:
            found = rows.get(row.person_id)
            row.extra["attainment"] = found.percent if found else None
            row.extra["pace"] = found.pace_percent if found else None
            row.extra["club"] = clubs.get(row.person_id, "")
        panels["attainment"] = True
        panels["attainment_tile"] = tile
    panels["meeting_load"] = _meeting_load(people=people, today=today)
    panels["territory_balance"] = _territory_balance(user=user, today=today, as_of=as_of)
    return panels


def personal_panels(
    *, user: AnyUser, person: Person, period: Period, today: date, as_of: AsOf | None = None
) -> dict[str, Any]:
    panels: dict[str, Any] = {
        "quota": None,
        "statement": None,
        "meetings": None,
        "action_items": None,
        "notifications": None,
    }
    _rows, tile = _attainment(
        user=user, person_ids=[person.pk], period=period, today=today, as_of=as_of
    )
    panels["quota"] = tile
    panels["statement"] = (
        statement_list(user=user).filter(person_id=person.pk).order_by("-period_start").first()
    )
    panels["meetings"] = list(
        meeting_list(user=user, mine_only=True)
        .filter(start__gte=timezone.now())
        .exclude(status=MeetingStatus.CANCELLED)
        # The panel shows each meeting's agenda (with its owners), not its attendees or action
        # items: two queries, not four.
        .prefetch_related(None)
        .prefetch_related(
            Prefetch("agenda_items", queryset=AgendaItem.objects.select_related("owner"))
        )[:5]
    )
    panels["action_items"] = list(my_open_action_items(user=user)[:10])
    panels["notifications"] = list(notifications_for_user(user=user).order_by("-created_at")[:5])
    return panels


TREND_DAYS = 365
TREND_MEMBERS = 8
# The trend plots the trailing-90-day ratio as of each day: smooth enough to read, daily.
TREND_PERIOD = "t90"


def _trend_roots(scope: DashboardScope, options: list[Any]) -> list[tuple[str, int, str]]:
    """(scope_type, scope_id, label) of the scope's own line(s): the company, or each top team."""
    if scope.is_company:
        return [("company", 0, "Whole company")]
    if scope.team_ids is None:
        return []
    parents = {o.team_id: o.parent_id for o in options if o.team_id is not None}
    names = {o.team_id: o.name for o in options if o.team_id is not None}
    roots = [t for t in sorted(scope.team_ids) if parents.get(t) not in scope.team_ids]
    return [("team", t, names.get(t, f"Team {t}")) for t in roots]


def efficiency_trend_panel(
    *,
    user: AnyUser,
    scope: DashboardScope,
    options: list[Any],
    people: PeopleTable,
    today: date,
) -> dict[str, Any]:
    """Daily trailing-90-day efficiency ratio over the last 12 months for the scope and its top
    earners, from the nightly snapshots (one query through the efficiency app's scoped selector).
    An empty series (days == 0) until the nightly run has written snapshots."""
    roots = _trend_roots(scope, options)
    members = [row for row in people.rows if row.active][:TREND_MEMBERS]
    wanted = Q(scope_id__in=[])
    for scope_type, scope_id, _label in roots:
        wanted |= Q(scope_type=scope_type, scope_id=scope_id)
    if members:
        wanted |= Q(scope_type="person", scope_id__in=[m.person_id for m in members])
    rows = (
        efficiency_snapshot_list(user=user)
        .filter(wanted, period=TREND_PERIOD, scope_key="")
        .filter(period_end__gt=today - timedelta(days=TREND_DAYS), period_end__lte=today)
        .order_by("period_end")
        .values_list("scope_type", "scope_id", "period_end", "ratio")
    )
    by_series: dict[tuple[str, int], dict[date, Decimal | None]] = {}
    days: set[date] = set()
    for scope_type, scope_id, day, ratio in rows:
        by_series.setdefault((scope_type, scope_id), {})[day] = ratio
        days.add(day)
    labels = sorted(days)
    series = [((t, i), label) for t, i, label in roots]
    series += [(("person", m.person_id), m.name) for m in members]
    chart = {
        "labels": [d.isoformat() for d in labels],
        "roots": len(roots),
        "series": [
            {
                "label": label,
                "values": [
                    None if (v := by_series.get(key, {}).get(d)) is None else float(v)
                    for d in labels
                ],
            }
            for key, label in series
        ],
    }
    return {
        "chart": chart,
        "members": [{"label": m.name} for m in members],
        "roots": len(roots),
        "days": len(labels),
    }

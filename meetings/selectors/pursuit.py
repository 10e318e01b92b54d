"""Cost of pursuit: what the meetings held for a deal took (hours) and cost (posted ledger).

A meeting is "for" a deal when it names the deal (MeetingDeal, several allowed) or has it as its
`deal`. A deal's cost of pursuit is the sum of the meeting-time ledger entries posted for those
meetings (meetings.services.costs posts them when a meeting is marked done); a meeting held for
two deals counts in full for each. Hours are the person-hours of the people whose cost a held
meeting posts (accepted or marked attended). Cancelled meetings are left out. Money is shown only
to viewers who may see the rate of every person whose time was posted (docs/domain.md).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum

from meetings.models import Attendee, Meeting, MeetingDeal, MeetingStatus, Rsvp
from meetings.selectors.meetings import visible_meetings
from salesops.formulas import efficiency_ratio
from salesops.models import CostCategory, CostSource, Deal, SalesCost, Stage
from salesops.selectors.core import deal_get_for_user, deal_scope_q
from salesops.selectors.scope import AnyUser, Scope, scope_for

ZERO = Decimal("0.00")
SIXTY = Decimal(60)
# Deal segments by the account's head count (docs/domain.md, "Cost of pursuit").
SEGMENT_BANDS: tuple[tuple[str, int], ...] = (("smb", 100), ("mid_market", 1000))
SEGMENT_LABELS = {
    "smb": "SMB (< 100 employees)",
    "mid_market": "Mid-market (100–999)",
    "enterprise": "Enterprise (≥ 1,000)",
    "unknown": "Unknown size",
}


@dataclass(frozen=True)
class PursuitMeeting:
    id: int
    title: str
    start: datetime
    status: str
    hours: Decimal
    # None when the viewer may not see every posted person's rate.
    cost: Decimal | None


@dataclass(frozen=True)
class DealPursuit:
    deal_id: int
    meetings: list[PursuitMeeting]
    meeting_count: int
    hours: Decimal
    cost: Decimal | None


def _ref(meeting_id: int) -> str:
    return f"meeting:{meeting_id}"


def costed_attendees_q(prefix: str = "") -> Q:
    """Attendees whose time a held meeting posts: internal, and marked attended, or not marked
    and accepted (the rule of meetings.services.costs)."""
    p = f"{prefix}__" if prefix else ""
    return Q(**{f"{p}person__isnull": False}) & (
        Q(**{f"{p}attended": True}) | Q(**{f"{p}attended__isnull": True, f"{p}rsvp": Rsvp.ACCEPTED})
    )


def meetings_for_deals(deal_ids: Iterable[int]) -> QuerySet[Meeting]:
    """Meetings (not cancelled) held or planned for any of the deals."""
    ids = list(deal_ids)
    linked = MeetingDeal.objects.filter(deal_id__in=ids).values("meeting_id")
    return Meeting.objects.filter(Q(pk__in=linked) | Q(deal_id__in=ids)).exclude(
        status=MeetingStatus.CANCELLED
    )


def _deal_pairs(deal_ids: Iterable[int]) -> set[tuple[int, int]]:
    """(deal_id, meeting_id) for every meeting held or planned for the deals (two queries)."""
    ids = list(deal_ids)
    live = ~Q(meeting__status=MeetingStatus.CANCELLED)
    pairs = set(
        MeetingDeal.objects.filter(live, deal_id__in=ids).values_list("deal_id", "meeting_id")
    )
    pairs.update(
        Meeting.objects.filter(deal_id__in=ids)
        .exclude(status=MeetingStatus.CANCELLED)
        .values_list("deal_id", "pk")
    )
    return {(d, m) for d, m in pairs if d is not None}


def _hours_by_meeting(meeting_ids: Iterable[int]) -> dict[int, Decimal]:
    rows = (
        Attendee.objects.filter(
            costed_attendees_q(),
            meeting_id__in=list(meeting_ids),
            meeting__status=MeetingStatus.DONE,
        )
        .values("meeting_id", "meeting__duration_minutes")
        .annotate(people=Count("id"))
    )
    return {
        r["meeting_id"]: (Decimal(r["people"] * r["meeting__duration_minutes"]) / SIXTY).quantize(
            Decimal("0.01")
        )
        for r in rows
    }


def _posted(meeting_ids: Iterable[int], *, scope: Scope | None = None) -> QuerySet[SalesCost]:
    qs = SalesCost.objects.filter(
        source=CostSource.COMPUTED,
        category=CostCategory.MEETING_TIME,
        external_ref__in=[_ref(m) for m in meeting_ids],
    )
    if scope is not None and not scope.everything:
        qs = qs.filter(scope.people_q("person"))
    return qs


@dataclass(frozen=True)
class MeetingFigures:
    """Per meeting id: `hours`, the person-hours of the people whose time a held meeting posts
    (meetings not held are absent); `cost`, the meeting-time ledger entries posted for it, in the
    base currency (meetings without a posted cost are absent)."""

    hours: dict[int, Decimal]
    cost: dict[int, Decimal]


def meeting_figures(*, meeting_ids: Iterable[int], scope: Scope | None = None) -> MeetingFigures:
    """Hours and posted cost of each of the meetings, for a cost-of-pursuit roll-up that found its
    meetings another way (the dashboard's panel from the night's deal snapshot). With `scope`,
    the cost counts only the time of people in it (a manager sees what their people's time cost);
    None counts everyone's. Not scoped otherwise: the caller has chosen the meetings. Two queries
    (none for no meetings)."""
    ids = set(meeting_ids)
    if not ids:
        return MeetingFigures(hours={}, cost={})
    id_by_ref = {_ref(m): m for m in ids}
    totals = (
        _posted(ids, scope=scope)
        .values("external_ref")
        .annotate(total=Sum("amount"))
        .values_list("external_ref", "total")
    )
    return MeetingFigures(
        hours=_hours_by_meeting(ids),
        cost={id_by_ref[ref]: total for ref, total in totals if ref in id_by_ref},
    )


def _sees_rates(scope: Scope, people: Iterable[tuple[int, int | None]]) -> bool:
    if scope.everything:
        return True
    return all(pid == scope.person_id or team in scope.team_ids for pid, team in people)


def deal_pursuit(*, user: AnyUser, deal_id: int) -> DealPursuit:
    """A deal's meetings, hours and cost of pursuit (404 outside the user's deal scope).

    `cost` is the sum of the ledger entries posted for its meetings, or None for a viewer who
    may not see the rate of every person posted. The meetings listed are those the viewer may
    see; the totals cover all of the deal's meetings. Four queries."""
    deal = deal_get_for_user(user=user, deal_id=deal_id)
    scope = scope_for(user)
    meeting_ids = {m for _, m in _deal_pairs([deal.pk])}
    hours = _hours_by_meeting(meeting_ids)
    ledger = list(
        _posted(meeting_ids).values_list("external_ref", "amount", "person_id", "person__team_id")
    )
    sees_cost = _sees_rates(scope, ((p, t) for _, _, p, t in ledger))
    cost_by_ref: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for ref, amount, _, _ in ledger:
        cost_by_ref[ref or ""] += amount
    shown = (
        visible_meetings(user=user)
        .filter(pk__in=meeting_ids)
        .only("pk", "title", "start", "status")
        .order_by("start", "pk")
    )
    rows = [
        PursuitMeeting(
            id=m.pk,
            title=m.title,
            start=m.start,
            status=m.status,
            hours=hours.get(m.pk, ZERO),
            cost=cost_by_ref.get(_ref(m.pk), ZERO) if sees_cost else None,
        )
        for m in shown
    ]
    return DealPursuit(
        deal_id=deal.pk,
        meetings=rows,
        meeting_count=len(meeting_ids),
        hours=sum(hours.values(), ZERO),
        cost=sum(cost_by_ref.values(), ZERO) if sees_cost else None,
    )


# --- the dashboard panel: closed deals by segment and stage ------------------------------------


def deal_segment(employees: int | None) -> str:
    if employees is None:
        return "unknown"
    for name, below in SEGMENT_BANDS:
        if employees < below:
            return name
    return "enterprise"


@dataclass
class PursuitGroup:
    segment: str
    outcome: str  # won | lost
    stage: str  # won, or the stage a lost deal was lost at
    deals: int = 0
    meetings: int = 0
    hours: Decimal = ZERO
    cost: Decimal = ZERO

    @property
    def segment_label(self) -> str:
        return SEGMENT_LABELS[self.segment]

    @property
    def cost_per_deal(self) -> Decimal | None:
        return (self.cost / self.deals).quantize(Decimal("0.01")) if self.deals else None


@dataclass
class SegmentEfficiency:
    segment: str
    won_revenue: Decimal = ZERO
    pursuit_cost: Decimal = ZERO

    @property
    def segment_label(self) -> str:
        return SEGMENT_LABELS[self.segment]

    @property
    def ratio(self) -> Decimal | None:
        """Won revenue / cost of pursuit of all closed deals × 100; None when cost is 0."""
        return efficiency_ratio(self.won_revenue, self.pursuit_cost)


@dataclass(frozen=True)
class PursuitPanel:
    groups: list[PursuitGroup]
    segments: list[SegmentEfficiency]
    start: date
    end: date

    @property
    def empty(self) -> bool:
        return not any(g.meetings for g in self.groups)


def _closed_deals(
    user: AnyUser, start: date, end: date
) -> list[tuple[int, str, str, Decimal | None, int | None]]:
    return list(
        Deal.objects.filter(
            deal_scope_q(scope_for(user)),
            stage__in=[Stage.WON, Stage.LOST],
            close_date__gte=start,
            close_date__lte=end,
        ).values_list("pk", "stage", "lost_at_stage", "close_value", "account__employees")
    )


def pursuit_by_segment(*, user: AnyUser, start: date, end: date) -> PursuitPanel:
    """Cost of pursuit of the deals won or lost between `start` and `end` (close date), in the
    user's deal scope, per segment and stage; and per segment the efficiency ratio of won revenue
    to the pursuit cost of all its closed deals. Costs count only the time of people in the
    user's scope (a manager sees what their people's time cost). Five queries."""
    deals = _closed_deals(user, start, end)
    pairs = _deal_pairs(d[0] for d in deals)
    meeting_ids = {m for _, m in pairs}
    # Without meetings for these deals there are no hours or costs to read (two queries fewer).
    figures = meeting_figures(meeting_ids=meeting_ids, scope=scope_for(user))
    by_deal: dict[int, list[int]] = defaultdict(list)
    for deal_id, meeting_id in pairs:
        by_deal[deal_id].append(meeting_id)
    groups: dict[tuple[str, str, str], PursuitGroup] = {}
    segments: dict[str, SegmentEfficiency] = {}
    for deal_id, stage, lost_at, close_value, employees in deals:
        segment = deal_segment(employees)
        key = (segment, stage, stage if stage == Stage.WON else (lost_at or "unknown"))
        group = groups.setdefault(key, PursuitGroup(*key))
        mine = by_deal.get(deal_id, [])
        cost = sum((figures.cost.get(m, ZERO) for m in mine), ZERO)
        group.deals += 1
        group.meetings += len(mine)
        group.hours += sum((figures.hours.get(m, ZERO) for m in mine), ZERO)
        group.cost += cost
        eff = segments.setdefault(segment, SegmentEfficiency(segment))
        eff.pursuit_cost += cost
        if stage == Stage.WON:
            eff.won_revenue += close_value or ZERO
    order = list(SEGMENT_LABELS)
    return PursuitPanel(
        groups=sorted(groups.values(), key=lambda g: (order.index(g.segment), g.outcome, g.stage)),
        segments=sorted(segments.values(), key=lambda s: order.index(s.segment)),
        start=start,
        end=end,
    )


def meeting_deal_ids(*, meeting: Meeting) -> list[int]:
    """The deals the meeting names (MeetingDeal), without its single `deal`."""
    return list(
        MeetingDeal.objects.filter(meeting=meeting)
        .order_by("deal_id")
        .values_list("deal_id", flat=True)
    )


def meeting_deal_defaults(*, account_id: int | None, person_ids: Iterable[int]) -> QuerySet[Deal]:
    """The open deals of the meeting's account owned by its internal attendees: what a new
    meeting is for unless its organizer chooses otherwise."""
    if account_id is None:
        return Deal.objects.none()
    return (
        Deal.objects.filter(account_id=account_id, owner_id__in=list(person_ids))
        .exclude(stage__in=[Stage.WON, Stage.LOST])
        .order_by("external_id")
    )

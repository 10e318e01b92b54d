"""Period components on a monthly statement: the inputs of their advance, true-up or monthly
lines (compensation.engine.periods), read set-based for everyone being generated.

For each person and each component of their plan that is not the deal component:
- the measurement period is the fiscal month, quarter or year (salesops.calendar) containing the
  statement's month; the month ends it or not (true-up or advance);
- the figure is measured period-to-date, from the period's start or, after a plan change in the
  period, from the day the current plan assignment starts (earlier deals were measured by the
  plan in force on their close date, on the statements of their months);
- the quota is the whole period's (Σ of its months' quotas of the measure; an MBO's is 100);
- "paid" is what the payout ledger paid for (component, period) plus the lines of earlier draft
  statements of the same period (so a month generated before an earlier one is approved does
  not pay the same advance twice);
- the period before the current one is re-settled (owed now − paid, a true-up line) when the
  ledger paid it, its last month's statement is locked, and its figure has changed since.
A fixed number of queries per distinct (measure, credit types, range), whatever the head count.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Sum

from compensation import engine
from compensation.models import (
    PERIOD_COMPONENTS,
    MboScore,
    PayoutEntry,
    PlanAssignment,
    Statement,
    StatementLine,
    StatementStatus,
)
from compensation.selectors.attainment import achieved_by_person, quota_by_person
from compensation.selectors.overlay import credited_overlays
from salesops import calendar
from salesops.selectors.credit import credited_splits

ZERO = Decimal(0)
KINDS = [c.value for c in PERIOD_COMPONENTS]
MBO_QUOTA = Decimal(100)


@dataclass(frozen=True)
class _Need:
    pid: int
    component: engine.Component
    period: calendar.FiscalPeriod
    start: date  # measured from
    closed: bool = False  # the period before the current one, re-settled if its figure changed

    def end(self, month: calendar.FiscalPeriod) -> date:
        return self.period.end if self.closed else month.end


def _needs(
    month: calendar.FiscalPeriod,
    plans: dict[int, engine.Plan],
    assignments: dict[int, PlanAssignment],
) -> list[_Need]:
    out = []
    for pid, plan in plans.items():
        for component in plan.period_components:
            period = calendar.period_containing(month.start, component.period)
            start = max(period.start, assignments[pid].start)
            out.append(_Need(pid, component, period, start))
            before = period.previous()
            if assignments[pid].start <= before.end:
                start = max(before.start, assignments[pid].start)
                out.append(_Need(pid, component, before, start, closed=True))
    return out


def _resettle(needs: list[_Need], ledger_keys: set[tuple[int, str, date]]) -> list[_Need]:
    """The closed periods to re-settle: those the ledger paid that ended on a locked statement
    (its true-up was approved); a period whose last month is still a draft settles there."""
    closed = [
        n for n in needs if n.closed and (n.pid, n.component.name, n.period.start) in ledger_keys
    ]
    if not closed:
        return [n for n in needs if not n.closed]
    ends = {calendar.months_of(n.period)[-1].start for n in closed}
    locked = set(
        Statement.objects.filter(
            person_id__in={n.pid for n in closed},
            period_start__in=ends,
            status__in=[StatementStatus.APPROVED, StatementStatus.PAID],
        ).values_list("person_id", "period_start")
    )
    keep = {id(n) for n in closed if (n.pid, calendar.months_of(n.period)[-1].start) in locked}
    return [n for n in needs if not n.closed or id(n) in keep]


def _revenue(
    ids: list[int], start: date, end: date, credit: tuple[str, ...]
) -> dict[int, tuple[Decimal, list[str]]]:
    totals: dict[int, Decimal] = defaultdict(lambda: ZERO)
    refs: dict[int, list[str]] = defaultdict(list)
    sources: list[Any] = []
    if engine.SPLIT in credit:
        sources.append(credited_splits(start=start, end=end, person_ids=ids))
    if engine.OVERLAY in credit:
        sources.append(credited_overlays(start=start, end=end, person_ids=ids))
    for qs in sources:
        rows = qs.values_list("person_id", "deal__external_id", "credit").order_by(
            "deal__close_date", "deal__external_id"
        )
        for pid, ref, value in rows:
            totals[pid] += value
            refs[pid].append(ref)
    return {pid: (totals[pid], refs[pid]) for pid in totals}


def _figures(
    needs: list[_Need], month: calendar.FiscalPeriod
) -> dict[tuple[int, str, date], tuple[Decimal, list[str]]]:
    """(person, component name, period start) → (period-to-date figure, deal refs)."""
    groups: dict[tuple[str, tuple[str, ...], date, date, str], list[_Need]] = defaultdict(list)
    for need in needs:
        c = need.component
        key_name = c.name if c.measure == engine.MBO else ""
        groups[(c.measure, c.credit, need.start, need.end(month), key_name)].append(need)
    out: dict[tuple[int, str, date], tuple[Decimal, list[str]]] = {}
    for (measure, credit, start, end, name), group in groups.items():
        ids = sorted({n.pid for n in group})
        if measure == engine.REVENUE:
            values = _revenue(ids, start, end, credit)
        elif measure == engine.MBO:
            scores = MboScore.objects.filter(
                person_id__in=ids, component=name, period_start=group[0].period.start
            ).values_list("person_id", "score")
            values = {pid: (score, []) for pid, score in scores}
        else:
            achieved = achieved_by_person(person_ids=ids, start=start, end=end, metric=measure)
            values = {pid: (value, []) for pid, value in achieved.items()}
        for need in group:
            out[(need.pid, need.component.name, need.period.start)] = values.get(
                need.pid, (ZERO, [])
            )
    return out


def _quotas(needs: list[_Need]) -> dict[tuple[int, str, date], Decimal]:
    groups: dict[tuple[str, date, date], set[int]] = defaultdict(set)
    for need in needs:
        if need.component.measure != engine.MBO:
            groups[(need.component.measure, need.period.start, need.period.end)].add(need.pid)
    out = {}
    for (measure, start, end), ids in groups.items():
        for pid, amount in quota_by_person(
            person_ids=ids, start=start, end=end, metric=measure
        ).items():
            out[(pid, measure, start)] = amount
    return out


def _paid(
    needs: list[_Need], month: calendar.FiscalPeriod
) -> tuple[dict[tuple[int, str, date], Decimal], set[tuple[int, str, date]]]:
    """What was paid per (person, component, period start), and which the ledger paid."""
    ids = sorted({n.pid for n in needs})
    names = sorted({n.component.name for n in needs})
    starts = sorted({n.period.start for n in needs})
    out: dict[tuple[int, str, date], Decimal] = defaultdict(lambda: ZERO)
    ledger = (
        PayoutEntry.objects.filter(
            person_id__in=ids,
            plan_component__in=names,
            period_start__in=starts,
            component__in=KINDS,
        )
        .values_list("person_id", "plan_component", "period_start")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    drafts = (
        StatementLine.objects.filter(
            statement__person_id__in=ids,
            statement__status=StatementStatus.DRAFT,
            statement__period_start__lt=month.start,
            plan_component__in=names,
            measure_period__in=starts,
            kind__in=KINDS,
        )
        .values_list("statement__person_id", "plan_component", "measure_period")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    ledger_rows = list(ledger)
    for pid, name, start, total in [*ledger_rows, *drafts]:
        out[(pid, name, start)] += total or ZERO
    return out, {(pid, name, start) for pid, name, start, _ in ledger_rows}


def period_inputs(
    *,
    month: calendar.FiscalPeriod,
    plans: dict[int, engine.Plan],
    assignments: dict[int, PlanAssignment],
) -> dict[int, list[engine.PeriodInput]]:
    """Per person, the period components' inputs for the statement of `month`."""
    needs = _needs(month, {pid: p for pid, p in plans.items() if p.period_components}, assignments)
    if not needs:
        return {}
    paid, ledger_keys = _paid(needs, month)
    needs = _resettle(needs, ledger_keys)
    figures = _figures(needs, month)
    quotas = _quotas(needs)
    out: dict[int, list[engine.PeriodInput]] = defaultdict(list)
    for need in needs:
        c = need.component
        months = calendar.months_of(need.period)
        month_no = next(
            (i for i, m in enumerate(months, start=1) if m.start == month.start), len(months)
        )
        target_incentive = assignments[need.pid].target_incentive
        target = (
            None
            if target_incentive is None or c.weight is None
            else target_incentive * len(months) * c.weight / 100
        )
        credited, refs = figures[(need.pid, c.name, need.period.start)]
        since = (
            f" (measured from {need.start.isoformat()}, when this plan started)"
            if need.start != need.period.start
            else ""
        )
        if need.closed:
            since += " (re-settled: its figure changed after the period closed)"
        out[need.pid].append(
            engine.PeriodInput(
                component=c,
                key=need.period.key,
                start=need.period.start,
                month_no=month_no,
                months=len(months),
                final=need.closed or month.end == need.period.end,
                quota=MBO_QUOTA
                if c.measure == engine.MBO
                else quotas.get((need.pid, c.measure, need.period.start)),
                credited=credited,
                target=target,
                paid=paid.get((need.pid, c.name, need.period.start), ZERO),
                refs=tuple(refs),
                note=since,
            )
        )
    return out

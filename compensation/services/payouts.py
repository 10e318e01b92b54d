"""The payout ledger: what approved statements paid, and what a new statement still owes.

Why one module: the ledger has one rule (owed now minus already paid); recording what approved
statements paid, the corrections for moved deals and the cost postings all apply it to the same
ledger rows and must change together.

A statement pays, for each (person, deal, component), what is owed now minus what was already paid
on approved or paid statements (`PayoutEntry` rows). "Owed now" is the computation of the fiscal
month that currently credits the deal, run on today's data:

- a deal credited in the month being generated: its lines are netted against what was paid (the
  engine's `paid`), so a deal moved into this month from a paid month pays only a difference;
- a deal credited in a locked month, or a paid deal that credits this person nowhere any more
  (amount, close date, stage, owner or splits changed): one correcting line on the person's next
  open statement, the first month after their latest locked statement with no earlier draft;
- a deal credited in another open month: that month's statement settles it.

Lost or refunded deals (stage `lost`, `DealReversal`) stay with the clawback path (which respects
the plan's clawback window); the cap is settled per month like a deal component. Reads are
set-based: a fixed number of queries for any head count.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Max, Q, Sum
from django.views.decorators.debug import sensitive_variables

from compensation import engine
from compensation.models import (
    DealReversal,
    PayoutComponent,
    PayoutEntry,
    PlanVersion,
    Quota,
    Statement,
    StatementLine,
    StatementStatus,
)
from compensation.services.plan_in_force import PlansInForce
from salesops import calendar
from salesops.exceptions import ApplicationError
from salesops.models import CostCategory, Deal, DealSplit, Stage
from salesops.selectors.credit import credited_splits
from salesops.services.costs import costs_post_computed

ZERO = Decimal(0)
LOCKED = (StatementStatus.APPROVED, StatementStatus.PAID)
NETTED = (PayoutComponent.COMMISSION, PayoutComponent.SPIF)
MEASURE = "revenue"  # commission and SPIFs measure credited won value (salesops.selectors.credit)


@dataclass
class LedgerInputs:
    """Per person: the engine's `paid` map and the corrections for their locked months."""

    paid: dict[int, dict[tuple[int, str], engine.Paid]] = field(default_factory=dict)
    corrections: dict[int, list[engine.Correction]] = field(default_factory=dict)


@dataclass
class _Owed:
    amount: Decimal
    ref: str
    month: calendar.FiscalPeriod


def _month_of(day: date, cache: dict[date, calendar.FiscalPeriod]) -> calendar.FiscalPeriod:
    if day not in cache:
        cache[day] = calendar.period_containing(day, calendar.MONTH)
    return cache[day]


def _clawback_deals(deal_ids: set[int]) -> set[int]:
    """Deals the clawback path owns: lost, or with a recorded reversal."""
    reversed_ids = set(
        DealReversal.objects.filter(deal_id__in=deal_ids).values_list("deal_id", flat=True)
    )
    lost = Deal.objects.filter(pk__in=deal_ids, stage=Stage.LOST).values_list("pk", flat=True)
    return reversed_ids | set(lost)


@sensitive_variables()
def ledger_inputs(
    *,
    person_ids: list[int],
    period: calendar.FiscalPeriod,
    target_incentives: dict[int, Decimal | None],
) -> LedgerInputs:
    """What the ledger already paid, and the corrections due on `period` (see the module doc)."""
    out = LedgerInputs()
    deal_paid = list(
        PayoutEntry.objects.filter(
            person_id__in=person_ids,
            component__in=[*NETTED, PayoutComponent.CLAWBACK],
            deal__isnull=False,
        )
        .values("person_id", "deal_id", "component", "deal__external_id")
        .annotate(total=Sum("amount"), last=Max("statement__period_key"))
        .order_by()
    )
    cap_paid = list(
        PayoutEntry.objects.filter(person_id__in=person_ids, component=PayoutComponent.CAP)
        .values("person_id", "period_start")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    clawed = _clawback_deals({r["deal_id"] for r in deal_paid})
    paid: dict[int, dict[tuple[int, str], tuple[Decimal, str, str]]] = defaultdict(dict)
    for r in deal_paid:
        if r["deal_id"] in clawed:
            continue
        # A clawback took back what the deal's lines paid: a deal won again after it is owed
        # its pay again (netted against its commission, the clawback's amount covers both).
        component = (
            PayoutComponent.COMMISSION
            if r["component"] == PayoutComponent.CLAWBACK
            else r["component"]
        )
        key = (r["deal_id"], component)
        total, last, _ = paid[r["person_id"]].get(key, (ZERO, "", ""))
        paid[r["person_id"]][key] = (
            total + r["total"],
            max(last, r["last"]),
            r["deal__external_id"],
        )
    for pid, keys in paid.items():
        out.paid[pid] = {
            key: engine.Paid(amount=amount, where=last) for key, (amount, last, _) in keys.items()
        }
    caps: dict[int, dict[date, Decimal]] = defaultdict(dict)
    for c in cap_paid:
        caps[c["person_id"]][c["period_start"]] = c["total"]
    locked = _locked_months(person_ids=person_ids, period=period)
    if locked:
        _corrections(
            out=out,
            locked=locked,
            paid=paid,
            caps=caps,
            clawed=clawed,
            target_incentives=target_incentives,
        )
    return out


def _locked_months(
    *, person_ids: list[int], period: calendar.FiscalPeriod
) -> dict[int, dict[date, Statement]]:
    """People whose next open statement is `period`, with their locked statements before it."""
    rows = Statement.objects.filter(person_id__in=person_ids).only(
        "person_id", "period_start", "period_key", "status", "plan_version_id"
    )
    locked: dict[int, dict[date, Statement]] = defaultdict(dict)
    drafts: dict[int, list[date]] = defaultdict(list)
    for s in rows:
        if s.status in LOCKED:
            locked[s.person_id][s.period_start] = s
        elif s.period_start < period.start:
            drafts[s.person_id].append(s.period_start)
    # The next open statement: after the latest locked one, with no draft in between.
    return {
        pid: months
        for pid, months in locked.items()
        if max(months) < period.start and not any(d > max(months) for d in drafts.get(pid, []))
    }


def _corrections(
    *,
    out: LedgerInputs,
    locked: dict[int, dict[date, Statement]],
    paid: dict[int, dict[tuple[int, str], tuple[Decimal, str, str]]],
    caps: dict[int, dict[date, Decimal]],
    clawed: set[int],
    target_incentives: dict[int, Decimal | None],
) -> None:
    people = sorted(locked)
    first = min(min(months) for months in locked.values())
    paid_deals = {deal_id for pid in people for deal_id, _ in paid.get(pid, {})}
    credits = (
        credited_splits(person_ids=people)
        .filter(Q(deal__close_date__gte=first) | Q(deal_id__in=paid_deals))
        .values(
            "person_id",
            "deal_id",
            "deal__external_id",
            "deal__close_date",
            "deal__product__name",
            "deal__close_value",
            "percent",
            "credit",  # type: ignore[misc]  # annotated by credited_splits
        )
        .order_by()
    )
    months: dict[date, calendar.FiscalPeriod] = {}
    where: dict[tuple[int, int], calendar.FiscalPeriod] = {}
    in_locked: dict[tuple[int, date], list[engine.DealCredit]] = defaultdict(list)
    for r in credits:
        pid, deal_id = r["person_id"], r["deal_id"]
        month = _month_of(r["deal__close_date"], months)
        where[(pid, deal_id)] = month
        if month.start in locked[pid] and deal_id not in clawed:
            in_locked[(pid, month.start)].append(
                engine.DealCredit(
                    ref=r["deal__external_id"],
                    credit=r["credit"],
                    close_date=r["deal__close_date"],
                    product=r["deal__product__name"] or "",
                    deal_value=r["deal__close_value"],
                    share=r["percent"],
                    deal_id=deal_id,
                )
            )
    needed = {(pid, start) for pid, start in in_locked} | {
        (pid, start) for pid in people for start in caps.get(pid, {}) if start in locked[pid]
    }
    versions: dict[int, engine.Plan] = {}
    for v in PlanVersion.objects.filter(
        pk__in={locked[pid][start].plan_version_id for pid, start in needed}
    ):
        try:
            versions[v.pk] = engine.parse_plan(v.definition)
        except (ApplicationError, ValidationError):
            continue  # that month cannot be recomputed: what it paid stands (one person only)
    quotas = {
        (q["person_id"], q["period_start"]): q["amount"]
        for q in Quota.objects.filter(
            person_id__in=people, metric="revenue", period_start__gte=first
        ).values("person_id", "period_start", "amount")
    }
    # A deal of a locked month closed under another plan or version is owed by that one, as
    # the month's statement paid it (compensation.services.plan_in_force).
    in_force = PlansInForce(person_ids=people, start=first)
    for pid in people:
        owed, unknown = _owed_in_locked_months(
            pid=pid,
            needed=sorted(start for p, start in needed if p == pid),
            statements=locked[pid],
            in_locked=in_locked,
            versions=versions,
            quotas=quotas,
            target_incentive=target_incentives.get(pid),
            months=months,
            in_force=in_force,
        )
        found = _person_corrections(
            pid=pid, owed=owed, unknown=unknown, paid=paid.get(pid, {}), where=where, locked=locked
        )
        for start, cap_paid in caps.get(pid, {}).items():
            if start not in locked[pid] or start in unknown:
                continue
            cap_owed = owed.pop(("cap", start), None)
            now = cap_owed.amount if cap_owed else ZERO
            if now != cap_paid:
                key = locked[pid][start].period_key
                found.append(
                    engine.Correction(
                        ref=f"cap {key}",
                        component=PayoutComponent.CAP,
                        owed=now,
                        paid=cap_paid,
                        reason=f"cap on {key}: {engine.fmt_amount(now)} now, "
                        f"{engine.fmt_amount(cap_paid)} paid",
                        measure_period=start,
                    )
                )
        for (kind, start), cap_owed in owed.items():
            if kind == "cap" and isinstance(start, date):
                key = locked[pid][start].period_key
                found.append(
                    engine.Correction(
                        ref=f"cap {key}",
                        component=PayoutComponent.CAP,
                        owed=cap_owed.amount,
                        paid=ZERO,
                        reason=f"cap on {key}: {engine.fmt_amount(cap_owed.amount)} now",
                        measure_period=start,
                    )
                )
        found = [c for c in found if engine.cents(c.owed) != engine.cents(c.paid)]
        if found:
            out.corrections[pid] = sorted(
                found, key=lambda c: (c.measure_period or date.min, c.ref, c.component)
            )


def _owed_in_locked_months(
    *,
    pid: int,
    needed: list[date],
    statements: dict[date, Statement],
    in_locked: dict[tuple[int, date], list[engine.DealCredit]],
    versions: dict[int, engine.Plan],
    quotas: dict[tuple[int, date], Decimal],
    target_incentive: Decimal | None,
    months: dict[date, calendar.FiscalPeriod],
    in_force: PlansInForce,
) -> tuple[dict[tuple[Any, Any], _Owed], set[date]]:
    """Each locked month recomputed on today's data: owed per (deal, component) and the cap."""
    owed: dict[tuple[Any, Any], _Owed] = {}
    unknown: set[date] = set()
    for start in needed:
        statement = statements[start]
        plan = versions.get(statement.plan_version_id or 0)
        month = _month_of(start, months)
        if plan is None:
            unknown.add(start)
            continue
        deals, deal_plans = in_force.mark(
            pid=pid, current_id=statement.plan_version_id, deals=in_locked.get((pid, start), [])
        )
        try:
            result = engine.calculate(
                plan=plan,
                quota=quotas.get((pid, start)),
                deals=deals,
                target_incentive=target_incentive,
                deal_plans=deal_plans,
            )
        except ApplicationError:
            unknown.add(start)  # e.g. the quota was removed: leave what was paid alone
            continue
        for line in result.lines:
            if line.kind == engine.CAP:
                owed[("cap", start)] = _Owed(line.amount, "cap", month)
            elif line.kind in NETTED and line.deal_id is not None:
                key = (line.deal_id, line.kind)
                prior = owed.get(key)
                owed[key] = _Owed((prior.amount if prior else ZERO) + line.amount, line.ref, month)
    return owed, unknown


def _person_corrections(
    *,
    pid: int,
    owed: dict[tuple[Any, Any], _Owed],
    unknown: set[date],
    paid: dict[tuple[int, str], tuple[Decimal, str, str]],
    where: dict[tuple[int, int], calendar.FiscalPeriod],
    locked: dict[int, dict[date, Statement]],
) -> list[engine.Correction]:
    found: list[engine.Correction] = []
    deal_keys = {k for k in owed if k[0] != "cap"} | set(paid)
    for deal_id, component in deal_keys:
        month = where.get((pid, deal_id))
        if month is not None and (month.start not in locked[pid] or month.start in unknown):
            continue  # an open month credits it and settles it, or it cannot be recomputed
        now = owed.pop((deal_id, component), None)
        before, last, paid_ref = paid.get((deal_id, component), (ZERO, "", ""))
        amount = now.amount if now else ZERO
        if amount == before:
            continue
        ref = now.ref if now else paid_ref
        label = "commission" if component == PayoutComponent.COMMISSION else "SPIF"
        credited = f"credited in {month.key}" if month else "no longer credited to you"
        paid_text = f", {engine.fmt_amount(before)} paid before ({last})" if last else ""
        found.append(
            engine.Correction(
                ref=ref,
                component=component,
                owed=amount,
                paid=before,
                reason=(
                    f"{label} on deal {ref}: {engine.fmt_amount(amount)} owed now "
                    f"({credited}){paid_text}"
                ),
                deal_id=deal_id,
                measure_period=month.start if month else None,
            )
        )
    return found


def payouts_record(*, statements: list[Statement]) -> list[PayoutEntry]:
    """Record every paying line of statements being approved (once: one row per line)."""
    by_id = {s.pk: s for s in statements}
    lines = list(
        StatementLine.objects.filter(statement_id__in=list(by_id))
        .exclude(amount=0)
        .exclude(kind=engine.CARRY_FORWARD)
        .order_by("statement_id", "position")
    )
    shares = {
        (person_id, deal_id): percent
        for person_id, deal_id, percent in DealSplit.objects.filter(
            person_id__in={s.person_id for s in statements},
            deal_id__in={ln.deal_id for ln in lines if ln.deal_id},
        ).values_list("person_id", "deal_id", "percent")
    }
    entries = []
    for line in lines:
        statement = by_id[line.statement_id]
        entries.append(
            PayoutEntry(
                statement=statement,
                line=line,
                person_id=statement.person_id,
                deal_id=line.deal_id,
                component=line.component or line.kind,
                correction=line.kind == engine.CORRECTION,
                amount=line.amount,
                share=shares.get((statement.person_id, line.deal_id)) if line.deal_id else None,
                base=line.base,
                measure=line.measure or MEASURE,
                plan_component=line.plan_component,
                period_start=line.measure_period or statement.period_start,
                plan_version_id=statement.plan_version_id,
                explanation=f"{line.description}: {line.formula}"[:2000],
            )
        )
    return PayoutEntry.objects.bulk_create(entries, batch_size=5000)


def commission_costs_post(*, statements: list[Statement]) -> dict[int, Decimal]:
    """Post what approved statements pay (commission, cap, SPIFs, draws, corrections,
    clawbacks, adjustments; not the carried balance, which an earlier statement already posted)
    to the sales-cost ledger, one row per person and month dated the period's last day.

    Idempotent on the ledger's unique (source `computed`, external_ref
    `commission:<period key>`, person): posting again updates the row. A negative month posts
    as an explained `adjustment` (the only category the ledger lets go below zero)."""
    totals = dict(
        StatementLine.objects.filter(statement_id__in=[s.pk for s in statements])
        .exclude(kind=engine.CARRY_FORWARD)
        .values("statement_id")
        .annotate(total=Sum("amount"))
        .values_list("statement_id", "total")
        .order_by()
    )
    groups: dict[tuple[str, bool], list[tuple[Any, date, Decimal]]] = defaultdict(list)
    for s in statements:
        amount = totals.get(s.pk) or ZERO
        groups[(s.period_key, amount < 0)].append((s.person, s.period_end, amount))
    for (key, negative), entries in sorted(groups.items()):
        costs_post_computed(
            external_ref=f"commission:{key}",
            category=CostCategory.ADJUSTMENT if negative else CostCategory.COMMISSION,
            entries=entries,
            note=(
                f"Commission corrections on the {key} statement"
                if negative
                else f"Commission statement {key}"
            ),
        )
    return {s.pk: totals.get(s.pk) or ZERO for s in statements}

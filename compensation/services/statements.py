"""Commission statements: generation (set-based reads, the pure engine per person, bulk writes
with history), approval (locks), payment, adjustments and clawbacks.

Why one module: the generation pipeline (set-based reads, the engine per person, bulk writes) is
most of it and reads top to bottom as one sequence; approval, payment and adjustments (~120 lines)
are the rest of a statement's lifecycle, and adding an adjustment regenerates the draft through
statements_generate.

Idempotency: generating a month again recomputes every draft; a draft whose lines and totals come
out the same is not touched (no write, no history row). Approved and paid statements are never
recomputed: corrections go on the next open statement as adjustments.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from compensation import engine
from compensation.models import (
    Adjustment,
    Dispute,
    PlanAssignment,
    PlanVersion,
    PlanVersionStatus,
    Statement,
    StatementLine,
    StatementStatus,
)
from compensation.selectors.attainment import quota_by_person
from compensation.selectors.overlay import overlay_deal_credits
from compensation.services._history import history_user, save_with_user
from compensation.services.clawbacks import clawbacks_due
from compensation.services.payouts import commission_costs_post, ledger_inputs, payouts_record
from compensation.services.period_pay import period_inputs
from compensation.services.plan_in_force import PlansInForce
from salesops import calendar
from salesops.exceptions import ApplicationError
from salesops.models import Person
from salesops.money import require_amount
from salesops.selectors.credit import credited_splits
from salesops.selectors.scope import AnyUser

ZERO = Decimal(0)
LOCKED = (StatementStatus.APPROVED, StatementStatus.PAID)
STATEMENT_FIELDS = [
    "fiscal_year",
    "period_key",
    "period_end",
    "plan_version",
    "quota",
    "credited",
    "attainment",
    "reached_tier",
    "commission",
    "earned",
    "total",
    "payable",
    "carry_forward",
    "draw_balance",
    "generated_at",
    "error",
]


@dataclass
class GenerateReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    locked: int = 0
    skipped: int = 0  # no approved plan version in force, or a plan that needs a missing quota
    # person id → why their statement could not be computed (recorded on the statement; no
    # amounts). One person's failure never blocks the others.
    errors: dict[int, str] = field(default_factory=dict)

    @property
    def written(self) -> int:
        return self.created + self.updated

    @property
    def failed(self) -> int:
        return len(self.errors)


class StatementDoesNotFit(Exception):
    """A computed value exceeds its column (e.g. attainment from a huge deal on a tiny quota)."""


def _check_fits(fields: dict[str, Any], lines: list[StatementLine]) -> None:
    """Refuse, before anything is written, values the statement's columns cannot hold: an
    overflow would otherwise abort the whole month's bulk write, everyone's."""
    rows: list[tuple[type[Statement] | type[StatementLine], dict[str, Any]]] = [
        (Statement, fields),
        *((StatementLine, vars(line)) for line in lines),
    ]
    for model, values in rows:
        for f in model._meta.concrete_fields:
            value = values.get(f.attname, values.get(f.name))
            if not isinstance(f, models.DecimalField) or not isinstance(value, Decimal):
                continue
            assert f.max_digits is not None and f.decimal_places is not None
            limit = Decimal(10) ** (f.max_digits - f.decimal_places)
            if not value.is_finite() or abs(value) >= limit:
                where = "statement" if model is Statement else "statement line"
                raise StatementDoesNotFit(
                    f"The {f.verbose_name} is too large for the {where}: check this person's "
                    "deal values, quota and plan, then generate again."
                )


def _error_fields(
    period: calendar.FiscalPeriod,
    version: PlanVersion,
    prev: Statement | None,
    now: datetime,
    exc: Exception,
) -> dict[str, Any]:
    """A draft that says why it could not be computed and pays nothing; the carry-forward and
    draw balance pass through unchanged to the next month."""
    text = (
        str(exc)
        if isinstance(exc, StatementDoesNotFit)
        else f"This statement could not be computed ({type(exc).__name__}): check this "
        "person's deals, quota and plan, then generate again."
    )
    return {
        "fiscal_year": period.fy,
        "period_key": period.key,
        "period_end": period.end,
        "plan_version": version,
        "quota": None,
        "credited": ZERO,
        "attainment": None,
        "reached_tier": "",
        "commission": ZERO,
        "earned": ZERO,
        "total": ZERO,
        "payable": ZERO,
        "carry_forward": prev.carry_forward if prev else ZERO,
        "draw_balance": prev.draw_balance if prev else ZERO,
        "generated_at": now,
        "error": text,
    }


def _month(period: calendar.FiscalPeriod) -> calendar.FiscalPeriod:
    if period.kind != calendar.MONTH:
        raise ValidationError({"period": "Statements are monthly: give a fiscal month."})
    return period


def _assignments(
    person_ids: list[int] | None, period: calendar.FiscalPeriod
) -> dict[int, PlanAssignment]:
    qs = PlanAssignment.objects.filter(start__lte=period.end).filter(
        Q(end__isnull=True) | Q(end__gte=period.start)
    )
    if person_ids is not None:
        qs = qs.filter(person_id__in=person_ids)
    # The assignment that starts last wins if two touch the month (plan change mid-month).
    return {a.person_id: a for a in qs.order_by("person_id", "start")}


def _versions(plan_ids: Iterable[int], on: date) -> dict[int, PlanVersion]:
    """The approved version of each plan in force at `on` (latest effective_from ≤ on)."""
    qs = PlanVersion.objects.filter(
        plan_id__in=sorted(set(plan_ids)), status=PlanVersionStatus.APPROVED, effective_from__lte=on
    ).order_by("plan_id", "effective_from", "number")
    return {v.plan_id: v for v in qs}


def _deal_credits(
    person_ids: list[int], period: calendar.FiscalPeriod
) -> dict[int, list[engine.DealCredit]]:
    rows = (
        credited_splits(start=period.start, end=period.end, person_ids=person_ids)
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
    out: dict[int, list[engine.DealCredit]] = defaultdict(list)
    for r in rows:
        out[r["person_id"]].append(
            engine.DealCredit(
                ref=r["deal__external_id"],
                credit=r["credit"],
                close_date=r["deal__close_date"],
                product=r["deal__product__name"] or "",
                deal_value=r["deal__close_value"],
                share=r["percent"],
                deal_id=r["deal_id"],
            )
        )
    return out


def _adjustments(
    people: list[int], period: calendar.FiscalPeriod
) -> dict[int, list[engine.Adjustment]]:
    adjustments: dict[int, list[engine.Adjustment]] = defaultdict(list)
    for adj in Adjustment.objects.filter(
        person_id__in=people, period_start__gte=period.start, period_start__lte=period.end
    ).order_by("pk"):
        adjustments[adj.person_id].append(
            engine.Adjustment(ref=f"adjustment:{adj.pk}", amount=adj.amount, reason=adj.reason)
        )
    return adjustments


def _add_overlay_credits(
    credits: dict[int, list[engine.DealCredit]],
    plans: dict[int, engine.Plan],
    period: calendar.FiscalPeriod,
) -> None:
    """Overlay credit for the people whose deal component counts it (one query)."""
    ids = [
        pid
        for pid, plan in plans.items()
        if (c := plan.deal_component) is not None and engine.OVERLAY in c.credit
    ]
    if ids:
        for pid, rows in overlay_deal_credits(
            person_ids=ids, start=period.start, end=period.end
        ).items():
            credits[pid].extend(rows)


LINE_SIGNATURE = (
    "kind",
    "deal_id",
    "ref",
    "description",
    "tier",
    "base",
    "rate",
    "formula",
    "amount",
    "component",
    "measure_period",
    "plan_component",
    "measure",
)


def _signature(fields: dict[str, Any], lines: list[tuple[Any, ...]]) -> tuple[Any, ...]:
    return (
        tuple(
            getattr(fields[name], "pk", fields[name])  # compare plan versions by id
            for name in STATEMENT_FIELDS
            if name != "generated_at"
        ),
        tuple(lines),
    )


def _line_tuple(line: StatementLine) -> tuple[Any, ...]:
    return tuple(getattr(line, name) for name in LINE_SIGNATURE)


def _statement_fields(
    period: calendar.FiscalPeriod, version: PlanVersion, result: engine.Result, now: datetime
) -> dict[str, Any]:
    return {
        "fiscal_year": period.fy,
        "period_key": period.key,
        "period_end": period.end,
        "plan_version": version,
        "quota": result.quota,
        "credited": result.credited,
        "attainment": result.attainment,
        "reached_tier": result.reached_tier[:120],
        "commission": result.commission,
        "earned": result.earned,
        "total": result.total,
        "payable": result.payable,
        "carry_forward": result.carry_forward,
        "draw_balance": result.draw_balance,
        "generated_at": now,
        "error": "",
    }


def _lines(result: engine.Result, period: calendar.FiscalPeriod) -> list[StatementLine]:
    return [
        StatementLine(
            position=i + 1,
            kind=line.kind,
            deal_id=line.deal_id,
            ref=line.ref[:80],
            description=line.description[:255],
            tier=line.tier[:255],
            base=line.base,
            rate=line.rate,
            formula=line.formula,
            slices=[
                {"tier": s.tier, "base": str(s.base), "rate": str(s.rate)} for s in line.slices
            ],
            amount=line.amount,
            component=line.component or line.kind,
            measure_period=line.measure_period or period.start,
            plan_component=line.plan_component,
            measure=line.measure,
        )
        for i, line in enumerate(result.lines)
    ]


def _no_progress(done: int, total: int) -> None:
    return None


@sensitive_variables()
@transaction.atomic
def statements_generate(
    *,
    period: calendar.FiscalPeriod,
    person_ids: Iterable[int] | None = None,
    user: AnyUser | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> GenerateReport:
    """Create or recompute the draft statements of one fiscal month for everyone on a plan (or
    the given people). Reads are set-based (a fixed number of queries); the engine runs per
    person in memory; writes are bulk with their history rows. `progress(done, total)` is
    called with the people computed so far (compensation.services.jobs, the CLI's bar)."""
    report_progress = progress or _no_progress
    period = _month(period)
    ids = None if person_ids is None else sorted(set(person_ids))
    assignments = _assignments(ids, period)
    people = sorted(assignments)
    versions = _versions((a.plan_id for a in assignments.values()), period.end)
    existing = {
        s.person_id: s
        for s in Statement.objects.select_for_update().filter(
            period_start=period.start, person_id__in=people
        )
    }
    # Plain tuples, not model instances: most drafts compare equal and are never written.
    existing_lines: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    for row in (
        StatementLine.objects.filter(statement_id__in=[s.pk for s in existing.values()])
        .order_by("statement_id", "position")
        .values_list("statement_id", *LINE_SIGNATURE)
    ):
        existing_lines[row[0]].append(row[1:])
    plans = {pid: engine.parse_plan(v.definition) for pid, v in versions.items()}
    quotas = quota_by_person(person_ids=people, start=period.start, end=period.end)
    credits = _deal_credits(people, period)
    previous = {
        s.person_id: s
        for s in Statement.objects.filter(
            period_start=period.previous().start, person_id__in=people
        ).only("person_id", "carry_forward", "draw_balance")
    }
    clawbacks = clawbacks_due(
        person_ids=people,
        period=period,
        days_by_person={
            pid: plans[a.plan_id].clawback_days
            for pid, a in assignments.items()
            if a.plan_id in plans
        },
        current_ids=[s.pk for s in existing.values()],
    )
    adjustments = _adjustments(people, period)
    ledger = ledger_inputs(
        person_ids=people,
        period=period,
        target_incentives={pid: a.target_incentive for pid, a in assignments.items()},
    )
    person_plans = {pid: plans[a.plan_id] for pid, a in assignments.items() if a.plan_id in plans}
    periods = period_inputs(month=period, plans=person_plans, assignments=assignments)
    _add_overlay_credits(credits, person_plans, period)
    in_force = PlansInForce(person_ids=people, period=period)
    now = timezone.now()
    report = GenerateReport()
    to_create: list[tuple[Statement, list[StatementLine]]] = []
    to_update: list[tuple[Statement, list[StatementLine]]] = []
    for done, pid in enumerate(people):
        report_progress(done, len(people))
        assignment = assignments[pid]
        current = existing.get(pid)
        if current is not None and current.status in LOCKED:
            report.locked += 1
            continue
        version = versions.get(assignment.plan_id)
        if version is None:
            report.skipped += 1
            continue
        prev = previous.get(pid)
        deals, deal_plans = in_force.mark(
            pid=pid, current_id=version.pk, deals=credits.get(pid, [])
        )
        try:
            result = engine.calculate(
                plan=plans[assignment.plan_id],
                quota=quotas.get(pid),
                deals=deals,
                deal_plans=deal_plans,
                periods=periods.get(pid, ()),
                clawbacks=clawbacks.get(pid, []),
                adjustments=adjustments.get(pid, []),
                carry_in=prev.carry_forward if prev else ZERO,
                draw_balance=prev.draw_balance if prev else ZERO,
                target_incentive=assignment.target_incentive,
                paid=ledger.paid.get(pid),
                corrections=ledger.corrections.get(pid, ()),
            )
            fields = _statement_fields(period, version, result, now)
            lines = _lines(result, period)
            _check_fits(fields, lines)
        except ApplicationError:
            report.skipped += 1
            continue
        except Exception as exc:  # noqa: BLE001 (one person's failure never blocks the others)
            fields, lines = _error_fields(period, version, prev, now, exc), []
            report.errors[pid] = fields["error"]
        if current is None:
            statement = Statement(
                person_id=pid, period_start=period.start, status=StatementStatus.DRAFT, **fields
            )
            to_create.append((statement, lines))
            continue
        before = {
            name: current.plan_version_id if name == "plan_version" else getattr(current, name)
            for name in STATEMENT_FIELDS
        }
        if _signature(before, existing_lines[current.pk]) == _signature(
            fields, [_line_tuple(line) for line in lines]
        ):
            report.unchanged += 1
            continue
        for name, value in fields.items():
            setattr(current, name, value)
        to_update.append((current, lines))
    report_progress(len(people), len(people))
    acting = history_user(user)
    if to_update:
        StatementLine.objects.filter(statement_id__in=[s.pk for s, _ in to_update]).delete()
        bulk_update_with_history(
            [s for s, _ in to_update], Statement, STATEMENT_FIELDS, default_user=acting
        )
    if to_create:
        bulk_create_with_history([s for s, _ in to_create], Statement, default_user=acting)
    new_lines = []
    for statement, lines in [*to_update, *to_create]:
        for line in lines:
            line.statement = statement
            new_lines.append(line)
    if new_lines:
        bulk_create_with_history(new_lines, StatementLine, batch_size=2000, default_user=acting)
    report.created, report.updated = len(to_create), len(to_update)
    return report


def statement_generate(
    *, person: Person, period: calendar.FiscalPeriod, user: AnyUser | None = None
) -> Statement | None:
    """(Re)compute one person's draft for one month; None when they have no plan in force."""
    statements_generate(period=period, person_ids=[person.pk], user=user)
    return Statement.objects.filter(person=person, period_start=period.start).first()


@transaction.atomic
def statement_approve(*, user: AnyUser | None, statement: Statement) -> Statement:
    """Lock a draft (sales ops). A statement with open disputes cannot be approved."""
    statement = Statement.objects.select_for_update().get(pk=statement.pk)
    if statement.status != StatementStatus.DRAFT:
        raise ApplicationError("Only a draft statement can be approved.")
    if statement.disputes.filter(status="open").exists():
        raise ApplicationError("Resolve the open disputes on this statement first.")
    if statement.error:
        raise ApplicationError("This statement could not be computed: " + statement.error)
    statement.status = StatementStatus.APPROVED
    statement.approved_by = history_user(user)
    statement.approved_at = timezone.now()
    save_with_user(statement, user=user)
    payouts_record(statements=[statement])
    commission_costs_post(statements=[statement])
    from compensation.tasks import statement_ready_notify_task  # tasks import the services

    statement_id = statement.pk
    transaction.on_commit(lambda: statement_ready_notify_task.delay(statement_id))
    return statement


@transaction.atomic
def statements_approve_month(
    *,
    user: AnyUser | None,
    period: calendar.FiscalPeriod,
    person_ids: Iterable[int] | None = None,
    mark_paid: bool = False,
) -> int:
    """Approve (or approve and mark paid) every draft of one fiscal month that can be approved
    (no open dispute, no error), in bulk: history rows, payout ledger rows and cost postings as
    `statement_approve`, without the per-statement e-mail (a month close; the demo). Returns
    how many were locked."""
    qs = (
        Statement.objects.select_for_update()
        .filter(period_start=period.start, status=StatementStatus.DRAFT, error="")
        .exclude(pk__in=Dispute.objects.filter(status="open").values("statement_id"))
    )
    if person_ids is not None:
        qs = qs.filter(person_id__in=list(person_ids))
    statements = list(qs.select_related("person").order_by("pk"))
    acting, now = history_user(user), timezone.now()
    for statement in statements:
        statement.status = StatementStatus.PAID if mark_paid else StatementStatus.APPROVED
        statement.approved_by = acting
        statement.approved_at = now
        statement.paid_at = now if mark_paid else None
    bulk_update_with_history(
        statements,
        Statement,
        ["status", "approved_by", "approved_at", "paid_at"],
        batch_size=5000,
        default_user=acting,
    )
    payouts_record(statements=statements)
    commission_costs_post(statements=statements)
    return len(statements)


@transaction.atomic
def statement_mark_paid(*, user: AnyUser | None, statement: Statement) -> Statement:
    statement = Statement.objects.select_for_update().get(pk=statement.pk)
    if statement.status != StatementStatus.APPROVED:
        raise ApplicationError("Only an approved statement can be marked paid.")
    statement.status = StatementStatus.PAID
    statement.paid_at = timezone.now()
    save_with_user(statement, user=user)
    return statement


def next_open_month(*, person: Person, on: date) -> calendar.FiscalPeriod:
    """The first fiscal month from `on` on whose statement for `person` is not locked."""
    period = calendar.period_containing(on, calendar.MONTH)
    locked = set(
        Statement.objects.filter(
            person=person, status__in=LOCKED, period_start__gte=period.start
        ).values_list("period_start", flat=True)
    )
    while period.start in locked:
        period = period.next()
    return period


@transaction.atomic
def adjustment_add(
    *,
    user: AnyUser | None,
    person: Person,
    amount: Decimal,
    reason: str,
    on: date | None = None,
) -> Adjustment:
    """A correction (±) on the person's next open statement from `on` (default today); a draft
    already there is recomputed at once."""
    if not reason.strip():
        raise ValidationError({"reason": "Say why: the rep sees this on their statement."})
    if amount == 0:
        raise ValidationError({"amount": "An adjustment of 0 changes nothing."})
    require_amount(amount, "amount")
    period = next_open_month(person=person, on=on or calendar.company_today())
    adjustment = Adjustment(
        person=person,
        period_start=period.start,
        amount=amount,
        reason=reason.strip()[:255],
        created_by=history_user(user),
    )
    save_with_user(adjustment, user=user)
    if Statement.objects.filter(person=person, period_start=period.start).exists():
        statements_generate(period=period, person_ids=[person.pk], user=user)
    return adjustment

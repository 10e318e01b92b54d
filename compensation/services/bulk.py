"""Pay operations in bulk for sales ops: approving many statements with a summary, and putting a
whole team on a plan. Both go through the one-at-a-time services' rules (statements_approve_month,
plan_assign); one row that cannot be done is reported, never blocks the others."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import partial

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from compensation.models import CommissionPlan, Dispute, Statement, StatementStatus
from compensation.services.plans import plan_assign
from compensation.services.statements import statements_approve_month
from salesops import calendar
from salesops.exceptions import ApplicationError
from salesops.models import Person, Team
from salesops.selectors.scope import AnyUser, sees_everything, team_subtree_ids

ZERO = Decimal(0)


@dataclass
class PayOpIssue:
    label: str
    reason: str
    statement_id: int | None = None


@dataclass
class BulkApproveSummary:
    approved: int = 0
    total_payable: Decimal = ZERO
    exceptions: list[PayOpIssue] = field(default_factory=list)


def _why_not(statement: Statement, disputed: set[int]) -> str:
    if statement.status != StatementStatus.DRAFT:
        return f"already {statement.get_status_display().lower()}"
    if statement.error:
        return "could not be computed: " + statement.error
    if statement.pk in disputed:
        return "has an open dispute"
    return ""


def _require_sales_ops(user: AnyUser) -> None:
    if not sees_everything(user):
        raise PermissionDenied("Only sales ops runs pay operations.")


def _classify(ids: list[int]) -> tuple[list[Statement], BulkApproveSummary]:
    statements = list(
        Statement.objects.filter(pk__in=ids).select_related("person").order_by("person__name")
    )
    disputed = set(
        Dispute.objects.filter(statement_id__in=ids, status="open").values_list(
            "statement_id", flat=True
        )
    )
    summary = BulkApproveSummary()
    ready = []
    for statement in statements:
        reason = _why_not(statement, disputed)
        if reason:
            label = f"{statement.person.name} · {statement.period_key}"
            summary.exceptions.append(PayOpIssue(label, reason, statement.pk))
        else:
            ready.append(statement)
    return ready, summary


def draft_ids_of_month(*, user: AnyUser, period: calendar.FiscalPeriod) -> list[int]:
    """Every draft of one fiscal month (what "approve the month" means)."""
    _require_sales_ops(user)
    return list(
        Statement.objects.filter(
            period_start=period.start, status=StatementStatus.DRAFT
        ).values_list("pk", flat=True)
    )


def statements_bulk_preview(*, user: AnyUser, statement_ids: Iterable[int]) -> BulkApproveSummary:
    """What statements_bulk_approve would do: how many, the total payable, the exceptions.
    Writes nothing."""
    _require_sales_ops(user)
    ready, summary = _classify(sorted(set(statement_ids)))
    summary.approved = len(ready)
    summary.total_payable = sum((s.payable for s in ready), ZERO)
    return summary


@transaction.atomic
def statements_bulk_approve(*, user: AnyUser, statement_ids: Iterable[int]) -> BulkApproveSummary:
    """Approve every chosen draft that can be approved (no error, no open dispute) through
    statements_approve_month, month by month; the rest are exceptions with their reason. The
    reps are told their statement is ready (once each, after commit)."""
    _require_sales_ops(user)
    ids = sorted(set(statement_ids))
    ready, summary = _classify(ids)
    by_month: dict[date, list[int]] = defaultdict(list)
    for statement in ready:
        by_month[statement.period_start].append(statement.person_id)
    for start, person_ids in sorted(by_month.items()):
        period = calendar.period_containing(start, calendar.MONTH)
        summary.approved += statements_approve_month(
            user=user, period=period, person_ids=person_ids
        )
    approved = list(
        Statement.objects.filter(
            pk__in=[s.pk for s in ready], status=StatementStatus.APPROVED
        ).values_list("pk", "payable")
    )
    summary.total_payable = sum((payable for _, payable in approved), ZERO)
    from compensation.tasks import statement_ready_notify_task  # tasks import the services

    for statement_id, _ in approved:
        transaction.on_commit(partial(statement_ready_notify_task.delay, statement_id))
    return summary


@dataclass
class TeamAssignReport:
    assigned: list[str] = field(default_factory=list)
    skipped: list[PayOpIssue] = field(default_factory=list)


def plan_assign_team(
    *,
    user: AnyUser,
    team: Team,
    plan: CommissionPlan,
    start: date,
    end: date | None = None,
    target_incentive: Decimal | None = None,
    include_subteams: bool = True,
) -> TeamAssignReport:
    """Put every active member of `team` (and its sub-teams) on `plan` from `start`, each
    through plan_assign in its own savepoint: someone already on a plan then is skipped with
    the reason, the others are assigned."""
    _require_sales_ops(user)
    team_ids = team_subtree_ids([team.pk]) if include_subteams else frozenset([team.pk])
    people = Person.objects.filter(team_id__in=sorted(team_ids), active=True).order_by("name")
    report = TeamAssignReport()
    for person in people:
        try:
            with transaction.atomic():
                plan_assign(
                    user=user,
                    person=person,
                    plan=plan,
                    start=start,
                    end=end,
                    target_incentive=target_incentive,
                )
        except (ValidationError, ApplicationError) as exc:
            report.skipped.append(PayOpIssue(person.name, _message(exc)))
        else:
            report.assigned.append(person.name)
    return report


def _message(exc: ValidationError | ApplicationError) -> str:
    if isinstance(exc, ApplicationError):
        return exc.message
    return " ".join(exc.messages)

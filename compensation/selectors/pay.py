"""Scoped reads of pay data: a rep sees their own, a manager their teams', sales ops everything.
Fetch-one selectors raise Http404 outside the scope (never 403: pay must not leak existence)."""

from __future__ import annotations

from datetime import date

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from compensation.models import (
    Adjustment,
    CommissionPlan,
    Dispute,
    PlanAssignment,
    PlanVersion,
    Quota,
    Statement,
    StatementLine,
)
from salesops.selectors.credit import credited_splits
from salesops.selectors.scope import AnyUser, scope_for, visible_people


def _quota_scope(user: AnyUser) -> Q:
    scope = scope_for(user)
    if scope.everything:
        return Q()
    q = scope.people_q("person") & Q(person__isnull=False)
    if scope.team_ids:
        q |= Q(team_id__in=sorted(scope.team_ids))
    return q


def quota_list(*, user: AnyUser) -> QuerySet[Quota]:
    return Quota.objects.filter(_quota_scope(user)).select_related("person", "team", "territory")


def quota_get(*, user: AnyUser, quota_id: int) -> Quota:
    quota = quota_list(user=user).filter(pk=quota_id).first()
    if quota is None:
        raise Http404("No such quota.")
    return quota


def plan_list(*, user: AnyUser) -> QuerySet[CommissionPlan]:
    scope = scope_for(user)
    qs = CommissionPlan.objects.all()
    if not scope.everything:
        assigned = PlanAssignment.objects.filter(scope.people_q("person")).values("plan_id")
        qs = qs.filter(pk__in=assigned)
    return qs.prefetch_related(
        Prefetch("versions", queryset=PlanVersion.objects.order_by("-number"))
    )


def plan_get(*, user: AnyUser, plan_id: int) -> CommissionPlan:
    plan = plan_list(user=user).filter(pk=plan_id).first()
    if plan is None:
        raise Http404("No such plan.")
    return plan


def plan_version_list(*, user: AnyUser) -> QuerySet[PlanVersion]:
    return PlanVersion.objects.filter(plan_id__in=plan_list(user=user).values("pk")).select_related(
        "plan", "approved_by"
    )


def plan_version_get(*, user: AnyUser, version_id: int) -> PlanVersion:
    version = plan_version_list(user=user).filter(pk=version_id).first()
    if version is None:
        raise Http404("No such plan version.")
    return version


def assignment_list(*, user: AnyUser) -> QuerySet[PlanAssignment]:
    return PlanAssignment.objects.filter(scope_for(user).people_q("person")).select_related(
        "person", "plan"
    )


def assignment_get(*, user: AnyUser, assignment_id: int) -> PlanAssignment:
    assignment = assignment_list(user=user).filter(pk=assignment_id).first()
    if assignment is None:
        raise Http404("No such assignment.")
    return assignment


def statement_list(*, user: AnyUser) -> QuerySet[Statement]:
    return Statement.objects.filter(scope_for(user).people_q("person")).select_related(
        "person", "plan_version__plan"
    )


def statement_get(*, user: AnyUser, statement_id: int) -> Statement:
    """One statement with its lines and disputes, or 404 outside the caller's scope."""
    statement = (
        statement_list(user=user)
        .prefetch_related(
            Prefetch(
                "lines",
                # the deal says who entered it (a won deal its owner entered, maybe unconfirmed)
                queryset=StatementLine.objects.select_related("deal__owner").order_by("position"),
            ),
            Prefetch("disputes", queryset=Dispute.objects.select_related("raised_by")),
        )
        .filter(pk=statement_id)
        .first()
    )
    if statement is None:
        raise Http404("No such statement.")
    return statement


def statement_line_get(*, user: AnyUser, line_id: int) -> StatementLine:
    line = (
        StatementLine.objects.filter(scope_for(user).people_q("statement__person"))
        .select_related("statement__person")
        .filter(pk=line_id)
        .first()
    )
    if line is None:
        raise Http404("No such statement line.")
    return line


def dispute_list(*, user: AnyUser) -> QuerySet[Dispute]:
    return Dispute.objects.filter(scope_for(user).people_q("statement__person")).select_related(
        "statement__person", "raised_by", "resolved_by"
    )


def dispute_get(*, user: AnyUser, dispute_id: int) -> Dispute:
    dispute = dispute_list(user=user).filter(pk=dispute_id).first()
    if dispute is None:
        raise Http404("No such dispute.")
    return dispute


def adjustment_list(*, user: AnyUser) -> QuerySet[Adjustment]:
    return Adjustment.objects.filter(scope_for(user).people_q("person")).select_related("person")


def payroll_rows(*, user: AnyUser, period_start: date) -> QuerySet[Statement]:
    """Approved and paid statements of one month for the payroll export (sales ops only)."""
    scope = scope_for(user)
    if not scope.everything:
        return Statement.objects.none()
    return (
        Statement.objects.filter(period_start=period_start, status__in=["approved", "paid"])
        .select_related("person", "person__user")
        .order_by("person__name")
    )


def plan_in_force(
    *, user: AnyUser, person_id: int, on: date
) -> tuple[PlanAssignment, PlanVersion] | None:
    """The person's assignment on `on` and the approved version of its plan in force then."""
    assignment = (
        assignment_list(user=user)
        .filter(person_id=person_id, start__lte=on)
        .filter(Q(end__isnull=True) | Q(end__gte=on))
        .order_by("-start")
        .first()
    )
    if assignment is None:
        return None
    version = (
        PlanVersion.objects.filter(
            plan_id=assignment.plan_id, status="approved", effective_from__lte=on
        )
        .order_by("-effective_from", "-number")
        .first()
    )
    return None if version is None else (assignment, version)


def latest_statement_id(*, user: AnyUser, person_id: int) -> int | None:
    return (
        statement_list(user=user)
        .filter(person_id=person_id)
        .order_by("-period_start")
        .values_list("pk", flat=True)
        .first()
    )


def whatif_deals(*, user: AnyUser, person_id: int, start: date, end: date) -> list[dict[str, str]]:
    """The person's credited deals in [start, end] in the simulator's deal format (amount is
    the deal's close value, split_percent their share: the simulator credits as the credit
    function does). Empty outside the caller's scope."""
    if not visible_people(user=user).filter(pk=person_id).exists():
        return []
    rows = (
        credited_splits(start=start, end=end, person_ids=[person_id])
        .order_by("deal__close_date", "deal__external_id")
        .values_list(
            "deal__external_id",
            "deal__close_value",
            "deal__close_date",
            "deal__product__name",
            "percent",
        )
    )
    return [
        {
            "ref": ref,
            "amount": str(value),
            "date": str(closed),
            "product": product or "",
            "split_percent": str(pct),
        }
        for ref, value, closed, product, pct in rows
    ]

"""Commission plans, their effective-dated versions (immutable once approved) and assignments."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from compensation.engine import parse_plan
from compensation.models import CommissionPlan, PlanAssignment, PlanVersion, PlanVersionStatus
from compensation.services._history import history_user, save_with_user
from salesops.exceptions import ApplicationError
from salesops.models import Person
from salesops.selectors.scope import AnyUser


@transaction.atomic
def plan_create(
    *,
    user: AnyUser | None,
    name: str,
    definition: dict[str, Any],
    effective_from: date,
    description: str = "",
) -> PlanVersion:
    """A new plan with its first (draft) version."""
    if CommissionPlan.objects.filter(name__iexact=name.strip()).exists():
        raise ValidationError({"name": f"A plan named '{name}' already exists."})
    plan = CommissionPlan(name=name.strip(), description=description)
    save_with_user(plan, user=user)
    return plan_version_create(
        user=user, plan=plan, definition=definition, effective_from=effective_from
    )


@transaction.atomic
def plan_version_create(
    *,
    user: AnyUser | None,
    plan: CommissionPlan,
    definition: dict[str, Any],
    effective_from: date,
    notes: str = "",
) -> PlanVersion:
    parse_plan(definition)
    CommissionPlan.objects.select_for_update().filter(pk=plan.pk).first()
    number = (plan.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = PlanVersion(
        plan=plan,
        number=number,
        effective_from=effective_from,
        definition=definition,
        notes=notes,
        created_by=history_user(user),
    )
    save_with_user(version, user=user)
    return version


@transaction.atomic
def plan_version_update(
    *,
    user: AnyUser | None,
    version: PlanVersion,
    definition: dict[str, Any] | None = None,
    effective_from: date | None = None,
    notes: str | None = None,
) -> PlanVersion:
    version = PlanVersion.objects.select_for_update().get(pk=version.pk)
    if version.status != PlanVersionStatus.DRAFT:
        raise ApplicationError(
            "An approved plan version never changes: create a new version instead."
        )
    if definition is not None:
        parse_plan(definition)
        version.definition = definition
    if effective_from is not None:
        version.effective_from = effective_from
    if notes is not None:
        version.notes = notes
    save_with_user(version, user=user)
    return version


@transaction.atomic
def plan_version_approve(*, user: AnyUser | None, version: PlanVersion) -> PlanVersion:
    version = PlanVersion.objects.select_for_update().get(pk=version.pk)
    if version.status != PlanVersionStatus.DRAFT:
        raise ApplicationError("This version is already approved.")
    parse_plan(version.definition)
    if PlanVersion.objects.filter(
        plan_id=version.plan_id,
        status=PlanVersionStatus.APPROVED,
        effective_from=version.effective_from,
    ).exists():
        raise ApplicationError(
            "Another approved version of this plan starts on the same day: pick another date."
        )
    version.status = PlanVersionStatus.APPROVED
    version.approved_by = history_user(user)
    version.approved_at = timezone.now()
    save_with_user(version, user=user)
    return version


@transaction.atomic
def plan_assign(
    *,
    user: AnyUser | None,
    person: Person,
    plan: CommissionPlan,
    start: date,
    end: date | None = None,
    target_incentive: Decimal | None = None,
) -> PlanAssignment:
    """Put a person on a plan for [start, end]. A person is on at most one plan on any day."""
    if end is not None and end < start:
        raise ValidationError({"end": "The end cannot be before the start."})
    if target_incentive is not None and target_incentive < 0:
        raise ValidationError({"target_incentive": "Cannot be negative."})
    # Lock the person so two concurrent assignments cannot both pass the overlap check.
    Person.objects.select_for_update().filter(pk=person.pk).first()
    overlap = PlanAssignment.objects.filter(person=person).filter(
        Q(end__isnull=True) | Q(end__gte=start)
    )
    if end is not None:
        overlap = overlap.filter(start__lte=end)
    if overlap.exists():
        raise ValidationError(
            {"start": f"{person} is already on a plan in that time; end that assignment first."}
        )
    assignment = PlanAssignment(
        person=person, plan=plan, start=start, end=end, target_incentive=target_incentive
    )
    save_with_user(assignment, user=user)
    return assignment


@transaction.atomic
def plan_assignment_end(
    *, user: AnyUser | None, assignment: PlanAssignment, end: date
) -> PlanAssignment:
    if end < assignment.start:
        raise ValidationError({"end": "The end cannot be before the start."})
    assignment.end = end
    save_with_user(assignment, user=user)
    return assignment

"""Who has (not) acknowledged the plan version they are paid by, scoped like every pay read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Q

from compensation.models import PlanAcknowledgement, PlanAssignment, PlanVersion
from salesops.selectors.scope import AnyUser, scope_for


@dataclass(frozen=True)
class AcknowledgementRow:
    person_id: int
    person_name: str
    team_name: str
    plan_name: str
    version_id: int
    version_number: int
    acknowledged_at: datetime | None


def _versions_in_force(plan_ids: set[int], on: date) -> dict[int, PlanVersion]:
    latest: dict[int, PlanVersion] = {}
    rows = PlanVersion.objects.filter(
        plan_id__in=sorted(plan_ids), status="approved", effective_from__lte=on
    ).order_by("plan_id", "-effective_from", "-number")
    for version in rows:
        latest.setdefault(version.plan_id, version)
    return latest


def acknowledgement_status(
    *, user: AnyUser, on: date, only_missing: bool = False
) -> list[AcknowledgementRow]:
    """One row per person in scope with a plan in force on `on`: the approved version in force
    and when they acknowledged it (None: not yet). Three queries whatever the number of people."""
    assignments = list(
        PlanAssignment.objects.filter(scope_for(user).people_q("person"))
        .filter(start__lte=on)
        .filter(Q(end__isnull=True) | Q(end__gte=on))
        .select_related("person__team", "plan")
        .order_by("person__name")
    )
    versions = _versions_in_force({a.plan_id for a in assignments}, on)
    acked = {
        (person_id, version_id): at
        for person_id, version_id, at in PlanAcknowledgement.objects.filter(
            person_id__in=[a.person_id for a in assignments],
            version_id__in=[v.pk for v in versions.values()],
        ).values_list("person_id", "version_id", "acknowledged_at")
    }
    rows = []
    for assignment in assignments:
        version = versions.get(assignment.plan_id)
        if version is None:
            continue
        at = acked.get((assignment.person_id, version.pk))
        if only_missing and at is not None:
            continue
        rows.append(
            AcknowledgementRow(
                person_id=assignment.person_id,
                person_name=assignment.person.name,
                team_name=assignment.person.team.name if assignment.person.team else "",
                plan_name=assignment.plan.name,
                version_id=version.pk,
                version_number=version.number,
                acknowledged_at=at,
            )
        )
    return rows


def acknowledgement_get(*, person_id: int, version_id: int) -> PlanAcknowledgement | None:
    return PlanAcknowledgement.objects.filter(person_id=person_id, version_id=version_id).first()

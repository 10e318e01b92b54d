"""Coverage: people on territories as owner, overlay or support, with effective dates."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q

from salesops.models import Person
from territories.models import CoverageRole, Territory, TerritoryAssignment
from territories.services.common import ensure_editable

OVERLAP_MESSAGE = "Another owner covers this territory in that period."


def _overlapping_owners(
    *, territory: Territory, start: date, end: date | None, exclude_pk: int | None
) -> bool:
    qs = TerritoryAssignment.objects.filter(territory=territory, role=CoverageRole.OWNER).filter(
        Q(effective_to__isnull=True) | Q(effective_to__gte=start)
    )
    if end is not None:
        qs = qs.filter(effective_from__lte=end)
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    return qs.exists()


def _save(assignment: TerritoryAssignment) -> TerritoryAssignment:
    if assignment.effective_to is not None and assignment.effective_to < assignment.effective_from:
        raise ValidationError({"effective_to": "The end is before the start."})
    # Lock the territory so two concurrent writers cannot both pass the overlap check (the
    # exclusion constraint backs it up; its violation becomes the same validation error).
    Territory.objects.select_for_update().filter(pk=assignment.territory_id).first()
    if assignment.role == CoverageRole.OWNER and _overlapping_owners(
        territory=assignment.territory,
        start=assignment.effective_from,
        end=assignment.effective_to,
        exclude_pk=assignment.pk,
    ):
        raise ValidationError({"effective_from": OVERLAP_MESSAGE})
    try:
        with transaction.atomic():
            assignment.save()
    except IntegrityError as exc:
        if "coverage_owner_no_overlap" in str(exc):
            raise ValidationError({"effective_from": OVERLAP_MESSAGE}) from exc
        raise
    return assignment


@transaction.atomic
def coverage_assign(
    *,
    territory: Territory,
    person: Person,
    role: str = CoverageRole.OWNER,
    effective_from: date,
    effective_to: date | None = None,
) -> TerritoryAssignment:
    ensure_editable(territory.model)
    if role not in CoverageRole.values:
        raise ValidationError({"role": f"Unknown role '{role}'."})
    return _save(
        TerritoryAssignment(
            territory=territory,
            person=person,
            role=role,
            effective_from=effective_from,
            effective_to=effective_to,
        )
    )


@transaction.atomic
def coverage_end(
    *, assignment: TerritoryAssignment, effective_to: date | None
) -> TerritoryAssignment:
    """Set (or clear) the end of a coverage period; saves the assignment's other edits too."""
    ensure_editable(assignment.territory.model)
    assignment.effective_to = effective_to
    return _save(assignment)


@transaction.atomic
def coverage_remove(*, assignment: TerritoryAssignment) -> None:
    ensure_editable(assignment.territory.model)
    assignment.delete()

"""Rep acknowledgement of a plan version: the rep accepts the approved version they are paid by
(from their pay page); sales ops sees who has not. One row per person and version, never
changed (a second click is a no-op, not an error)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from compensation.models import (
    PlanAcknowledgement,
    PlanAssignment,
    PlanVersion,
    PlanVersionStatus,
)
from compensation.services._history import history_user, save_with_user
from salesops.models import Person
from salesops.selectors.scope import AnyUser, person_for_user


def plan_acknowledge(*, user: AnyUser, person: Person, version: PlanVersion) -> PlanAcknowledgement:
    """Record that `person` (who must be the user's own person) accepts `version`. Only an
    approved version of a plan the person is (or was) assigned to can be acknowledged.
    Idempotent: acknowledging again returns the first acknowledgement."""
    own = person_for_user(user)
    if own is None or own.pk != person.pk:
        raise ValidationError({"person": "Only the person paid by a plan can acknowledge it."})
    if version.status != PlanVersionStatus.APPROVED:
        raise ValidationError({"version": "Only an approved plan version can be acknowledged."})
    if not PlanAssignment.objects.filter(person=person, plan_id=version.plan_id).exists():
        raise ValidationError({"version": "You are not assigned to this plan."})
    existing = PlanAcknowledgement.objects.filter(person=person, version=version).first()
    if existing is not None:
        return existing
    acknowledgement = PlanAcknowledgement(
        person=person,
        version=version,
        acknowledged_by=history_user(user),
        acknowledged_at=timezone.now(),
    )
    try:
        with transaction.atomic():
            save_with_user(acknowledgement, user=user)
    except IntegrityError:  # a double submit raced us: the first one stands
        return PlanAcknowledgement.objects.get(person=person, version=version)
    return acknowledgement

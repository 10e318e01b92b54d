"""Overlay credit (a second credit type beside the 100 % split, pay only) and MBO scores."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from compensation.models import MboScore, OverlayCredit, OverlayRole
from compensation.services._history import history_user, save_with_user
from salesops.models import Deal, Person
from salesops.selectors.scope import AnyUser, person_for_user, scope_for


def _require_manager_of(user: AnyUser | None, person: Person, what: str) -> None:
    """Sales ops, admins and the person's managers (not the person): others are refused."""
    if user is None:
        return  # system writes (imports, the demo)
    scope = scope_for(user)
    own = person_for_user(user)
    in_scope = Person.objects.filter(scope.people_q(), pk=person.pk).exists()
    if not in_scope or (not scope.everything and (not scope.team_ids or own == person)):
        raise PermissionDenied(f"Only {person}'s manager or sales ops can {what}.")


MAX_MBO = Decimal(200)


@transaction.atomic
def overlay_credit_add(
    *,
    user: AnyUser | None,
    deal: Deal,
    person: Person,
    role: str,
    percent: Decimal,
    note: str = "",
) -> OverlayCredit:
    """Credit `person` `percent` % of the deal's value for pay, beside the deal's splits (which
    still total 100 % and alone count as revenue). Once per (deal, person)."""
    _require_manager_of(user, person, "give them overlay credit")
    if role not in OverlayRole.values:
        raise ValidationError({"role": f"One of {', '.join(OverlayRole.values)}."})
    if not Decimal(0) < percent <= Decimal(100):
        raise ValidationError({"percent": "Above 0 and at most 100."})
    if OverlayCredit.objects.filter(deal=deal, person=person).exists():
        raise ValidationError({"person": f"{person} already has overlay credit on this deal."})
    credit = OverlayCredit(
        deal=deal,
        person=person,
        role=role,
        percent=percent,
        note=note.strip()[:255],
        created_by=history_user(user),
    )
    save_with_user(credit, user=user)
    return credit


@transaction.atomic
def mbo_score_set(
    *,
    user: AnyUser | None,
    person: Person,
    component: str,
    period_start: date,
    score: Decimal,
    note: str = "",
) -> MboScore:
    """The manager's score (0–200 %) of `person`'s MBO component for the measurement period
    starting `period_start`; setting it again replaces it (with history)."""
    _require_manager_of(user, person, "score their MBO")
    if not Decimal(0) <= score <= MAX_MBO:
        raise ValidationError({"score": "A percentage from 0 to 200."})
    if not component.strip():
        raise ValidationError({"component": "Name the plan's MBO component."})
    row = MboScore.objects.select_for_update().filter(
        person=person, component=component.strip(), period_start=period_start
    ).first() or MboScore(person=person, component=component.strip(), period_start=period_start)
    row.score = score
    row.note = note.strip()[:255]
    row.scored_by = history_user(user)
    save_with_user(row, user=user)
    return row

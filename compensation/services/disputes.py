"""Disputes: a rep objects to a line of their own statement; their manager or sales ops resolve."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from compensation.conf import manager_correction_limit
from compensation.models import Dispute, DisputeStatus, StatementLine, StatementStatus
from compensation.services._history import history_user, save_with_user
from compensation.services.statements import adjustment_add
from salesops.exceptions import ApplicationError
from salesops.money import require_amount
from salesops.selectors.scope import AnyUser, person_for_user, scope_for, sees_everything


@transaction.atomic
def dispute_open(*, user: AnyUser, line: StatementLine, comment: str) -> Dispute:
    person = person_for_user(user)
    statement = line.statement
    if person is None or statement.person_id != person.pk:
        raise PermissionDenied("Only the person paid on this statement can dispute its lines.")
    if not comment.strip():
        raise ValidationError({"comment": "Say what is wrong with the line."})
    if Dispute.objects.filter(line=line, status=DisputeStatus.OPEN).exists():
        raise ValidationError({"line": "This line already has an open dispute."})
    dispute = Dispute(
        statement=statement,
        line=line,
        line_description=line.description,
        line_amount=line.amount,
        raised_by=history_user(user),
        comment=comment.strip(),
    )
    save_with_user(dispute, user=user)
    return dispute


def can_resolve(*, user: AnyUser, dispute: Dispute) -> bool:
    """Sales ops, or a manager whose scope covers the rep (never the rep themselves)."""
    if sees_everything(user):
        return True
    scope = scope_for(user)
    person = person_for_user(user)
    rep = dispute.statement.person
    if person is None or person.pk == rep.pk or not scope.team_ids:
        return False
    return rep.team_id in scope.team_ids


def _check_correction(*, user: AnyUser, adjustment: Decimal | None) -> None:
    """A correction fits what pay holds; above COMP_MANAGER_CORRECTION_LIMIT only sales ops grant
    it (the same people who may add adjustments directly)."""
    if adjustment is None:
        return
    require_amount(adjustment, "adjustment")
    limit = manager_correction_limit()
    if abs(adjustment) > limit and not sees_everything(user):
        raise ValidationError(
            {
                "adjustment": (
                    f"A correction above {limit:,.2f} needs sales ops: leave the dispute open "
                    "and ask sales ops to resolve it."
                )
            }
        )


@transaction.atomic
def dispute_resolve(
    *,
    user: AnyUser,
    dispute: Dispute,
    accept: bool,
    resolution: str,
    adjustment: Decimal | None = None,
) -> Dispute:
    """Accept or reject. An accepted dispute may carry a correction: it becomes an adjustment on
    the rep's next open statement (this one if still a draft)."""
    dispute = (
        Dispute.objects.select_for_update().select_related("statement__person").get(pk=dispute.pk)
    )
    if not can_resolve(user=user, dispute=dispute):
        raise PermissionDenied("Only the rep's manager or sales ops can resolve this dispute.")
    if dispute.status != DisputeStatus.OPEN:
        raise ApplicationError("This dispute is already resolved.")
    if not resolution.strip():
        raise ValidationError({"resolution": "Explain the decision to the rep."})
    if adjustment is not None and not accept:
        raise ValidationError({"adjustment": "Only an accepted dispute carries a correction."})
    _check_correction(user=user, adjustment=adjustment)
    dispute.status = DisputeStatus.ACCEPTED if accept else DisputeStatus.REJECTED
    dispute.resolution = resolution.strip()
    dispute.resolved_by = history_user(user)
    dispute.resolved_at = timezone.now()
    save_with_user(dispute, user=user)
    if adjustment:
        statement = dispute.statement
        on = (
            statement.period_start
            if statement.status == StatementStatus.DRAFT
            else statement.period_end
        )
        adjustment_add(
            user=user,
            person=statement.person,
            amount=adjustment,
            reason=f"Dispute #{dispute.pk} accepted: {dispute.line_description}",
            on=on,
        )
    return dispute

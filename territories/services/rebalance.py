"""Applying a rebalancing proposal: pins in the planning model, never in the active one."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from salesops.exceptions import ApplicationError
from salesops.selectors.scope import AnyUser
from territories.models import ModelState, Pin, PinKind, PinSource, Territory, TerritoryModel
from territories.selectors.rebalance import Proposal, rebalance_propose
from territories.services.assignment import territory_assignments_run
from territories.services.common import lock_model


@transaction.atomic
def rebalance_apply(
    *,
    model: TerritoryModel,
    parent: Territory | None = None,
    max_moves: int | None = None,
    keep_countries_whole: bool = False,
    user: AnyUser | None = None,
) -> Proposal:
    """Recompute the proposal (deterministic) and pin each moved account to its new sibling.

    Existing overrides of those accounts in this model are replaced; the model is re-assigned.
    """
    locked = lock_model(model.pk)
    if locked.state != ModelState.PLANNING:
        raise ApplicationError("Rebalancing applies to planning models only.")
    proposal = rebalance_propose(
        model=locked, parent=parent, max_moves=max_moves, keep_countries_whole=keep_countries_whole
    )
    account_ids = [a for move in proposal.moves for a in move.unit.account_ids]
    if not account_ids:
        return proposal
    Pin.objects.filter(model=locked, account_id__in=account_ids).delete()
    creator = user if user is not None and user.is_authenticated else None
    now = timezone.now()
    Pin.objects.bulk_create(
        [
            Pin(
                model=locked,
                account_id=account_id,
                kind=PinKind.PIN,
                territory_id=move.to_id,
                source=PinSource.REBALANCE,
                reason=f"Rebalanced {now:%Y-%m-%d}",
                created_by=creator,  # type: ignore[misc]
            )
            for move in proposal.moves
            for account_id in move.unit.account_ids
        ],
        batch_size=1000,
    )
    territory_assignments_run(model=locked)
    return proposal

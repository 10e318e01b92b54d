"""Writes to deals and their splits."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from salesops.history import acting_user, request_user
from salesops.models import OPEN_STAGES, Account, Deal, DealSplit, Person, Product, Stage
from salesops.money import check_amount
from salesops.selectors.scope import person_for_user, scope_for, sees_everything

HUNDRED = Decimal("100")
# Fields a deal's owner (a rep) may change; everything else is for sales ops.
REP_EDITABLE_FIELDS = frozenset(
    {"stage", "amount", "close_value", "engage_date", "close_date", "account", "lost_at_stage"}
)


def _validate_stage_fields(deal: Deal) -> None:
    errors: dict[str, str] = {}
    if deal.stage in (Stage.WON, Stage.LOST) and deal.close_date is None:
        errors["close_date"] = f"A {deal.stage} deal needs a close date."
    if deal.stage == Stage.WON and deal.close_value is None:
        errors["close_value"] = "A won deal needs a close value."
    if deal.close_value is not None and deal.close_value < 0:
        errors["close_value"] = "The close value cannot be negative."
    if deal.amount is not None and deal.amount < 0:
        errors["amount"] = "The amount cannot be negative."
    check_amount(deal.close_value, "close_value", errors)
    check_amount(deal.amount, "amount", errors)
    if deal.close_date and deal.engage_date and deal.close_date < deal.engage_date:
        errors["close_date"] = "The close date cannot be before the engage date."
    if deal.lost_at_stage and deal.lost_at_stage not in OPEN_STAGES:
        errors["lost_at_stage"] = "A deal can only be lost from an open stage."
    if errors:
        raise ValidationError(errors)


# What a won deal pays on: a change to any of these by the deal's own owner needs confirming.
PAY_FIELDS = frozenset({"stage", "close_value", "close_date", "owner", "product", "account"})


def _note_owner_entry(deal: Deal, *, user: Any, changed: bool) -> None:
    """Mark a won deal its own owner created or changed (recorded in its history too): their
    manager sees it until they confirm it (deal_confirm)."""
    if deal.stage != Stage.WON or not changed:
        return
    actor = user if user is not None else request_user()
    if actor is None or not Person.objects.filter(pk=deal.owner_id, user_id=actor.pk).exists():
        return
    deal.entered_by_owner = True
    deal.confirmed_by = None
    deal.confirmed_at = None


@transaction.atomic
def deal_confirm(*, user: Any, deal: Deal) -> Deal:
    """The owner's manager (scope covers the owner) or sales ops confirm a won deal its owner
    entered; the owner never confirms their own. Idempotent."""
    deal = Deal.objects.select_for_update().select_related("owner").get(pk=deal.pk)
    if not sees_everything(user):
        me = person_for_user(user)
        if (
            me is None
            or me.pk == deal.owner_id
            or deal.owner.team_id not in scope_for(user).team_ids
        ):
            raise PermissionDenied("Only the owner's manager or sales ops confirm this deal.")
    if not deal.needs_confirmation:
        return deal
    deal.confirmed_by = user
    deal.confirmed_at = timezone.now()
    deal.save(update_fields=["confirmed_by", "confirmed_at", "updated_at"])
    return deal


@transaction.atomic
def deal_create(
    *,
    external_id: str,
    owner: Person,
    product: Product,
    account: Account | None = None,
    stage: str = Stage.PROSPECTING,
    amount: Decimal | None = None,
    close_value: Decimal | None = None,
    engage_date: date | None = None,
    close_date: date | None = None,
    splits: Sequence[tuple[Person, Decimal]] | None = None,
    user: Any = None,
) -> Deal:
    """Create a deal; without splits the owner is credited 100 %. `user` is who enters it
    (default: the request's user)."""
    if Deal.objects.filter(external_id=external_id).exists():
        raise ValidationError({"external_id": f"A deal with id '{external_id}' already exists."})
    deal = Deal(
        external_id=external_id,
        owner=owner,
        product=product,
        account=account,
        stage=stage,
        amount=amount,
        close_value=close_value,
        engage_date=engage_date,
        close_date=close_date,
        stage_entered_at=timezone.now(),
    )
    _validate_stage_fields(deal)
    _note_owner_entry(deal, user=user, changed=True)
    deal.save()
    deal_splits_set(deal=deal, splits=splits or [(owner, HUNDRED)])
    return deal


@transaction.atomic
def deal_update(*, deal: Deal, data: dict[str, Any], user: Any = None) -> Deal:
    """Apply field changes; a stage change stamps `stage_entered_at`. `user` is who makes them
    (default: the request's user): a won deal changed by its own owner awaits confirmation."""
    previous_stage = deal.stage
    previous_owner_id = deal.owner_id
    changed = any(
        field in PAY_FIELDS and getattr(deal, field) != value for field, value in data.items()
    )
    for field, value in data.items():
        setattr(deal, field, value)
    if deal.stage != previous_stage:
        deal.stage_entered_at = timezone.now()
        if deal.stage == Stage.LOST and not deal.lost_at_stage and previous_stage in OPEN_STAGES:
            deal.lost_at_stage = previous_stage
        if deal.stage != Stage.LOST:
            deal.lost_at_stage = ""
    _validate_stage_fields(deal)
    _note_owner_entry(deal, user=user, changed=changed)
    deal.save()
    # A reassigned deal that credited only its old owner now credits the new one; shared splits
    # were agreed between people, so they stay until someone sets them.
    if deal.owner_id != previous_owner_id and list(
        deal.splits.values_list("person_id", "percent")
    ) == [(previous_owner_id, HUNDRED)]:
        deal_splits_set(deal=deal, splits=[(deal.owner, HUNDRED)])
    return deal


@transaction.atomic
def deal_splits_set(*, deal: Deal, splits: Sequence[tuple[Person, Decimal]]) -> list[DealSplit]:
    """Replace a deal's splits. They must name each person once and sum to exactly 100 %."""
    people = [person.pk for person, _ in splits]
    if not splits:
        raise ValidationError({"splits": "A deal needs at least one split."})
    if len(set(people)) != len(people):
        raise ValidationError({"splits": "Each person may appear only once in a deal's splits."})
    for _, percent in splits:
        if not (Decimal(0) < percent <= HUNDRED):
            raise ValidationError(
                {"splits": f"A split must be above 0 and at most 100 %, not {percent}."}
            )
    total = sum((percent for _, percent in splits), Decimal(0))
    if total != HUNDRED:
        raise ValidationError({"splits": f"Splits must sum to 100 %; these sum to {total} %."})
    deal.splits.all().delete()  # one by one (signals): each removal keeps its history row
    created = bulk_create_with_history(
        [DealSplit(deal=deal, person=person, percent=percent) for person, percent in splits],
        DealSplit,
        default_user=acting_user(),
    )
    # Touch the deal so incremental jobs that look at updated_at see the new credit.
    Deal.objects.filter(pk=deal.pk).update(updated_at=timezone.now())
    return created

"""Pins and exclusions: manual overrides that win over rules (one per model and account)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from salesops.models import Account
from salesops.selectors.scope import AnyUser
from territories.models import Pin, PinKind, PinSource, Territory, TerritoryModel
from territories.services.common import ensure_editable


@transaction.atomic
def pin_set(
    *,
    model: TerritoryModel,
    account: Account,
    territory: Territory | None,
    kind: str = PinKind.PIN,
    reason: str = "",
    source: str = PinSource.MANUAL,
    user: AnyUser | None = None,
) -> Pin:
    """Pin an account to a territory (kind 'pin') or exclude it from the model ('exclusion').

    Replaces any earlier override of the same account in the model. Takes effect on the next
    assignment run (the API and pages run it for that account right away).
    """
    ensure_editable(model)
    if kind not in PinKind.values:
        raise ValidationError({"kind": f"Unknown kind '{kind}'."})
    if kind == PinKind.PIN:
        if territory is None:
            raise ValidationError({"territory": "A pin needs a territory."})
        if territory.model_id != model.pk:
            raise ValidationError({"territory": "The territory belongs to another model."})
    elif territory is not None:
        raise ValidationError({"territory": "An exclusion has no territory."})
    pin, _ = Pin.objects.update_or_create(
        model=model,
        account=account,
        defaults={
            "kind": kind,
            "territory": territory,
            "reason": reason.strip(),
            "source": source,
            "created_by": user if user is not None and user.is_authenticated else None,  # type: ignore[misc]
        },
    )
    return pin


@transaction.atomic
def pin_remove(*, pin: Pin) -> None:
    ensure_editable(pin.model)
    pin.delete()

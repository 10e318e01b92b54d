"""Writes to the sales-cost ledger."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from salesops.exceptions import ApplicationError
from salesops.history import acting_user
from salesops.models import CostCategory, CostSource, Person, SalesCost, Team


def _validate_cost(
    *, person: Person | None, team: Team | None, amount: Decimal, category: str, note: str
) -> None:
    errors: dict[str, str] = {}
    if (person is None) == (team is None):
        errors["person"] = "Book a cost to exactly one person or one team."
    if amount < 0 and category != CostCategory.ADJUSTMENT:
        errors["amount"] = "Only adjustments may be negative."
    if amount < 0 and not note.strip():
        errors["note"] = "A negative adjustment needs a reason in the note."
    if errors:
        raise ValidationError(errors)


def cost_record(
    *,
    date: date,
    category: str,
    amount: Decimal,
    person: Person | None = None,
    team: Team | None = None,
    source: str = CostSource.MANUAL,
    external_ref: str | None = None,
    note: str = "",
) -> SalesCost:
    _validate_cost(person=person, team=team, amount=amount, category=category, note=note)
    return SalesCost.objects.create(
        date=date,
        category=category,
        amount=amount,
        person=person,
        team=team,
        source=source,
        external_ref=external_ref,
        note=note,
    )


COST_EDITABLE_FIELDS = frozenset({"date", "person", "team", "category", "amount", "note"})


def cost_update(*, cost: SalesCost, data: dict[str, Any]) -> SalesCost:
    """Correct a manual or imported ledger entry. Computed entries belong to the process that
    posted them (e.g. a meeting's time) and are changed there, never by hand."""
    if cost.source == CostSource.COMPUTED:
        raise ApplicationError(
            "This cost was computed (e.g. from a meeting); change its source instead."
        )
    unknown = sorted(set(data) - COST_EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({name: "This field cannot be changed." for name in unknown})
    for field, value in data.items():
        setattr(cost, field, value)
    _validate_cost(
        person=cost.person,
        team=cost.team,
        amount=cost.amount,
        category=cost.category,
        note=cost.note,
    )
    cost.save()
    return cost


def costs_post_computed(
    *,
    external_ref: str,
    category: str,
    entries: list[tuple[Person, date, Decimal]],
    note: str = "",
) -> int:
    """Post computed cost entries (e.g. a meeting's time) exactly once per (external_ref, person).

    Upserts on the ledger's natural key: posting again updates the amount instead of adding a row,
    and `costs_withdraw_computed` sets the amounts to 0 (the rows stay, so incremental readers that
    look at `updated_at` see the change). Returns the number of entries written.
    """
    if not external_ref:
        raise ValidationError({"external_ref": "Computed costs need an external reference."})
    rows = [
        SalesCost(
            date=day,
            person=person,
            category=category,
            amount=amount,
            source=CostSource.COMPUTED,
            external_ref=external_ref,
            note=note,
        )
        for person, day, amount in entries
    ]
    posted = SalesCost.objects.filter(source=CostSource.COMPUTED, external_ref=external_ref)
    before = set(posted.values_list("person_id", flat=True))
    SalesCost.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["source", "external_ref", "person"],
        update_fields=["amount", "date", "category", "note", "updated_at"],
    )
    _record_history(posted.filter(person__in=[p for p, _, _ in entries]), before=before)
    return len(rows)


def _record_history(entries: Any, *, before: set[Any]) -> None:
    """History rows for entries written in bulk (upserts and updates send no signals)."""
    user = acting_user()
    written = list(entries)
    for update in (False, True):
        batch = [e for e in written if (e.person_id in before) is update]
        if batch:
            SalesCost.history.bulk_history_create(batch, update=update, default_user=user)


def costs_withdraw_computed(*, external_ref: str) -> int:
    """Zero the computed entries posted under `external_ref` (e.g. a meeting marked not done)."""
    posted = SalesCost.objects.filter(source=CostSource.COMPUTED, external_ref=external_ref)
    changed = posted.update(amount=Decimal(0), updated_at=timezone.now())
    if changed:
        _record_history(posted, before=set(posted.values_list("person_id", flat=True)))
    return changed

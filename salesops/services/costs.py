"""Writes to the sales-cost ledger."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError

from salesops.models import CostCategory, CostSource, Person, SalesCost, Team


def cost_record(
    *,
    date: date,
    category: str,
    amount: Decimal,
    person: Person | None = None,
    team: Team | None = None,
    source: str = CostSource.MANUAL,
    external_ref: str = "",
    note: str = "",
) -> SalesCost:
    errors: dict[str, str] = {}
    if (person is None) == (team is None):
        errors["person"] = "Book a cost to exactly one person or one team."
    if amount < 0 and category != CostCategory.ADJUSTMENT:
        errors["amount"] = "Only adjustments may be negative."
    if amount < 0 and not note.strip():
        errors["note"] = "A negative adjustment needs a reason in the note."
    if errors:
        raise ValidationError(errors)
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

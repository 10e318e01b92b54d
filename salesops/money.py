"""Bounds on money entering the system, shared by the models, services, serializers and forms.

A deal's value is bounded well below what its column holds (14 digits): a month of deals at the
bound still fits the statement's commission and total columns (14 digits) at any rate up to
100 %, and a typo such as 999,999,999,999.99 is refused at entry with a message naming the field
instead of overflowing a statement later."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator

# Below one billion in the base currency: one deal, one adjustment, one correction.
MAX_AMOUNT = Decimal("999999999.99")
TOO_LARGE = "Too large: an amount is at most 999,999,999.99 (either sign); check the figure."

max_amount = MaxValueValidator(MAX_AMOUNT, message=TOO_LARGE)
min_amount = MinValueValidator(-MAX_AMOUNT, message=TOO_LARGE)


def check_amount(value: Decimal | None, field: str, errors: dict[str, str]) -> None:
    """Add `field`'s message to `errors` when |value| exceeds MAX_AMOUNT."""
    if value is not None and abs(value) > MAX_AMOUNT:
        errors[field] = TOO_LARGE


def require_amount(value: Decimal | None, field: str) -> None:
    errors: dict[str, str] = {}
    check_amount(value, field, errors)
    if errors:
        raise ValidationError(errors)

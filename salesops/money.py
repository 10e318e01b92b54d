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


# A quota (one fiscal month's row, or an amount for a month, quarter or year spread over months)
# is bounded below one trillion: the quota column holds 16 digits, and a year of months at the
# bound, summed for a quarterly or yearly measurement, still fits it.
MAX_QUOTA = Decimal("999999999999.99")
QUOTA_TOO_LARGE = "Too large: a quota is at most 999,999,999,999.99; check the figure."
QUOTA_NEGATIVE = "A quota cannot be negative."

max_quota = MaxValueValidator(MAX_QUOTA, message=QUOTA_TOO_LARGE)
min_quota = MinValueValidator(Decimal(0), message=QUOTA_NEGATIVE)


def check_quota(value: Decimal | None, field: str, errors: dict[str, str]) -> None:
    """Add `field`'s message to `errors` when a quota is negative or above MAX_QUOTA."""
    if value is None:
        return
    if value < 0:
        errors[field] = QUOTA_NEGATIVE
    elif value > MAX_QUOTA:
        errors[field] = QUOTA_TOO_LARGE

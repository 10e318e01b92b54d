"""Setting quotas: an amount for a month, quarter or year, spread over its fiscal months by a
seasonality distribution, then ramped for new hires."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from simple_history.utils import bulk_create_with_history

from compensation.conf import ramp_percents
from compensation.models import Metric, Quota
from compensation.services._history import history_user, save_with_user
from salesops import calendar
from salesops.models import Person, Team
from salesops.selectors.scope import AnyUser

CENT = Decimal("0.01")
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Assignee:
    person: Person | None = None
    team: Team | None = None
    territory_id: int | None = None

    def __post_init__(self) -> None:
        given = [x for x in (self.person, self.team, self.territory_id) if x is not None]
        if len(given) != 1:
            raise ValidationError({"assignee": "Give exactly one of person, team or territory."})

    def filter(self) -> dict[str, object]:
        if self.person is not None:
            return {"person": self.person}
        if self.team is not None:
            return {"team": self.team}
        return {"territory_id": self.territory_id}


def spread(amount: Decimal, weights: Sequence[Decimal]) -> list[Decimal]:
    """Split `amount` by percentage `weights` (summing to 100) into cents; the last share takes
    the rounding remainder so the parts add up to `amount` exactly."""
    parts = [(amount * w / HUNDRED).quantize(CENT, ROUND_HALF_UP) for w in weights[:-1]]
    parts.append(amount - sum(parts, Decimal(0)))
    return parts


def ramp_factor(hire_date: date | None, month_start: date) -> Decimal:
    """Share (%) of full quota a person carries in the month starting `month_start`.

    Months before the hire month carry 0; the hire month is the first ramp month."""
    if hire_date is None:
        return HUNDRED
    index = calendar.months_between(hire_date, month_start)
    if index < 0:
        return Decimal(0)
    ramp = ramp_percents()
    return ramp[index] if index < len(ramp) else HUNDRED


def _validate_weights(seasonality: Sequence[Decimal] | None, months: int) -> list[Decimal]:
    if seasonality is None:
        return [HUNDRED / months] * months if months > 1 else [HUNDRED]
    weights = [Decimal(str(w)) for w in seasonality]
    if len(weights) != months:
        raise ValidationError(
            {"seasonality": f"Give {months} percentages, one per month of the period."}
        )
    if any(w < 0 for w in weights):
        raise ValidationError({"seasonality": "Percentages cannot be negative."})
    if sum(weights, Decimal(0)) != HUNDRED:
        raise ValidationError({"seasonality": "The percentages must sum to 100."})
    return weights


def quota_rows(
    *,
    assignee: Assignee,
    metric: str,
    period: calendar.FiscalPeriod,
    amount: Decimal,
    seasonality: Sequence[Decimal] | None = None,
    apply_ramp: bool = True,
) -> list[Quota]:
    """The monthly Quota rows (unsaved) for an amount over a period."""
    if metric not in Metric.values:
        raise ValidationError({"metric": f"Unknown metric '{metric}'."})
    if amount < 0:
        raise ValidationError({"amount": "A quota cannot be negative."})
    months = period.months()
    weights = _validate_weights(seasonality, len(months))
    shares = spread(Decimal(amount), weights)
    hire = assignee.person.hire_date if assignee.person is not None and apply_ramp else None
    rows = []
    for month, weight, share in zip(months, weights, shares, strict=True):
        factor = ramp_factor(hire, month.start)
        value = share if factor == HUNDRED else (share * factor / HUNDRED).quantize(CENT)
        basis = f"{period.key} {amount:,.2f} × {weight.quantize(Decimal('0.01'))} %"
        if factor != HUNDRED:
            basis += f" × ramp {factor.normalize():f} %"
        rows.append(
            Quota(
                **assignee.filter(),
                metric=metric,
                fiscal_year=month.fy,
                period_start=month.start,
                period_end=month.end,
                amount=value,
                basis=basis[:255],
            )
        )
    return rows


@transaction.atomic
def quota_set(
    *,
    user: AnyUser | None,
    assignee: Assignee,
    metric: str,
    period: calendar.FiscalPeriod,
    amount: Decimal,
    seasonality: Sequence[Decimal] | None = None,
    apply_ramp: bool = True,
) -> list[Quota]:
    """Set the assignee's quota for `period` (replacing its months). Each month row is saved
    individually so the audit history has one row per change with the acting user."""
    # The territory model is the FK's target: pay does not import territories (.importlinter).
    territories = Quota._meta.get_field("territory").related_model._default_manager
    if (
        assignee.territory_id is not None
        and not territories.filter(pk=assignee.territory_id).exists()
    ):
        raise ValidationError({"territory_id": "Unknown territory."})
    rows = quota_rows(
        assignee=assignee,
        metric=metric,
        period=period,
        amount=amount,
        seasonality=seasonality,
        apply_ramp=apply_ramp,
    )
    existing = {
        q.period_start: q
        for q in Quota.objects.select_for_update().filter(
            **assignee.filter(),
            metric=metric,
            period_start__gte=period.start,
            period_start__lte=period.end,
        )
    }
    saved = []
    for row in rows:
        current = existing.get(row.period_start)
        if current is not None:
            if current.amount == row.amount and current.basis == row.basis:
                saved.append(current)
                continue
            current.amount, current.basis = row.amount, row.basis
            row = current
        save_with_user(row, user=user)
        saved.append(row)
    return saved


def quotas_bulk_create(*, user: AnyUser | None, rows: list[Quota], batch_size: int = 5000) -> int:
    """Insert many new quota rows with their history rows (the demo and imports use this)."""
    created = bulk_create_with_history(
        rows, Quota, batch_size=batch_size, default_user=history_user(user)
    )
    return len(created)


@transaction.atomic
def quota_update(*, user: AnyUser | None, quota: Quota, amount: Decimal) -> Quota:
    if amount < 0:
        raise ValidationError({"amount": "A quota cannot be negative."})
    quota.amount = amount
    quota.basis = "set by hand"
    save_with_user(quota, user=user)
    return quota


@transaction.atomic
def quota_delete(*, user: AnyUser | None, quota: Quota) -> None:
    acting = history_user(user)
    if acting is not None:
        quota._history_user = acting  # type: ignore[attr-defined]
    quota.delete()

"""Clawbacks: won deals that were paid and then lost or refunded. Their own path through the
payout ledger: what the ledger paid for the deal comes back as one negative line."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone

from compensation import engine
from compensation.models import (
    DealReversal,
    PayoutComponent,
    PayoutEntry,
    StatementLine,
    StatementStatus,
)
from compensation.services._history import history_user, save_with_user
from salesops import calendar
from salesops.models import Stage
from salesops.selectors.scope import AnyUser

LOCKED = (StatementStatus.APPROVED, StatementStatus.PAID)


def clawbacks_due(
    *,
    person_ids: list[int],
    period: calendar.FiscalPeriod,
    days_by_person: dict[int, int],
    current_ids: list[int],
) -> dict[int, list[engine.Clawback]]:
    """Deals the payout ledger paid on an earlier locked statement that were since lost or
    refunded (on or before the period's end, within the plan's clawback days of the close date),
    not yet clawed back. The amount is what the ledger paid for the deal net of its corrections
    (commission and SPIF rows): a correcting line of its own, never a recomputation of the
    months that paid it."""
    explicit = {
        r.deal_id: (r.reversed_on, r.get_reason_display())
        for r in DealReversal.objects.filter(reversed_on__lte=period.end)
    }
    paid = (
        PayoutEntry.objects.filter(
            component__in=[PayoutComponent.COMMISSION, PayoutComponent.SPIF],
            statement__period_start__lt=period.start,
            person_id__in=person_ids,
            deal__isnull=False,
        )
        .filter(Q(deal__stage=Stage.LOST) | Q(deal_id__in=list(explicit)))
        .values(
            "person_id",
            "deal_id",
            "deal__external_id",
            "deal__close_date",
            "deal__stage_entered_at",
        )
        .annotate(paid=Sum("amount"))
        .order_by("deal__close_date", "deal__external_id")
    )
    done = set(
        PayoutEntry.objects.filter(
            component=PayoutComponent.CLAWBACK, person_id__in=person_ids, deal__isnull=False
        )
        # A set: no ordering, so not the model's (statement, line), which joins both tables twice.
        .order_by()
        .values_list("person_id", "deal_id")
    ) | set(
        StatementLine.objects.filter(
            kind=engine.CLAWBACK,
            statement__person_id__in=person_ids,
            statement__status=StatementStatus.DRAFT,
            deal__isnull=False,
        )
        .exclude(statement_id__in=current_ids)
        .values_list("statement__person_id", "deal_id")
    )
    out: dict[int, list[engine.Clawback]] = defaultdict(list)
    for r in paid:
        person_id, deal_id = r["person_id"], r["deal_id"]
        if (person_id, deal_id) in done or r["paid"] <= 0:
            continue
        if deal_id in explicit:
            reversed_on, reason = explicit[deal_id]
        elif r["deal__stage_entered_at"] is not None:
            entered: datetime = r["deal__stage_entered_at"]
            reversed_on, reason = timezone.localdate(entered), "Lost after being won"
        else:
            continue
        if reversed_on > period.end:
            continue
        closed: date | None = r["deal__close_date"]
        if closed is None or (reversed_on - closed).days > days_by_person.get(person_id, 0):
            continue
        out[person_id].append(
            engine.Clawback(
                ref=r["deal__external_id"],
                amount=r["paid"],
                reason=f"{reason.lower()} on {reversed_on.isoformat()} (the payout ledger "
                "paid it, net of corrections)",
                deal_id=deal_id,
            )
        )
    return out


@transaction.atomic
def deal_reversal_record(
    *, user: AnyUser | None, deal_id: int, reversed_on: date, reason: str, note: str = ""
) -> DealReversal:
    """Record that a won deal was refunded (or lost): the next statement claws it back when the
    plan's clawback window allows."""
    if DealReversal.objects.filter(deal_id=deal_id).exists():
        raise ValidationError({"deal": "This deal's reversal is already recorded."})
    reversal = DealReversal(
        deal_id=deal_id,
        reversed_on=reversed_on,
        reason=reason,
        note=note,
        created_by=history_user(user),
    )
    save_with_user(reversal, user=user)
    return reversal

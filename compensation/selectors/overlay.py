"""Overlay credit reads: extra credit for pay on won deals, beside the 100 % split. Never revenue
(efficiency reads salesops.selectors.credit only), so overlay never changes a split's credit."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db.models import DecimalField, ExpressionWrapper, F, QuerySet, Value

from compensation.engine import DealCredit
from compensation.models import OverlayCredit
from salesops.models import Stage

OVERLAY_OUTPUT = DecimalField(max_digits=24, decimal_places=8)


def credited_overlays(
    *, start: date | None = None, end: date | None = None, person_ids: Iterable[int] | None = None
) -> QuerySet[OverlayCredit]:
    """Overlay rows of won deals closed in [start, end] annotated with `credit` (close value ×
    percent / 100): the same won/confirmation rule as the split credit function."""
    qs = OverlayCredit.objects.filter(deal__stage=Stage.WON)
    if not getattr(settings, "COMP_REP_DEALS_PAY_BEFORE_CONFIRMATION", True):
        qs = qs.exclude(deal__entered_by_owner=True, deal__confirmed_at__isnull=True)
    if start is not None:
        qs = qs.filter(deal__close_date__gte=start)
    if end is not None:
        qs = qs.filter(deal__close_date__lte=end)
    if person_ids is not None:
        qs = qs.filter(person_id__in=list(person_ids))
    return qs.annotate(
        credit=ExpressionWrapper(
            F("deal__close_value") * F("percent") / Value(Decimal(100)), output_field=OVERLAY_OUTPUT
        )
    )


def overlay_deal_credits(
    *, person_ids: list[int], start: date, end: date
) -> dict[int, list[DealCredit]]:
    """Per person, their overlay credits in [start, end] as engine deal credits (one query)."""
    rows = (
        credited_overlays(start=start, end=end, person_ids=person_ids)
        .values(
            "person_id",
            "deal_id",
            "role",
            "percent",
            "credit",  # type: ignore[misc]  # annotated by credited_overlays
            "deal__external_id",
            "deal__close_date",
            "deal__product__name",
            "deal__close_value",
        )
        .order_by()
    )
    out: dict[int, list[DealCredit]] = defaultdict(list)
    for r in rows:
        out[r["person_id"]].append(
            DealCredit(
                ref=r["deal__external_id"],
                credit=r["credit"],
                close_date=r["deal__close_date"],
                product=r["deal__product__name"] or "",
                deal_value=r["deal__close_value"],
                share=r["percent"],
                deal_id=r["deal_id"],
                overlay=str(r["role"]).replace("_", " "),
            )
        )
    return out

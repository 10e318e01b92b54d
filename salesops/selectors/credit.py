"""The one credit function: how much of a won deal's value each person is credited.

A won deal credits each person on its splits `close_value × percent / 100`, dated by the deal's
close date. Efficiency (revenue), attainment and commissions all read credit from here; never write
a second copy of split logic. Amounts are exact Decimals (no rounding) until a consumer rounds.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db.models import DecimalField, ExpressionWrapper, F, QuerySet, Sum, Value
from psycopg2 import sql

from salesops.models import DealSplit, Stage

CREDIT_OUTPUT = DecimalField(max_digits=24, decimal_places=8)

# The same rule for hand-written SQL over `salesops_deal d JOIN salesops_dealsplit s`.
CREDIT_SQL = "(d.close_value * s.percent / 100)"
CREDIT_SQL_WHERE = "d.stage = 'won'"
# A won deal its own owner entered and nobody confirmed yet (`salesops_deal d`).
UNCONFIRMED_SQL = "d.entered_by_owner AND d.confirmed_at IS NULL"
# Won, and not an unconfirmed rep-entered deal (the setting off).
CONFIRMED_CREDIT_SQL_WHERE = (
    "d.stage = 'won' AND NOT (d.entered_by_owner AND d.confirmed_at IS NULL)"
)
# The same as psycopg2.sql fragments, to compose: sql.SQL("SUM({credit})").format(credit=CREDIT).
CREDIT = sql.SQL(CREDIT_SQL)
CREDIT_WHERE = sql.SQL(CREDIT_SQL_WHERE)


def credit_sql_where() -> str:
    """CREDIT_SQL_WHERE under the current COMP_REP_DEALS_PAY_BEFORE_CONFIRMATION: with the
    setting off, unconfirmed rep-entered deals credit nobody (as in `credited_splits`). Hand-written
    SQL that credits deals (efficiency, dashboards, territories) uses this, not the constant."""
    if getattr(settings, "COMP_REP_DEALS_PAY_BEFORE_CONFIRMATION", True):
        return CREDIT_SQL_WHERE
    return CONFIRMED_CREDIT_SQL_WHERE


def credit_where() -> sql.SQL:
    """credit_sql_where() as a psycopg2.sql fragment."""
    return sql.SQL(credit_sql_where())


def credit_expression() -> ExpressionWrapper:
    """Credited value of one DealSplit row (annotate on a DealSplit queryset)."""
    return ExpressionWrapper(
        F("deal__close_value") * F("percent") / Value(Decimal(100)), output_field=CREDIT_OUTPUT
    )


def credited_splits(
    *,
    start: date | None = None,
    end: date | None = None,
    person_ids: Iterable[int] | None = None,
) -> QuerySet[DealSplit]:
    """Split rows of won deals closed in [start, end], annotated with `credit`. Won deals their
    own owner entered and no manager confirmed yet are left out when
    COMP_REP_DEALS_PAY_BEFORE_CONFIRMATION is off (default on: they count, and say so)."""
    qs = DealSplit.objects.filter(deal__stage=Stage.WON)
    if not getattr(settings, "COMP_REP_DEALS_PAY_BEFORE_CONFIRMATION", True):
        qs = qs.exclude(deal__entered_by_owner=True, deal__confirmed_at__isnull=True)
    if start is not None:
        qs = qs.filter(deal__close_date__gte=start)
    if end is not None:
        qs = qs.filter(deal__close_date__lte=end)
    if person_ids is not None:
        qs = qs.filter(person_id__in=list(person_ids))
    return qs.annotate(credit=credit_expression())


def credit_by_person(
    *, start: date | None = None, end: date | None = None, person_ids: Iterable[int] | None = None
) -> dict[int, Decimal]:
    """Σ credit per person over [start, end], aggregated in the database."""
    rows = (
        credited_splits(start=start, end=end, person_ids=person_ids)
        .values("person_id")
        .annotate(total=Sum("credit"))
        .values_list("person_id", "total")
    )
    return {person_id: total or Decimal(0) for person_id, total in rows}

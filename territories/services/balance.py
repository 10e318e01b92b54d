"""The nightly territory balance snapshot: every territory's figures (accounts, potential, open
pipeline, won revenue of the fiscal year to date) of each active model as of a business date, so
the dashboards read one row per territory instead of aggregating every deal per request.

Idempotent: a date's rows are replaced in one transaction. Older dates are kept for a week.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db import connection, transaction
from django.utils import timezone

from salesops import calendar
from territories.models import ModelState, TerritoryBalanceSnapshot, TerritoryModel
from territories.selectors.metrics import metrics_figures

KEEP_DAYS = 7


@transaction.atomic
def territory_balance_snapshot_write(*, model: TerritoryModel, as_of: date) -> int:
    """Replace `model`'s balance rows of `as_of` (won revenue from the fiscal year's start to
    `as_of`); returns the rows written. Analyzes the table after a first load."""
    year = calendar.year_containing(as_of)
    figures = metrics_figures(model=model, start=year.start, end=as_of)
    TerritoryBalanceSnapshot.objects.filter(model=model, as_of=as_of).delete()
    TerritoryBalanceSnapshot.objects.filter(
        model=model, as_of__lt=as_of - timedelta(days=KEEP_DAYS)
    ).delete()
    now = timezone.now()
    rows = [
        TerritoryBalanceSnapshot(
            model=model,
            territory_id=tid,
            as_of=as_of,
            accounts=accounts,
            potential=potential,
            pipeline=pipeline,
            won_ytd=won,
            computed_at=now,
        )
        for tid, (accounts, potential, pipeline, won) in figures.items()
    ]
    TerritoryBalanceSnapshot.objects.bulk_create(rows, batch_size=2000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE territories_territorybalancesnapshot")
    return len(rows)


def territory_balance_snapshots_nightly(*, as_of: date) -> int:
    """Every active model's snapshot of `as_of` (the nightly task)."""
    return sum(
        territory_balance_snapshot_write(model=model, as_of=as_of)
        for model in TerritoryModel.objects.filter(state=ModelState.ACTIVE)
    )

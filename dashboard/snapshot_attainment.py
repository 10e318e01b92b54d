"""Attainment and clubs from the nightly person snapshots: quotas (compensation's) against the
revenue credited by the night's business date, instead of every person's credit computed live."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import connection
from psycopg2 import sql

from compensation.models import Metric
from compensation.selectors.attainment import (
    AttainmentRow,
    club_tier,
    percent,
    quota_by_person,
    quota_sums,
)
from dashboard.periods import Period
from dashboard.snapshots import SNAPSHOTS_ID, ZERO, AsOf, snapshot_span
from salesops import calendar
from salesops.models import REP_ROLES

PERSON_REVENUE_SQL = sql.SQL(
    """
    SELECT s.scope_id, s.revenue FROM {snapshots} s
    WHERE s.period_end = %(pe)s AND s.period = %(period)s AND s.period_start = %(ps)s
      AND s.scope_type = 'person' AND s.scope_key = '' AND s.scope_id = ANY(%(ids)s)
"""
).format(snapshots=SNAPSHOTS_ID)


def _person_revenue(person_ids: list[int], period: str, start: date, end: date) -> dict[int, Any]:
    """Revenue of each person from their snapshot of one period (one query on the natural key)."""
    if not person_ids:
        return {}
    params: dict[str, Any] = {"pe": end, "period": period, "ps": start, "ids": person_ids}
    with connection.cursor() as cur:
        cur.execute(PERSON_REVENUE_SQL, params)
        return dict(cur.fetchall())


def _expected(quota: Decimal | None, start: date, end: date, day: date) -> Decimal | None:
    """Where a person with `quota` over [start, end] should be by `day` on a linear pace (the rule
    of compensation's attainment_for_people, to the cent)."""
    if quota is None:
        return None
    days = (end - start).days + 1
    elapsed = min(max((day - start).days + 1, 0), days)
    return (quota * elapsed / days).quantize(Decimal("0.01"), ROUND_HALF_UP)


def attainment_from_snapshots(
    *,
    person_ids: list[int],
    period: Period,
    as_of: AsOf | None,
    credited: dict[int, Decimal] | None = None,
) -> dict[int, AttainmentRow] | None:
    """Revenue attainment of each person for the whole month/quarter/year of `period`: quota over
    it (compensation's quotas: one query) against the revenue credited by the night's business
    date (the person snapshots: one query, none when the caller has them: `credited`, e.g. the
    people table's revenue of the same snapshots), pace against where they should be by that
    date.
    None when the snapshots do not hold the period (the caller asks compensation, live)."""
    span = None if as_of is None else snapshot_span(period, as_of.day)
    if span is None or as_of is None:
        return None
    quotas = quota_by_person(person_ids=person_ids, start=period.start, end=period.full_end)
    if credited is None:
        credited = _person_revenue(person_ids, span.period, span.start, span.end)
    rows = {}
    for pid in person_ids:
        quota, achieved = quotas.get(pid), credited.get(pid, ZERO)
        expected = _expected(quota, period.start, period.full_end, as_of.day)
        rows[pid] = AttainmentRow(
            person_id=pid,
            name="",
            team_id=None,
            metric=Metric.REVENUE,
            quota=quota,
            credited=achieved,
            percent=percent(achieved, quota),
            expected_to_date=expected,
            pace_percent=percent(achieved, expected),
            club_tier=club_tier(achieved, quota),
        )
    return rows


def clubs_from_snapshots(
    *,
    person_ids: list[int],
    day: date,
    as_of: AsOf | None,
    reps: list[int] | None = None,
    ytd_revenue: dict[int, Decimal] | None = None,
) -> dict[int, str] | None:
    """Club tier of each rep among `person_ids` for the fiscal year containing `day` (annual
    revenue plan against the year-to-date snapshot revenue of the night's business date): two
    small queries instead of every rep's yearly credit. None when the night is in another year.
    A caller that holds the people's roles passes `reps` (those of `person_ids` who are reps: the
    quotas are then read without joining the people), and one that holds their year-to-date
    revenue of the same night (the people table of a YTD page) `ytd_revenue` (one query less)."""
    year = calendar.year_containing(day)
    if as_of is None or not year.start <= as_of.day <= year.end:
        return None
    if reps is None:
        quotas = quota_sums(
            by="person_id",
            person__role__in=sorted(REP_ROLES),
            person_id__in=person_ids,
            period_start__gte=year.start,
            period_start__lte=year.end,
        )
    else:
        quotas = quota_by_person(person_ids=reps, start=year.start, end=year.end)
    credited = ytd_revenue
    if credited is None:
        credited = _person_revenue(list(quotas), "ytd", year.start, as_of.day)
    tiers = {pid: club_tier(credited.get(pid, ZERO), quota) for pid, quota in quotas.items()}
    return {pid: tier for pid, tier in tiers.items() if tier}

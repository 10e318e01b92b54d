"""The demo's sales-cost ledger: monthly salaries, tool seats, travel, allocated team marketing,
a few adjustments (negative ones with a reason) and other costs. No commission rows: commission
is posted by approving statements (compensation.demo approves the demo's past statements).

Rows are generated person by person, month by month, in chunks. Amounts are integer cents until
the row is built, so sums are exact.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from datetime import date, timedelta

from salesops.demo.catalog import (
    ADJUSTMENT_NOTES_NEGATIVE,
    ADJUSTMENT_NOTES_POSITIVE,
    MARKETING_ITEMS,
    REGION_COST_FACTOR,
    TOOLS_ALL,
    TOOLS_CLOSERS,
    TOOLS_SELLERS,
    TRAVEL_ITEMS,
)
from salesops.demo.org import Org, PersonSpec
from salesops.demo.pipeline import DealStats, Row, cents_decimal
from salesops.models import CostCategory, CostSource, Role

COST_COLUMNS = ("id", "date", "person_id", "team_id", "category", "amount", "source", "note")
LEDGER_MONTHS = 24
HOURS_PER_MONTH = 173
# Share of the loaded hourly cost paid as salary (the rest is benefits and overhead).
SALARY_SHARE = 0.72
# Expected travel expense items per person-month before scaling to the requested size.
TRAVEL_RATE = {
    Role.ACCOUNT_EXECUTIVE: 3.0,
    Role.SALES_MANAGER: 2.5,
    Role.CUSTOMER_SUCCESS: 2.0,
    Role.SDR: 0.5,
    Role.SALES_OPS_MANAGER: 1.0,
    Role.SALES_ADMIN: 0.2,
}
TRAVEL_WEIGHTS = (3, 5, 2, 6, 3, 0.4)
ADJUSTMENT_RATE = 0.006
OTHER_RATE = 0.05


def _months(first: date, last: date) -> list[date]:
    out, m = [], first.replace(day=1)
    while m <= last:
        out.append(m)
        m = (m + timedelta(days=32)).replace(day=1)
    return out


def _tools(role: str) -> tuple[tuple[str, int], ...]:
    tools: tuple[tuple[str, int], ...] = TOOLS_ALL
    if role in (Role.ACCOUNT_EXECUTIVE, Role.SDR, Role.CUSTOMER_SUCCESS):
        tools += TOOLS_SELLERS
    if role in (Role.ACCOUNT_EXECUTIVE, Role.SALES_MANAGER):
        tools += TOOLS_CLOSERS
    return tools


def _person_months(p: PersonSpec, months: list[date], today: date) -> list[date]:
    end = today if p.active else today - timedelta(days=400)
    start = p.hire_date.replace(day=1)
    return [m for m in months if start <= m <= end]


def _month_fraction(m: date, today: date) -> float:
    """The share of month `m` that has happened by `today`: 1 for a past month. Items that occur
    at random through a month (travel, adjustments) are that much likelier in the month
    so far, so the current month is not given a whole month's worth in its first days."""
    next_month = (m + timedelta(days=32)).replace(day=1)
    if next_month <= today:
        return 1.0
    return ((today - m).days + 1) / (next_month - m).days


def _poisson(rng: random.Random, lam: float) -> int:
    # Knuth; λ stays small (a few items a month).
    limit, k, prod = math.exp(-lam), 0, rng.random()
    while prod > limit:
        k += 1
        prod *= rng.random()
    return k


def travel_factor(*, org: Org, stats: DealStats, today: date, target_rows: int | None) -> float:
    """Scale travel frequency so the ledger has about `target_rows` rows (1.0 when None)."""
    if target_rows is None:
        return 1.0
    months = _months(today - timedelta(days=LEDGER_MONTHS * 31), today)
    fixed = 0.0  # commission rows come from approved statements, not from here
    travel = 0.0
    for p in org.people:
        person_months = _person_months(p, months, today)
        fixed += len(person_months) * 2  # salary and tool seats
        elapsed = sum(_month_fraction(m, today) for m in person_months)
        travel += elapsed * TRAVEL_RATE[Role(p.role)]
    fixed += sum(1 for t in org.teams if t.area is not None) * len(months) * 1.5
    if travel <= 0:
        return 1.0
    return max(0.2, min(20.0, (target_rows - fixed) / travel))


def _adjustment(
    rng: random.Random, month: date, span: int, *, always_credit: bool
) -> tuple[date, int, str]:
    """A manual correction in the month: mostly credits (refunds), sometimes a late charge."""
    day = month + timedelta(days=rng.randrange(span))
    if rng.random() < 0.7 or always_credit:
        return day, -int(rng.uniform(50, 2000) * 100), rng.choice(ADJUSTMENT_NOTES_NEGATIVE)
    return day, int(rng.uniform(500, 5000) * 100), rng.choice(ADJUSTMENT_NOTES_POSITIVE)


def costs_generate(
    *,
    rng: random.Random,
    org: Org,
    stats: DealStats,
    today: date,
    travel_scale: float,
    chunk: int,
) -> Iterator[list[Row]]:
    months = _months(today - timedelta(days=LEDGER_MONTHS * 31), today)
    rows: list[Row] = []
    next_id = 1

    def add(
        day: date, person: int | None, team: int | None, cat: str, cents: int, src: str, note: str
    ) -> None:
        nonlocal next_id
        rows.append((next_id, day, person, team, cat, cents_decimal(cents), src, note))
        next_id += 1

    for p in org.people:
        factor = REGION_COST_FACTOR[p.region]
        salary = int(float(p.hourly_cost) * 100 * HOURS_PER_MONTH * SALARY_SHARE)
        tools = _tools(p.role)
        tools_cents = sum(cents for _, cents in tools)
        tools_note = "Tool seats: " + ", ".join(name for name, _ in tools)
        lam = TRAVEL_RATE[Role(p.role)] * travel_scale
        forced_adjustment = p.username == "rep"
        for m in _person_months(p, months, today):
            last_day = min(today, (m + timedelta(days=32)).replace(day=1) - timedelta(days=1))
            span = (last_day - m).days + 1
            elapsed = _month_fraction(m, today)
            if m.replace(day=25) <= today:
                add(
                    m.replace(day=25),
                    p.id,
                    None,
                    CostCategory.SALARY,
                    salary,
                    CostSource.IMPORT,
                    "Monthly salary",
                )
            add(m, p.id, None, CostCategory.TOOLS, tools_cents, CostSource.IMPORT, tools_note)
            for _ in range(_poisson(rng, lam * elapsed)):
                name, base = rng.choices(TRAVEL_ITEMS, TRAVEL_WEIGHTS)[0]
                cents = int(base * factor * rng.lognormvariate(0, 0.35))
                day = m + timedelta(days=rng.randrange(span))
                add(day, p.id, None, CostCategory.TRAVEL, cents, CostSource.MANUAL, name)
            if rng.random() < OTHER_RATE:
                add(
                    m,
                    p.id,
                    None,
                    CostCategory.OTHER,
                    int(rng.uniform(40, 160)) * 100,
                    CostSource.MANUAL,
                    "Home-office stipend",
                )
            if forced_adjustment or rng.random() < ADJUSTMENT_RATE * elapsed:
                forced_adjustment = False
                day, cents, note = _adjustment(rng, m, span, always_credit=p.username == "rep")
                add(day, p.id, None, CostCategory.ADJUSTMENT, cents, CostSource.MANUAL, note)
            if len(rows) >= chunk:
                yield rows
                rows = []
    for t in org.teams:
        if t.area is None:
            continue
        for m in months:
            for item in MARKETING_ITEMS[: 1 + int(rng.random() < 0.5)]:
                cents = int(rng.lognormvariate(math.log(4_000), 0.5) * 100)
                add(m, None, t.id, CostCategory.MARKETING, cents, CostSource.IMPORT, item)
        if len(rows) >= chunk:
            yield rows
            rows = []
    if rows:
        yield rows

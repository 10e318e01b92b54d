"""Accounts, products, deals and splits of the demo, generated as row tuples in chunks.

Rows are plain tuples in the column order declared next to each generator, so the same rows feed
`bulk_create` (small) or COPY (large). Ids are assigned here, 1…n, in generation order.
"""

from __future__ import annotations

import bisect
import itertools
import math
import random
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from salesops import calendar
from salesops.demo.catalog import (
    AREAS,
    NAME_STEMS,
    PRODUCT_WEIGHTS,
    PRODUCTS,
    SECTORS,
    SERVICE_PRODUCTS,
)
from salesops.demo.org import Org
from salesops.models import OPEN_STAGES, Role, Stage

Row = tuple[Any, ...]

ACCOUNT_COLUMNS = (
    "id",
    "name",
    "sector",
    "country",
    "region",
    "postal_code",
    "employees",
    "annual_revenue",
    "year_established",
    "parent_id",
    "owner_id",
)
PRODUCT_COLUMNS = ("id", "name", "series", "list_price")
DEAL_COLUMNS = (
    "id",
    "external_id",
    "account_id",
    "product_id",
    "owner_id",
    "stage",
    "lost_at_stage",
    "amount",
    "close_value",
    "engage_date",
    "close_date",
    "stage_entered_at",
)
SPLIT_COLUMNS = ("id", "deal_id", "person_id", "percent")

HISTORY_DAYS = 790  # engage dates reach back ~2 years + one sales cycle, so closes cover 2 years
SELLER_WEIGHTS = {
    Role.ACCOUNT_EXECUTIVE: 5.0,
    Role.CUSTOMER_SUCCESS: 2.0,
    Role.SDR: 1.5,
    Role.SALES_MANAGER: 0.3,
}
# Months with fewer new deals (summer holidays, year end).
ENGAGE_MONTH_FACTOR = {1: 0.9, 7: 0.85, 8: 0.7, 12: 0.75}
LOST_AT_WEIGHTS = (0.25, 0.30, 0.20, 0.15, 0.10)  # prospecting … closing
SPLIT_PATTERNS = (((50, 50), 0.55), ((60, 40), 0.15), ((70, 30), 0.15), ((50, 25, 25), 0.15))
SPLIT_SHARE = 0.12
WIN_RATE = 0.44
QUARTER_END_SHARE = 0.3  # won deals pulled into the last days of their fiscal quarter
MAX_CYCLE = 300  # days from engage to close


def _postal(rng: random.Random, pattern: str) -> str:
    out = []
    for ch in pattern:
        if ch == "#":
            out.append(str(rng.randrange(10)))
        elif ch == "?":
            out.append(chr(65 + rng.randrange(26)))
        else:
            out.append(ch)
    return "".join(out)


def cents_decimal(value: int) -> Decimal:
    return Decimal(value).scaleb(-2)


@dataclass
class AccountIndex:
    """What deal generation needs to know about accounts: who may sell to whom, and how big."""

    by_area: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))
    by_owner: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))
    size: list[float] = field(default_factory=lambda: [1.0])  # account id → deal-size factor


def accounts_generate(
    *, rng: random.Random, org: Org, count: int, today: date, index: AccountIndex
) -> Iterator[Row]:
    areas = sorted(org.area_teams)
    area_cum = list(itertools.accumulate(org.area_teams[a] * AREAS[a].weight for a in areas))
    owners: dict[int, list[int]] = defaultdict(list)
    for p in org.people:
        if (
            p.area is not None
            and p.active
            and p.role in (Role.ACCOUNT_EXECUTIVE, Role.CUSTOMER_SUCCESS)
        ):
            owners[p.area].append(p.id)
    sectors = list(SECTORS)
    sector_cum = list(itertools.accumulate(SECTORS[s][0] for s in sectors))
    names: set[str] = set()
    for account_id in range(1, count + 1):
        area_idx = areas[bisect.bisect(area_cum, rng.random() * area_cum[-1])]
        area = AREAS[area_idx]
        country = rng.choices(area.countries, [c.weight for c in area.countries])[0]
        sector = sectors[bisect.bisect(sector_cum, rng.random() * sector_cum[-1])]
        name = ""
        for attempt in range(12):
            stem = rng.choice(NAME_STEMS)
            if attempt >= 6:
                stem = f"{stem} {rng.choice(NAME_STEMS)}"
            name = f"{stem} {rng.choice(SECTORS[sector][1])} {rng.choice(country.legal)}"
            if name.lower() not in names:
                break
        else:
            name = f"{name} ({account_id})"
        names.add(name.lower())
        employees = int(min(300_000, max(5, rng.lognormvariate(math.log(400), 1.4))))
        revenue_per_head = rng.lognormvariate(math.log(180_000), 0.5)
        revenue = Decimal(round(employees * revenue_per_head, -3)).quantize(Decimal("0.01"))
        established = max(1850, today.year - int(rng.lognormvariate(math.log(22), 0.8)))
        parent_id = (
            rng.randrange(1, account_id) if account_id > 50 and rng.random() < 0.08 else None
        )
        candidates = owners.get(area_idx)
        owner_id = rng.choice(candidates) if candidates and rng.random() < 0.9 else None
        index.by_area[area_idx].append(account_id)
        if owner_id is not None:
            index.by_owner[owner_id].append(account_id)
        index.size.append(min(3.0, max(0.4, (employees / 500) ** 0.3)))
        yield (
            account_id,
            name,
            sector,
            country.code,
            rng.choice(country.regions),
            _postal(rng, country.postal),
            employees,
            revenue,
            established,
            parent_id,
            owner_id,
        )


def products_generate() -> list[Row]:
    return [
        (i + 1, name, series, Decimal(price)) for i, (name, series, price, _) in enumerate(PRODUCTS)
    ]


@dataclass
class DealStats:
    """Side results of deal generation that the cost ledger needs."""

    # (person id, first of month) → Σ close value cents × percent (divide by 100 for credit cents)
    credit: dict[tuple[int, date], int] = field(default_factory=lambda: defaultdict(int))
    splits: int = 0


@dataclass
class _Seller:
    id: int
    team_id: int
    area: int
    customer_success: bool
    skill: float
    hire: int  # hire date as a day offset from the history start (may be negative)
    lo: float  # cumulative engage weight before the hire date
    hi: float  # cumulative engage weight up to the last day they may engage deals


def _sellers(org: Org, today: date, start: date, day_cum: list[float]) -> list[_Seller]:
    out = []
    for p in org.people:
        if p.role not in SELLER_WEIGHTS or p.area is None:
            continue
        hire = (p.hire_date - start).days
        lo = day_cum[hire - 1] if hire > 0 else 0.0
        hi = day_cum[-1] if p.active else day_cum[HISTORY_DAYS - 400]
        out.append(
            _Seller(
                id=p.id,
                team_id=p.team_id,
                area=p.area,
                customer_success=p.role == Role.CUSTOMER_SUCCESS,
                skill=p.skill,
                hire=hire,
                lo=0.0 if lo >= hi else lo,
                hi=hi,
            )
        )
    return out


def _split_people(
    rng: random.Random, owner: _Seller, teammates: dict[int, list[int]], pattern_cum: list[float]
) -> tuple[list[int], tuple[int, ...]]:
    """Who shares a deal's credit: the owner alone, or the owner and teammates by a split pattern."""
    people = [owner.id]
    if rng.random() >= SPLIT_SHARE:
        return people, (100,)
    others = [m for m in teammates.get(owner.team_id, ()) if m != owner.id]
    if not others:
        return people, (100,)
    shares = SPLIT_PATTERNS[bisect.bisect(pattern_cum, rng.random() * pattern_cum[-1])][0]
    if len(shares) > len(others) + 1:
        shares = (50, 50)
    return people + rng.sample(others, len(shares) - 1), shares


def deals_generate(
    *,
    rng: random.Random,
    org: Org,
    count: int,
    today: date,
    accounts: AccountIndex,
    chunk: int,
    stats: DealStats,
) -> Iterator[tuple[list[Row], list[Row]]]:
    """Yield (deal rows, split rows) chunks of `chunk` deals. Every deal gets splits summing to
    100: the owner alone, or the owner and teammates (50/50, 60/40, 70/30, 50/25/25).

    Dates are day offsets from the start of the history inside the loop (lookup tables, not date
    arithmetic): this loop runs a million times at the large scale.
    """
    start = today - timedelta(days=HISTORY_DAYS)
    horizon = HISTORY_DAYS + MAX_CYCLE + 1
    days = [start + timedelta(days=d) for d in range(horizon)]
    entered_at = [datetime.combine(d, time(17, 0, tzinfo=UTC)) for d in days]
    month_of = [d.replace(day=1) for d in days]
    quarter_end = [(calendar.quarter_containing(d).end - start).days for d in days]
    day_cum = list(
        itertools.accumulate(
            (1 + 0.6 * d / HISTORY_DAYS) * ENGAGE_MONTH_FACTOR.get(days[d].month, 1.0)
            for d in range(HISTORY_DAYS + 1)
        )
    )
    sellers = _sellers(org, today, start, day_cum)
    by_id = {p.id: p for p in org.people}
    seller_cum = list(
        itertools.accumulate(
            SELLER_WEIGHTS[Role(by_id[s.id].role)]
            * max(0.05, min(1.0, (HISTORY_DAYS - s.hire) / HISTORY_DAYS))
            * (2.5 if by_id[s.id].username == "rep" else 1.0)
            * (1.0 if by_id[s.id].active else 0.5)
            for s in sellers
        )
    )
    teammates: dict[int, list[int]] = defaultdict(list)
    for s in sellers:
        if by_id[s.id].active and by_id[s.id].role != Role.SALES_MANAGER:
            teammates[s.team_id].append(s.id)
    product_cum = list(itertools.accumulate(PRODUCT_WEIGHTS))
    prices = [int(Decimal(p[2]) * 100) for p in PRODUCTS]
    typical_qty = [p[3] for p in PRODUCTS]
    pattern_cum = list(itertools.accumulate(w for _, w in SPLIT_PATTERNS))
    lost_cum = list(itertools.accumulate(LOST_AT_WEIGHTS))
    open_stages = [str(s) for s in OPEN_STAGES]
    won, lost = str(Stage.WON), str(Stage.LOST)
    percents = {n: Decimal(n) for n in range(1, 101)}
    discounts = (100, 100, 100, 95, 90, 85, 80)
    log_base = math.log(35)
    log_deal = math.log(1_500_000)
    by_area, by_owner, acc_size = accounts.by_area, accounts.by_owner, accounts.size
    credit = stats.credit
    random_, gauss, bisect_ = rng.random, rng.gauss, bisect.bisect
    exp, log = math.exp, math.log
    seller_total, day_total = seller_cum[-1], HISTORY_DAYS
    split_id = 0
    deal_rows: list[Row] = []
    split_rows: list[Row] = []
    for deal_id in range(1, count + 1):
        owner = sellers[bisect_(seller_cum, random_() * seller_total)]
        engage = min(day_total, bisect_(day_cum, owner.lo + random_() * (owner.hi - owner.lo)))
        if owner.customer_success and random_() < 0.6:
            product = SERVICE_PRODUCTS[int(random_() * len(SERVICE_PRODUCTS))]
        else:
            product = bisect_(product_cum, random_() * product_cum[-1])
        own = by_owner.get(owner.id)
        account_id: int | None
        if own and random_() < 0.5:
            account_id = own[int(random_() * len(own))]
        else:
            pool = by_area[owner.area]
            account_id = pool[int(random_() * len(pool))] if pool else None
        size = acc_size[account_id] if account_id else 1.0
        qty = max(1, round(typical_qty[product] * size * exp(gauss(0, 0.7))))
        amount = prices[product] * qty * discounts[int(random_() * 7)] // 100
        cycle = int(exp(log_base + 0.25 * (log(amount) - log_deal) + gauss(0, 0.6)))
        cycle = min(MAX_CYCLE, max(3, cycle))
        close = engage + cycle
        lost_at = ""
        value = 0
        if close <= day_total:
            tenure = engage - owner.hire
            ramp = 0.6 if tenure < 90 else 0.8 if tenure < 180 else 1.0
            if random_() < WIN_RATE * owner.skill * ramp * (1.15 if amount < 1_000_000 else 0.9):
                stage = won
                value = amount * (90 + int(random_() * 13)) // 100
                if random_() < QUARTER_END_SHARE:
                    snapped = quarter_end[close] - int(random_() * 10)
                    if engage <= snapped <= day_total:
                        close = snapped
            else:
                stage = lost
                idx = bisect_(lost_cum, random_() * lost_cum[-1])
                lost_at = open_stages[idx]
                close = engage + max(1, cycle * (idx + 1) // 5)
            entered = entered_at[close]
        else:
            idx = min(4, (day_total - engage) * 5 // cycle)
            stage = open_stages[idx]
            if idx == 0 and random_() < 0.35:
                account_id = None  # not yet qualified to an account
            entered = entered_at[engage + cycle * idx // 5]
        deal_rows.append(
            (
                deal_id,
                f"DEMO-{deal_id:07d}",
                account_id,
                product + 1,
                owner.id,
                stage,
                lost_at,
                cents_decimal(amount),
                cents_decimal(value) if stage == won else None,
                days[engage],
                days[close],
                entered,
            )
        )
        people, shares = _split_people(rng, owner, teammates, pattern_cum)
        month = month_of[close]
        for person_id, pct in zip(people, shares, strict=True):
            split_id += 1
            split_rows.append((split_id, deal_id, person_id, percents[pct]))
            if value:
                credit[(person_id, month)] += value * pct
        if len(deal_rows) >= chunk:
            stats.splits = split_id
            yield deal_rows, split_rows
            deal_rows, split_rows = [], []
    stats.splits = split_id
    if deal_rows:
        yield deal_rows, split_rows

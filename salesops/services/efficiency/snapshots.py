"""Step 2 of a nightly run: fold the per-day aggregates into the snapshots of S(as_of).

All in set-based statements whose number does not depend on the number of people:
1. base periods (day, month-to-date, trailing 90 days, and the closed months that need it) are
   summed from the per-day tables per person and team-of-the-day (each day finds its periods by an
   equality join on a temp table of every day of every period), then written for every person,
   team (each team gets its members' and sub-teams' rows, via the team closure), role and the
   company; in a full run the person days are written by the same statement (a data-modifying
   CTE); then every registered provider scope (e.g. territory) from its cached days;
2. derived periods (closed quarters, quarter- and year-to-date) are sums of those month and
   month-to-date snapshots.
Each write replaces the rows of the periods it computes (snapshot_writes.replace: delete, then
plain INSERT), so a scope with no activity any more loses its row.
Ratios are Σrevenue / Σcost × 100 over the scope, 4 decimals half-up, NULL when the cost is 0.

Incremental: the rolling periods of the built-in scopes (the day, month-, quarter- and
year-to-date, the trailing 90 days and, on the first of a month, the month just closed) follow
from the previous night's rows plus the new day (minus the day that left the trailing window), when
the last publish was that previous night's and none of the days those rows cover changed since
(periods.rolled_spans, recompute.rolled_to_apply); the source_rows column tells whether a scope
still has a day in the period. Otherwise they are summed from the days. Closed months are
recomputed only when a day in them is pending (its aggregates changed) or the month has no
snapshot yet; derived periods only when one of their parts was recomputed. Provider days are
refreshed for the changed days only, and provider scopes follow the built-in periods (summed from
their days), while their inputs fingerprint (salesops.efficiency_scopes) is the one their cached
days were built under; otherwise every day and every period. (Provider rows are not rolled: a
territory's share of a ledger entry has more decimals than a snapshot keeps, so yesterday's
rounded row plus a day would drift from the sum.) A change to the team tree recomputes everything
(team roll-ups follow today's tree).

This module decides and sequences; which periods is recompute.py, the writes snapshot_writes.py
(their SQL snapshot_sql.py), the provider days scope_days.py.
Speed: `make bench` efficiency.full / efficiency.incremental.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from psycopg2 import sql

from salesops.efficiency_scopes import BUILT_IN_SCOPES, scope_providers
from salesops.exceptions import ApplicationError
from salesops.services.efficiency.cursors import day_horizon_recorded, horizon_recorded
from salesops.services.efficiency.daily import DeferredPersonDays
from salesops.services.efficiency.db import execute, fetch, lock_and_configure
from salesops.services.efficiency.periods import (
    Derived,
    Span,
    base_spans,
    closed_months,
    day_state_horizon,
    derived_spans,
    state_horizon,
)
from salesops.services.efficiency.person_days import (
    WON_DEALS,
    person_day_key_restore,
    state_ctes,
)
from salesops.services.efficiency.recompute import (
    STAMP_CURSOR,
    derived_to_recompute,
    months_to_recompute,
    rolled_to_apply,
    team_tree_changed_since_last_publish,
)
from salesops.services.efficiency.scope_days import (
    providers_to_rebuild,
    scope_days_clear,
    scope_days_refresh,
    won_deals_scope_days,
)
from salesops.services.efficiency.snapshot_sql import (
    DERIVED_BODY,
    PERIOD_ROWS_DELETE,
    PROVIDER_BODY,
)
from salesops.services.efficiency.snapshot_writes import (
    built_in_ctes,
    built_in_select,
    derived_table,
    replace,
    rolled_insert,
    span_bounds,
    spans_table,
)

__all__ = [
    "PUBLISH_CURSOR",
    "PUBLISH_STEPS",
    "Progress",
    "PublishResult",
    "snapshots_publish",
]

PUBLISH_CURSOR = "publish"

# Called as a publish goes: (steps done, steps in all), for a run's progress.
Progress = Callable[[int, int], None]
PUBLISH_STEPS = 4


@dataclass(frozen=True)
class PublishResult:
    as_of: date
    full: bool
    periods: int
    rows: int
    # Periods of the built-in scopes computed from the previous night's rows (periods.Rolled).
    rolled: int = 0


def _built_in_base(
    spans: list[Span],
    params: dict[str, Any],
    person_days_insert: DeferredPersonDays | None,
    derived: list[Derived],
    scope_days: sql.Composable,
) -> int:
    """Write the built-in scopes' base periods `spans` from the person state (or, in a full run,
    from the person days `person_days_insert` aggregates and keeps in the same statement, and
    then the `derived` periods too, from the same statement's sums of their parts, and the
    plug-in scopes' days of the WITH items `scope_days` from its won deals)."""
    spans_table("_eff_spans", spans)
    params = {**params, **span_bounds(spans)}
    if person_days_insert is None:
        ctes = built_in_ctes("_eff_spans")
        return replace(built_in_select("_eff_spans"), params, periods="_eff_spans", ctes=ctes)
    head, tail = state_ctes(person_days_insert.params["horizon"], "_eff_spans", scope_days)
    ctes = built_in_ctes("_eff_spans", person_days=sql.SQL("pd"), person_days_cte=head, tail=tail)
    # Sorting, not hashing, to group: the ~1.7M source rows into ~1M person days and those into
    # the periods' ~110k (span, person, team) sums, which hash aggregates of numeric states hold
    # in memory at several times the cost. With the sources read once (ds, dl) and the derived
    # periods in this statement, full runs on the large demo took 6.49-6.88 s sorting against
    # 6.73-7.41 s hashing, eight pairs in turns (2026-12-04). For this statement only.
    derived_table(derived)
    execute(PERIOD_ROWS_DELETE.format(table=sql.Identifier("_eff_derived")), params)
    execute("SET LOCAL enable_hashagg = off")
    rows = replace(
        built_in_select("_eff_spans", derived=True),
        {**params, **person_days_insert.params},
        periods="_eff_spans",
        ctes=ctes,
    )
    execute("SET LOCAL enable_hashagg TO DEFAULT")
    # The table was just rewritten: its key back, fresh statistics for the next (incremental)
    # plans, of the columns they select, join and group by (the amounts' statistics would take a
    # third of the time and inform no plan), from a tenth of the default sample (3,000 rows):
    # those plans read key ranges by day and month and join by person, which 10 histogram buckets
    # and that sample's distinct counts tell as well (4,154 people estimated of 5,000 on the large
    # demo); about 55 ms -> 10 ms.
    person_day_key_restore()
    execute("SET LOCAL default_statistics_target = 10")
    execute("ANALYZE salesops_efficiencypersonday (day, person_id, team_id)")
    execute("ANALYZE salesops_efficiencypersonmonth (month, person_id, team_id)")
    execute("SET LOCAL default_statistics_target TO DEFAULT")
    return rows


def _providers_publish(
    *,
    full: bool,
    stamp: object,
    changed: list[date],
    horizon: date | None,
    base: tuple[list[Span], list[Span]],
    derived: tuple[list[Derived], list[Derived]],
    filled: frozenset[str] | None,
) -> int:
    """The provider scopes: their cached days refreshed, then their base and derived periods.
    They follow the built-in ones (only the periods recomputed now, the second of `base` and
    `derived`) when their cached days were only refreshed for changed days; after a rebuild,
    every period (the first). `filled`: the scope types whose days this publish's full rebuild
    statement already wrote (won_deals_scope_days), or None."""
    providers = scope_providers()
    rebuild = providers_to_rebuild(providers, full=full)
    scope_days_refresh(providers, rebuild=rebuild, pending=changed, horizon=horizon, filled=filled)
    if not providers:
        return 0
    provided = {"types": sorted(providers), "stamp": stamp}
    provider_base = base[0] if rebuild else base[1]
    spans_table("_eff_all_spans", provider_base)
    rows = replace(
        PROVIDER_BODY, {**provided, **span_bounds(provider_base)}, periods="_eff_all_spans"
    )
    derived_table(derived[0] if rebuild else derived[1])
    return rows + replace(DERIVED_BODY, provided, periods="_eff_derived")


@transaction.atomic
def snapshots_publish(
    *,
    as_of: date,
    full: bool = False,
    person_days_insert: DeferredPersonDays | None = None,
    progress: Progress | None = None,
) -> PublishResult:
    """Write S(as_of) from the per-day aggregates, in this one transaction.

    `person_days_insert` (RefreshResult.person_days_insert of a deferred full refresh of everyone):
    an INSERT … RETURNING of the person days, run here as part of the statement that folds them
    into the built-in scopes, so a full run aggregates the sources once and never reads back what
    it just wrote. `progress` is told each of the PUBLISH_STEPS steps done.
    """
    if person_days_insert is not None and not full:
        raise ValueError("person_days_insert comes from a full refresh: publish with full=True")
    step = progress or (lambda done, total: None)
    lock_and_configure(PUBLISH_CURSOR)
    horizon, day_horizon = horizon_recorded(), day_horizon_recorded()
    if horizon is not None and state_horizon(as_of) < horizon:
        raise ApplicationError(
            f"The efficiency day tables start on {horizon}; {as_of} needs days from "
            f"{state_horizon(as_of)}: run `compute_efficiency --as-of {as_of} --full`."
        )
    if day_horizon is not None and day_state_horizon(as_of) < day_horizon:
        raise ApplicationError(
            f"The efficiency day tables keep single days from {day_horizon}; {as_of} needs them "
            f"from {day_state_horizon(as_of)}: run `compute_efficiency --as-of {as_of} --full`."
        )
    # Always asked: it records the tree this publish rolls up along.
    full = team_tree_changed_since_last_publish() or full
    # The days whose per-day rows changed since the last publish (every refresh records them).
    changed = sorted(
        row[0] for row in fetch("DELETE FROM salesops_efficiencyscopependingday RETURNING day")
    )
    months = closed_months(as_of)
    derived = derived_spans(as_of)
    base = base_spans(as_of)
    base_now = [*base, *months_to_recompute(as_of, months, full=full)]
    derived_now = derived_to_recompute(derived, set(base_now), full=full)
    # Built-in scopes: the rolling periods that can follow from last night's rows do (a new day
    # costs a day's rows, not 90 days' or a year's), the rest are summed from the days.
    rolled = [] if full else rolled_to_apply(as_of, changed)
    by_rolling = {r.span for r in rolled}
    # One stamp per publish marks the rows written now (which rows a rolled period may trust).
    stamp = timezone.now()
    built_in = {"types": sorted(BUILT_IN_SCOPES), "stamp": stamp}
    rows = 0
    built_in_base = [span for span in base_now if span not in by_rolling]
    # A full rebuild's statement writes the derived periods too (all their parts are its spans).
    fused = person_days_insert is not None and bool(built_in_base)
    # The same statement writes the days of the plug-in scopes that read its won deals.
    scope_days: sql.Composable = sql.SQL("")
    filled: frozenset[str] | None = None
    if fused:
        providers = scope_providers()
        rebuild = providers_to_rebuild(providers, full=True)
        scope_days_clear(providers, rebuild)
        scope_days, filled = won_deals_scope_days(
            providers, rebuild=rebuild, horizon=horizon, won_deals=WON_DEALS
        )
    if built_in_base:
        rows += _built_in_base(built_in_base, built_in, person_days_insert, derived_now, scope_days)
    step(1, PUBLISH_STEPS)
    if rolled:
        rows += rolled_insert(rolled, built_in)
    step(2, PUBLISH_STEPS)
    rows += _providers_publish(
        full=full,
        stamp=stamp,
        changed=changed,
        horizon=horizon,
        base=([*base, *months], base_now),
        derived=(derived, derived_now),
        filled=filled,
    )
    step(3, PUBLISH_STEPS)
    # Derived periods of the built-in scopes where a part changed (unless rolled, or written by a
    # full rebuild's statement).
    if not fused:
        derived_table([d for d in derived_now if d.span not in by_rolling])
        rows += replace(DERIVED_BODY, built_in, periods="_eff_derived")
    execute(
        "INSERT INTO salesops_efficiencycursor (name, watermark) VALUES (%s, now()), (%s, %s) "
        "ON CONFLICT (name) DO UPDATE SET watermark = EXCLUDED.watermark",
        [PUBLISH_CURSOR, STAMP_CURSOR, stamp],
    )
    step(4, PUBLISH_STEPS)
    return PublishResult(
        as_of=as_of,
        full=full,
        periods=len(base_now) + len(derived_now),
        rows=rows,
        rolled=len(rolled),
    )

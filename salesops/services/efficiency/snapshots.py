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
Each write replaces the rows of the periods it computes (_replace: delete, then plain INSERT), so
a scope with no activity any more loses its row.
Ratios are Σrevenue / Σcost × 100 over the scope, 4 decimals half-up, NULL when the cost is 0.

Incremental: the rolling periods of the built-in scopes (the day, month-, quarter- and
year-to-date, the trailing 90 days and, on the first of a month, the month just closed) follow
from the previous night's rows plus the new day (minus the day that left the trailing window), when
the last publish was that previous night's and none of the days those rows cover changed since
(periods.rolled_spans, _rolled_to_apply); the source_rows column tells whether a scope still has a
day in the period. Otherwise they are summed from the days. Closed months are recomputed only when
a day in them is pending (its aggregates changed) or the month has no snapshot yet; derived
periods only when one of their parts was recomputed. Provider days are refreshed for the changed
days only, and provider scopes follow the built-in periods (summed from their days), while their
inputs fingerprint (salesops.efficiency_scopes) is the one their cached days were built under;
otherwise every day and every period. (Provider rows are not rolled: a territory's share of a
ledger entry has more decimals than a snapshot keeps, so yesterday's rounded row plus a day would
drift from the sum.) A change to the team tree recomputes everything (team roll-ups follow today's
tree).

Past ~400 lines: one step (which periods to recompute, then their writes) that reads best whole; its
SQL text lives in snapshot_sql.py. Speed: `make bench` efficiency.full / efficiency.incremental.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from psycopg2 import sql

from salesops.efficiency_scopes import (
    BUILT_IN_SCOPES,
    ScopeProvider,
    scope_fingerprints,
    scope_providers,
)
from salesops.exceptions import ApplicationError
from salesops.models import Period
from salesops.services.efficiency.daily import (
    horizon_recorded,
    lock_and_configure,
    person_day_key_restore,
)
from salesops.services.efficiency.periods import (
    Derived,
    Rolled,
    Span,
    base_spans,
    closed_months,
    derived_spans,
    rolled_spans,
    state_horizon,
)
from salesops.services.efficiency.snapshot_sql import (
    BUILT_IN_CTES,
    BUILT_IN_SELECT,
    DERIVED_BODY,
    PERIOD_ROWS_DELETE_SQL,
    PERSON_DAYS_OF_DAYS,
    PROVIDER_BODY,
    ROLLED_BODY,
    SCOPE_DAY_INSERT_SQL,
)

PUBLISH_CURSOR = "publish"
# The stamp (computed_at) of the rows the last publish wrote: which previous-night rows a rolled
# period may start from.
STAMP_CURSOR = "publish-stamp"

# The ratio rule of salesops.formulas.efficiency_ratio in SQL (tests check they agree): the
# dividend gets 20 decimals so the division never rounds before ROUND(…, 4) (half away from zero,
# as ROUND_HALF_UP).
RATIO_SQL = (
    "CASE WHEN {cost} = 0 THEN NULL ELSE ROUND(({revenue} * 100)::numeric(40, 20) / {cost}, 4) END"
)

SNAPSHOT_COLUMNS = (
    "scope_type, scope_id, scope_key, period, period_start, period_end, "
    "revenue, cost, ratio, won_deals, source_rows, computed_at"
)


@dataclass(frozen=True)
class PublishResult:
    as_of: date
    full: bool
    periods: int
    rows: int
    # Periods of the built-in scopes computed from the previous night's rows (periods.Rolled).
    rolled: int = 0


def _exec(query: str | sql.Composable, params: list[Any] | dict[str, Any] | None = None) -> int:
    with connection.cursor() as cur:
        cur.execute(query, params or [])
        return max(cur.rowcount, 0)


def _fetch(
    query: str | sql.Composable, params: list[Any] | dict[str, Any] | None = None
) -> list[tuple[Any, ...]]:
    with connection.cursor() as cur:
        cur.execute(query, params or [])
        return cur.fetchall()


def _spans_table(name: str, spans: list[Span]) -> None:
    """Temp tables `name` (id, period, ps, pe) and `name`_days (day, span_id): every day of every
    span, so the per-day rows find their periods through an equality (hash) join instead of a
    range comparison against each span."""
    spans_t, days_t = sql.Identifier(name), sql.Identifier(name + "_days")
    _exec(sql.SQL("DROP TABLE IF EXISTS {}, {}").format(spans_t, days_t))
    _exec(
        sql.SQL(
            "CREATE TEMP TABLE {} (id int, period text, ps date, pe date) ON COMMIT DROP"
        ).format(spans_t)
    )
    _exec(sql.SQL("CREATE TEMP TABLE {} (day date, span_id int) ON COMMIT DROP").format(days_t))
    if spans:
        values = sql.SQL(", ").join([sql.SQL("(%s, %s, %s::date, %s::date)")] * len(spans))
        params: list[object] = []
        for i, span in enumerate(spans):
            params += [i, str(span.period), span.start, span.end]
        _exec(sql.SQL("INSERT INTO {} VALUES {}").format(spans_t, values), params)
        _exec(
            sql.SQL(
                "INSERT INTO {} SELECT g::date, sp.id "
                "FROM {} sp, generate_series(sp.ps, sp.pe, interval '1 day') g"
            ).format(days_t, spans_t)
        )
    # Temp tables have no statistics: give the planner the row counts.
    _exec(sql.SQL("ANALYZE {}").format(spans_t))
    _exec(sql.SQL("ANALYZE {}").format(days_t))


def _derived_table(derived: list[Derived]) -> None:
    _exec("DROP TABLE IF EXISTS _eff_derived")
    _exec(
        "CREATE TEMP TABLE _eff_derived (period text, ps date, pe date, "
        "part_period text, part_ps date, part_pe date) ON COMMIT DROP"
    )
    rows = [(d.span, part) for d in derived for part in d.parts]
    if rows:
        values = sql.SQL(", ").join(
            [sql.SQL("(%s, %s::date, %s::date, %s, %s::date, %s::date)")] * len(rows)
        )
        params: list[object] = []
        for span, part in rows:
            params += [
                str(span.period),
                span.start,
                span.end,
                str(part.period),
                part.start,
                part.end,
            ]
        _exec(sql.SQL("INSERT INTO _eff_derived VALUES {}").format(values), params)
    _exec("ANALYZE _eff_derived")


def _rows_with_ratio(body: str) -> str:
    """SELECT the snapshot columns from a body with (scope_type … won, n) columns."""
    ratio = RATIO_SQL.format(cost="r.cost", revenue="r.revenue")
    return f"""
        SELECT r.scope_type, r.scope_id, r.scope_key, r.period, r.ps, r.pe,
               r.revenue, r.cost, {ratio}, r.won, r.n, %(stamp)s
        FROM ({body}) r
    """


def _replace(body: str, params: dict[str, Any], *, periods: str, ctes: str = "") -> int:
    """Replace the snapshot rows of the periods in the temp table `periods` (scope types
    %(types)s) by the rows SELECTed by `body` (which may read the WITH list `ctes`).

    Delete, then plain INSERT, in the caller's transaction: readers see all old rows or all new
    ones, a re-run never duplicates (the natural key is unique), and a scope without activity any
    more loses its row. Cheaper than `INSERT … ON CONFLICT DO UPDATE`, whose speculative insertion
    and update cost a large share of a full run.

    The rows go in the order of the (scope_type, scope_id, period, …) index, the one they spread
    across: each of its pages is visited once, in turn (178k rows: a quarter less time, sort
    included; the other indexes, led by the id and period_end, take rows in any order alike).
    """
    _exec(PERIOD_ROWS_DELETE_SQL.format(table=periods), params)
    return _exec(
        f"{ctes} INSERT INTO salesops_efficiencysnapshot ({SNAPSHOT_COLUMNS}) "
        f"{_rows_with_ratio(body)} ORDER BY 1, 2, 4",
        params,
    )


def _span_bounds(spans: list[Span]) -> dict[str, date]:
    """The one day range a statement over `spans` reads (literal, so the planner can estimate)."""
    return {"first": min(s.start for s in spans), "last": max(s.end for s in spans)}


def _months_to_recompute(as_of: date, months: list[Span], *, full: bool) -> list[Span]:
    """Closed months with a pending day, or without a snapshot yet (all of them when full)."""
    if not months:
        return months
    first, last = months[0].start, months[-1].end
    pending = _fetch(
        "DELETE FROM salesops_efficiencypendingday WHERE day BETWEEN %s AND %s RETURNING day",
        [first, last],
    )
    pending_days = {row[0] for row in pending}
    if full:
        return months
    existing = {
        row[0]
        for row in _fetch(
            "SELECT period_start FROM salesops_efficiencysnapshot "
            "WHERE scope_type = 'company' AND scope_id = 0 AND scope_key = '' "
            "AND period = %s AND period_start BETWEEN %s AND %s",
            [str(Period.MONTH), first, last],
        )
    }
    return [
        m
        for m in months
        if m.start not in existing or any(m.start <= day <= m.end for day in pending_days)
    ]


def _derived_to_recompute(
    derived: list[Derived], recomputed: set[Span], *, full: bool
) -> list[Derived]:
    if full:
        return derived
    quarters = [d for d in derived if d.span.period == Period.QUARTER]
    existing = {
        row[0]
        for row in _fetch(
            "SELECT period_start FROM salesops_efficiencysnapshot "
            "WHERE scope_type = 'company' AND scope_id = 0 AND scope_key = '' "
            "AND period = %s AND period_start = ANY(%s)",
            [str(Period.QUARTER), [d.span.start for d in quarters]],
        )
    }
    return [
        d
        for d in derived
        if d.span.period != Period.QUARTER
        or d.span.start not in existing
        or any(part in recomputed for part in d.parts)
    ]


def _rolled_to_apply(as_of: date, changed: list[date]) -> list[Rolled]:
    """The rolling periods of S(as_of) to compute from S(as_of - 1 day) (periods.rolled_spans):
    those that need no previous row, and those whose previous row the last publish wrote (the
    company row carries its stamp) while none of its days changed since (`changed`)."""
    candidates = rolled_spans(as_of)
    yesterday = as_of - timedelta(days=1)
    trusted = {
        Span(period, start, end)
        for period, start, end in _fetch(
            "SELECT s.period, s.period_start, s.period_end FROM salesops_efficiencysnapshot s "
            "JOIN salesops_efficiencycursor c ON c.name = %s AND c.watermark = s.computed_at "
            "WHERE s.scope_type = 'company' AND s.scope_id = 0 AND s.scope_key = '' "
            "AND s.period_end = %s",
            [STAMP_CURSOR, yesterday],
        )
    }
    return [
        r
        for r in candidates
        if r.prev is None
        or (r.prev in trusted and not any(r.prev.start <= day <= r.prev.end for day in changed))
    ]


def _rolled_insert(rolled: list[Rolled], params: dict[str, Any]) -> int:
    """Write the built-in scopes' rows of `rolled` from the previous night's rows and the rows of
    their added and dropped days (computed here from the per-day tables)."""
    days = sorted({day for r in rolled for day in (r.add, r.sub) if day is not None})
    day_spans = [Span(Period.DAY, day, day) for day in days]
    _spans_table("_eff_day_spans", day_spans)
    _exec("DROP TABLE IF EXISTS _eff_day_rows")
    ctes = BUILT_IN_CTES.format(
        person_days_cte="", person_days=PERSON_DAYS_OF_DAYS, spans="_eff_day_spans"
    )
    _exec(
        f"CREATE TEMP TABLE _eff_day_rows ON COMMIT DROP AS {ctes} "
        f"{BUILT_IN_SELECT.format(spans='_eff_day_spans')}",
        {**_span_bounds(day_spans), "days": days},
    )
    _exec("DROP TABLE IF EXISTS _eff_rolled")
    _exec(
        "CREATE TEMP TABLE _eff_rolled (id int, period text, ps date, pe date, "
        "prev_period text, prev_ps date, prev_pe date, add_day date, sub_day date) ON COMMIT DROP"
    )
    values: list[object] = []
    for i, r in enumerate(rolled):
        prev = (
            [None, None, None] if r.prev is None else [str(r.prev.period), r.prev.start, r.prev.end]
        )
        values += [i, str(r.span.period), r.span.start, r.span.end, *prev, r.add, r.sub]
    row = sql.SQL("(%s, %s, %s::date, %s::date, %s, %s::date, %s::date, %s::date, %s::date)")
    _exec(
        sql.SQL("INSERT INTO _eff_rolled VALUES {}").format(
            sql.SQL(", ").join([row] * len(rolled))
        ),
        values,
    )
    _exec("ANALYZE _eff_rolled")
    return _replace(ROLLED_BODY, params, periods="_eff_rolled")


# Named after what the cursor vouches for: the last publish rolled teams up along this tree
# (every team's parent; md5 of it).
TEAM_TREE_CURSOR = "team-tree:"


def _team_tree_changed_since_last_publish() -> bool:
    """Whether the team tree (every team and its parent: what the roll-ups read) differs from
    the one the last publish used, or nothing was published yet. Records the current tree for
    the next publish, in the caller's transaction.

    Compared by content, not by `Team.updated_at`: a change time has to be read with the
    overlap that allows for late commits, so every run in the minutes after a team edit (or a
    demo seed) recomputed everything; and a deleted team leaves no change time behind."""
    name, seen = _fetch(
        "WITH tree AS (SELECT %s || md5(COALESCE(string_agg(id || ':' || "
        "COALESCE(parent_id::text, ''), ',' ORDER BY id), '')) AS name FROM salesops_team) "
        "SELECT name, EXISTS (SELECT 1 FROM salesops_efficiencycursor c WHERE c.name = tree.name) "
        "FROM tree",
        [TEAM_TREE_CURSOR],
    )[0]
    if not seen:
        _exec(
            "DELETE FROM salesops_efficiencycursor WHERE starts_with(name, %s)", [TEAM_TREE_CURSOR]
        )
        _exec("INSERT INTO salesops_efficiencycursor (name, watermark) VALUES (%s, now())", [name])
    return not seen


# Named after what the cursor vouches for: the scope's cached days were built under this
# fingerprint of its own inputs.
FINGERPRINT_CURSOR = "scope-days:{scope_type}:"


def _providers_to_rebuild(providers: dict[str, ScopeProvider], *, full: bool) -> set[str]:
    """Scope types whose cached days must be rebuilt from scratch: all of them when `full`;
    otherwise those without an inputs fingerprint, or whose fingerprint differs from the one
    their days were built under (none recorded yet included).

    Records the current fingerprints (as EfficiencyCursor names) for the next publish.
    """
    fingerprints = scope_fingerprints()
    rebuild = set(providers) if full else set()
    for scope_type in sorted(providers):
        prefix = FINGERPRINT_CURSOR.format(scope_type=scope_type)
        fingerprint = fingerprints.get(scope_type)
        if fingerprint is None:
            rebuild.add(scope_type)
            continue
        query, params = fingerprint()
        digest = sql.SQL("SELECT md5(f::text) FROM ({}) f").format(sql.SQL(query))
        name = prefix + _fetch(digest, params)[0][0]
        seen = _fetch(
            "SELECT EXISTS (SELECT 1 FROM salesops_efficiencycursor WHERE name = %s)", [name]
        )[0][0]
        if not seen:
            rebuild.add(scope_type)
            _exec("DELETE FROM salesops_efficiencycursor WHERE starts_with(name, %s)", [prefix])
            _exec(
                "INSERT INTO salesops_efficiencycursor (name, watermark) VALUES (%s, now())",
                [name],
            )
    return rebuild


def _scope_days_refresh(
    providers: dict[str, ScopeProvider],
    *,
    rebuild: set[str],
    pending: list[date],
    horizon: date | None,
) -> None:
    """Bring the cached provider days up to date: every day from the `horizon` on (None: every
    day) of a scope type in `rebuild`, else only the `pending` days (those whose deals, splits or
    costs changed) from the horizon on.

    When every registered scope type is rebuilt (a full run), the cache is truncated: deleting
    its rows one by one left their dead copies for the next statements to scan (the table was
    twenty times its live size after a few full runs), and rows of a provider no longer
    registered go too."""
    truncated = bool(providers) and rebuild >= set(providers)
    if truncated:
        _exec("TRUNCATE salesops_efficiencyscopeday")
    pending = [day for day in pending if horizon is None or day >= horizon]
    for scope_type, provider in sorted(providers.items()):
        if scope_type in rebuild:
            if not truncated:
                _exec("DELETE FROM salesops_efficiencyscopeday WHERE scope_type = %s", [scope_type])
            sql, params = provider(start=horizon or date.min, end=date.max)
            _exec(SCOPE_DAY_INSERT_SQL.format(sql=sql, where="TRUE"), [scope_type, *params])
        elif pending:
            _exec(
                "DELETE FROM salesops_efficiencyscopeday WHERE scope_type = %s AND day = ANY(%s)",
                [scope_type, pending],
            )
            sql, params = provider(start=pending[0], end=pending[-1])
            _exec(
                SCOPE_DAY_INSERT_SQL.format(sql=sql, where="q.day = ANY(%s)"),
                [scope_type, *params, pending],
            )


@transaction.atomic
def snapshots_publish(
    *, as_of: date, full: bool = False, person_days_insert: str | None = None
) -> PublishResult:
    """Write S(as_of) from the per-day aggregates, in this one transaction.

    `person_days_insert` (RefreshResult.person_days_insert of a deferred full refresh of everyone):
    an INSERT … RETURNING of the person days, run here as part of the statement that folds them
    into the built-in scopes, so a full run aggregates the sources once and never reads back what
    it just wrote.
    """
    if person_days_insert is not None and not full:
        raise ValueError("person_days_insert comes from a full refresh: publish with full=True")
    lock_and_configure(PUBLISH_CURSOR)
    horizon = horizon_recorded()
    if horizon is not None and state_horizon(as_of) < horizon:
        raise ApplicationError(
            f"The efficiency day tables start on {horizon}; {as_of} needs days from "
            f"{state_horizon(as_of)}: run `compute_efficiency --as-of {as_of} --full`."
        )
    # Always asked: it records the tree this publish rolls up along.
    tree_changed = _team_tree_changed_since_last_publish()
    full = full or tree_changed
    # The days whose per-day rows changed since the last publish (every refresh records them).
    changed = sorted(
        row[0] for row in _fetch("DELETE FROM salesops_efficiencyscopependingday RETURNING day")
    )
    months = closed_months(as_of)
    derived = derived_spans(as_of)
    base = base_spans(as_of)
    months_now = _months_to_recompute(as_of, months, full=full)
    base_now = [*base, *months_now]
    derived_now = _derived_to_recompute(derived, set(base_now), full=full)
    # Built-in scopes: the rolling periods that can follow from last night's rows do (a new day
    # costs a day's rows, not 90 days' or a year's), the rest are summed from the days.
    rolled = [] if full else _rolled_to_apply(as_of, changed)
    by_rolling = {r.span for r in rolled}
    rows = 0
    # One stamp per publish marks the rows written now (which rows a rolled period may trust).
    stamp = timezone.now()

    built_in = {"types": sorted(BUILT_IN_SCOPES), "stamp": stamp}
    built_in_base = [span for span in base_now if span not in by_rolling]
    if built_in_base:
        _spans_table("_eff_spans", built_in_base)
        if person_days_insert is not None:
            ctes = BUILT_IN_CTES.format(
                person_days_cte=f"pd AS ({person_days_insert}),",
                person_days="pd",
                spans="_eff_spans",
            )
            # The planner cannot estimate what an INSERT … RETURNING yields (it guesses ~10,000
            # rows for the ~1M person days), so it sums them into the periods with hash
            # aggregates whose per-group numeric states outgrow the caches; sorting is about a
            # second faster on the large demo (2 cores). For this statement only.
            _exec("SET LOCAL enable_hashagg = off")
        else:
            ctes = BUILT_IN_CTES.format(
                person_days_cte="", person_days="salesops_efficiencypersonday", spans="_eff_spans"
            )
        rows += _replace(
            BUILT_IN_SELECT.format(spans="_eff_spans"),
            {**built_in, **_span_bounds(built_in_base)},
            periods="_eff_spans",
            ctes=ctes,
        )
        if person_days_insert is not None:
            _exec("SET LOCAL enable_hashagg TO DEFAULT")
            # The table was just rewritten: its key back, fresh statistics for the next
            # (incremental) plans, of the columns they select, join and group by (the amounts'
            # statistics would take a third of the time and inform no plan).
            person_day_key_restore()
            _exec("ANALYZE salesops_efficiencypersonday (day, person_id, team_id)")
    if rolled:
        rows += _rolled_insert(rolled, built_in)

    providers = scope_providers()
    provided = {"types": sorted(providers), "stamp": stamp}
    # Provider scopes follow the built-in ones (only the periods recomputed now) when their cached
    # days were only refreshed for changed days; after a rebuild, every period.
    rebuild = _providers_to_rebuild(providers, full=full)
    _scope_days_refresh(providers, rebuild=rebuild, pending=changed, horizon=horizon)
    provider_base = [*base, *months] if rebuild else base_now
    provider_derived = derived if rebuild else derived_now
    if providers:
        _spans_table("_eff_all_spans", provider_base)
        rows += _replace(
            PROVIDER_BODY, {**provided, **_span_bounds(provider_base)}, periods="_eff_all_spans"
        )

    # Derived periods: built-in scopes where a part changed (unless rolled), provider scopes
    # likewise unless their inputs changed.
    _derived_table([d for d in derived_now if d.span not in by_rolling])
    rows += _replace(DERIVED_BODY, built_in, periods="_eff_derived")
    if providers:
        _derived_table(provider_derived)
        rows += _replace(DERIVED_BODY, provided, periods="_eff_derived")

    _exec(
        "INSERT INTO salesops_efficiencycursor (name, watermark) VALUES (%s, now()), (%s, %s) "
        "ON CONFLICT (name) DO UPDATE SET watermark = EXCLUDED.watermark",
        [PUBLISH_CURSOR, STAMP_CURSOR, stamp],
    )
    return PublishResult(
        as_of=as_of,
        full=full,
        periods=len(base_now) + len(derived_now),
        rows=rows,
        rolled=len(rolled),
    )

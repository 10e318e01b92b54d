"""How a publish writes snapshot rows: the temp tables of the periods it computes (every day of
every span, the derived periods' parts, the rolled periods), and the replacement of those
periods' rows by the rows a body SELECTs, with the ratio (Σrevenue / Σcost × 100, 4 decimals
half-up, NULL when the cost is 0). The bodies themselves are in snapshot_sql.py."""

from __future__ import annotations

from datetime import date
from typing import Any

from psycopg2 import sql

from salesops.models import Period
from salesops.services.efficiency.db import execute
from salesops.services.efficiency.periods import Derived, Rolled, Span
from salesops.services.efficiency.snapshot_sql import (
    BUILT_IN_CTES,
    BUILT_IN_DERIVED_SELECT,
    BUILT_IN_SELECT,
    PERIOD_ROWS_DELETE,
    PERSON_DAYS_OF_DAYS,
    PERSON_STATE,
    ROLLED_BODY,
)

# The ratio rule of salesops.formulas.efficiency_ratio in SQL (tests check they agree): the
# dividend gets 20 decimals so the division never rounds before ROUND(…, 4) (half away from zero,
# as ROUND_HALF_UP).
RATIO_SQL = (
    "CASE WHEN {cost} = 0 THEN NULL ELSE ROUND(({revenue} * 100)::numeric(40, 20) / {cost}, 4) END"
)

SNAPSHOT_INSERT = sql.SQL("""
    {ctes} INSERT INTO salesops_efficiencysnapshot (
        scope_type, scope_id, scope_key, period, period_start, period_end,
        revenue, cost, ratio, won_deals, source_rows, computed_at
    )
    SELECT r.scope_type, r.scope_id, r.scope_key, r.period, r.ps, r.pe,
           r.revenue, r.cost, {ratio}, r.won, r.n, %(stamp)s
    FROM ({body}) r
    ORDER BY 6, 4, 5, 1, 2, 3
""")


def spans_table(name: str, spans: list[Span]) -> None:
    """Temp tables `name` (id, period, ps, pe) and `name`_days (day, span_id): every day of every
    span, so the per-day rows find their periods through an equality (hash) join instead of a
    range comparison against each span."""
    spans_t, days_t = sql.Identifier(name), sql.Identifier(name + "_days")
    execute(sql.SQL("DROP TABLE IF EXISTS {}, {}").format(spans_t, days_t))
    execute(
        sql.SQL(
            "CREATE TEMP TABLE {} (id int, period text, ps date, pe date) ON COMMIT DROP"
        ).format(spans_t)
    )
    execute(sql.SQL("CREATE TEMP TABLE {} (day date, span_id int) ON COMMIT DROP").format(days_t))
    if spans:
        values = sql.SQL(", ").join([sql.SQL("(%s, %s, %s::date, %s::date)")] * len(spans))
        params: list[object] = []
        for i, span in enumerate(spans):
            params += [i, str(span.period), span.start, span.end]
        execute(sql.SQL("INSERT INTO {} VALUES {}").format(spans_t, values), params)
        execute(
            sql.SQL(
                "INSERT INTO {} SELECT g::date, sp.id "
                "FROM {} sp, generate_series(sp.ps, sp.pe, interval '1 day') g"
            ).format(days_t, spans_t)
        )
    # Temp tables have no statistics: give the planner the row counts.
    execute(sql.SQL("ANALYZE {}").format(spans_t))
    execute(sql.SQL("ANALYZE {}").format(days_t))


def derived_table(derived: list[Derived]) -> None:
    execute("DROP TABLE IF EXISTS _eff_derived")
    execute(
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
        execute(sql.SQL("INSERT INTO _eff_derived VALUES {}").format(values), params)
    execute("ANALYZE _eff_derived")


def built_in_ctes(
    spans: str,
    *,
    person_days: sql.Composable = PERSON_STATE,
    person_days_cte: sql.Composable | None = None,
    tail: sql.Composable | None = None,
) -> sql.Composed:
    """The built-in scopes' WITH list over the spans of temp table `spans` (spans_table), from
    `person_days` (the person state, a subquery, or `pd`: the CTE `person_days_cte`), with the
    items `tail` (if any) after it."""
    return BUILT_IN_CTES.format(
        person_days_cte=person_days_cte if person_days_cte is not None else sql.SQL(""),
        tail=sql.SQL(", {}").format(tail) if tail is not None else sql.SQL(""),
        person_days=person_days,
        spans=sql.Identifier(spans),
        span_days=sql.Identifier(spans + "_days"),
    )


def built_in_select(spans: str, *, derived: bool = False) -> sql.Composed:
    """The built-in scopes' rows of the spans of temp table `spans`; with `derived`, also those
    of the derived periods in _eff_derived, whose parts must all be among the spans."""
    select = BUILT_IN_SELECT.format(spans=sql.Identifier(spans))
    if not derived:
        return select
    return select + BUILT_IN_DERIVED_SELECT.format(spans=sql.Identifier(spans))


def replace(
    body: sql.Composable,
    params: dict[str, Any],
    *,
    periods: str,
    ctes: sql.Composable | None = None,
) -> int:
    """Replace the snapshot rows of the periods in the temp table `periods` (scope types
    %(types)s) by the rows SELECTed by `body` (which may read the WITH list `ctes`), with their
    ratio, stamped %(stamp)s.

    Delete, then plain INSERT, in the caller's transaction: readers see all old rows or all new
    ones, a re-run never duplicates (the natural key is unique), and a scope without activity any
    more loses its row. Cheaper than `INSERT … ON CONFLICT DO UPDATE`, whose speculative insertion
    and update cost a large share of a full run.

    The rows go in the order of the primary key (the table's one index, led by period_end), so
    each of its pages is written once, in turn, and a night's new rows append at its right edge.
    """
    execute(PERIOD_ROWS_DELETE.format(table=sql.Identifier(periods)), params)
    ratio = sql.SQL(RATIO_SQL).format(cost=sql.SQL("r.cost"), revenue=sql.SQL("r.revenue"))
    insert = SNAPSHOT_INSERT.format(
        ctes=ctes if ctes is not None else sql.SQL(""), ratio=ratio, body=body
    )
    return execute(insert, params)


def span_bounds(spans: list[Span]) -> dict[str, date]:
    """The one day range a statement over `spans` reads (literal, so the planner can estimate)."""
    return {"first": min(s.start for s in spans), "last": max(s.end for s in spans)}


def rolled_insert(rolled: list[Rolled], params: dict[str, Any]) -> int:
    """Write the built-in scopes' rows of `rolled` from the previous night's rows and the rows of
    their added and dropped days (computed here from the per-day tables)."""
    days = sorted({day for r in rolled for day in (r.add, r.sub) if day is not None})
    day_spans = [Span(Period.DAY, day, day) for day in days]
    spans_table("_eff_day_spans", day_spans)
    execute("DROP TABLE IF EXISTS _eff_day_rows")
    execute(
        sql.SQL("CREATE TEMP TABLE _eff_day_rows ON COMMIT DROP AS {} {}").format(
            built_in_ctes("_eff_day_spans", person_days=PERSON_DAYS_OF_DAYS),
            built_in_select("_eff_day_spans"),
        ),
        {**span_bounds(day_spans), "days": days},
    )
    # Autovacuum never analyzes a temporary table: without this the rolled insert below planned
    # 760 guessed rows here and rescanned them per snapshot row (a nested loop of 42 M rows, 7.4 s
    # of a 7.9 s night on the large demo).
    execute("ANALYZE _eff_day_rows")
    execute("DROP TABLE IF EXISTS _eff_rolled")
    execute(
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
    execute(
        sql.SQL("INSERT INTO _eff_rolled VALUES {}").format(
            sql.SQL(", ").join([row] * len(rolled))
        ),
        values,
    )
    execute("ANALYZE _eff_rolled")
    return replace(ROLLED_BODY, params, periods="_eff_rolled")

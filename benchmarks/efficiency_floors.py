"""The efficiency benchmark's floors: what they share, and today's floor (kept as an info line).

Shared by every floor: the spans of S(as_of) in small tables (`floor_setup`: bench_spans, every
day of every base span in bench_day_spans, the parts of each derived period in bench_derived),
the team of the day, the ratio, and the derived periods as sums of months (`derived_sql`). Each
floor writes into a twin of the snapshot table (same columns, checks and indexes) with the
engine's session settings (JIT off, EFFICIENCY_WORK_MEM).

Today's floor ("per-scope" floor, `scan_floor`): three statements straight from deals, splits,
costs and the territory tables: base periods of the built-in scopes (each person-day aggregated
once, team of the day joined, rolled up to teams, roles and the company), the territories (the
deals and splits read again, and the ledger shared among owners), and the derived periods. It
reads the deals three times (credited splits, won deals by owner, credit per deal for the
territories) and the ledger three times. The headline floor is efficiency_rollup.py.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.db import transaction
from psycopg2 import sql

from benchmarks.harness import execute
from salesops.selectors.credit import CREDIT_SQL, CREDIT_SQL_WHERE
from salesops.services.efficiency.periods import (
    base_spans,
    closed_months,
    day_state_horizon,
    derived_spans,
    state_horizon,
)

SNAPSHOT_COLUMNS = (
    "scope_type, scope_id, scope_key, period, period_start, period_end, "
    "revenue, cost, ratio, won_deals"
)
SCAN_TABLE = "bench_floor"  # today's floor writes here
ROLLUP_TABLE = "bench_rollup"  # the headline floor (efficiency_rollup.py) writes here


def work_mem() -> str:
    """The engine's work_mem (the documented setting EFFICIENCY_WORK_MEM, docs/efficiency.md)."""
    return str(getattr(settings, "EFFICIENCY_WORK_MEM", "256MB"))


def span_bounds(as_of: date) -> dict[str, Any]:
    """The first and last day any base span of S(as_of) covers."""
    spans = [*base_spans(as_of), *closed_months(as_of)]
    return {"first": min(s.start for s in spans), "last": max(s.end for s in spans)}


# The team a person was in on x.day: their membership covering it, else (no memberships at all)
# their current team.
TEAM_OF_THE_DAY = """
    JOIN salesops_person p ON p.id = x.person_id
    LEFT JOIN salesops_teammembership m
        ON m.person_id = x.person_id AND daterange(m.valid_from, m.valid_to, '[)') @> x.day
    LEFT JOIN (SELECT DISTINCT person_id FROM salesops_teammembership) hm
        ON hm.person_id = x.person_id
"""
RATIO = "CASE WHEN cost = 0 THEN NULL ELSE ROUND((revenue * 100)::numeric(40, 20) / cost, 4) END"


# --- what the floors share: person-days to spans, and the built-in scopes' roll-ups -----------
# Periods are found through bench_day_spans (every day of every base span), an equality join, as
# the engine does, and rows are written in the order of the scope index, as the engine writes
# them. `src` (person_id, day, revenue, cost, won) is each floor's own.
TEAM_CLOSURE = """closure(ancestor, team_id) AS (
    SELECT id, id FROM salesops_team
    UNION ALL
    SELECT c.ancestor, t.id FROM closure c JOIN salesops_team t ON t.parent_id = c.team_id
)"""
PERSON_DAYS = sql.SQL(
    """pd AS (
    SELECT x.person_id, x.day,
           COALESCE(m.team_id, CASE WHEN hm.person_id IS NULL THEN p.team_id END) AS team_id,
           SUM(x.revenue) AS revenue, SUM(x.cost) AS cost, SUM(x.won) AS won
    FROM src x
    {team_of_the_day}
    GROUP BY x.person_id, x.day, 3
), pp AS (
    SELECT sd.span_id, pd.person_id, pd.team_id,
           SUM(pd.revenue) AS revenue, SUM(pd.cost) AS cost, SUM(pd.won) AS won
    FROM pd JOIN bench_day_spans sd ON sd.day = pd.day
    GROUP BY 1, 2, 3
), tp AS (
    SELECT sd.span_id, c.team_id, SUM(c.amount) AS cost
    FROM salesops_salescost c JOIN bench_day_spans sd ON sd.day = c.date
    WHERE c.team_id IS NOT NULL
    GROUP BY 1, 2
)"""
).format(team_of_the_day=sql.SQL(TEAM_OF_THE_DAY))
BUILT_IN_ROWS = """
    SELECT 'person' AS scope_type, person_id AS scope_id, '' AS scope_key, span_id,
           SUM(revenue) AS revenue, SUM(cost) AS cost, SUM(won) AS won
    FROM pp GROUP BY person_id, span_id
    UNION ALL
    SELECT 'team', c.ancestor, '', u.span_id, SUM(u.revenue), SUM(u.cost), SUM(u.won)
    FROM (SELECT span_id, team_id, revenue, cost, won FROM pp WHERE team_id IS NOT NULL
          UNION ALL SELECT span_id, team_id, 0, cost, 0 FROM tp) u
    JOIN closure c ON c.team_id = u.team_id
    GROUP BY c.ancestor, u.span_id
    UNION ALL
    SELECT 'role', 0, p.role, pp.span_id, SUM(pp.revenue), SUM(pp.cost), SUM(pp.won)
    FROM pp JOIN salesops_person p ON p.id = pp.person_id
    GROUP BY p.role, pp.span_id
    UNION ALL
    SELECT 'company', 0, '', sp.id, COALESCE(a.revenue, 0),
           COALESCE(a.cost, 0) + COALESCE(b.cost, 0), COALESCE(a.won, 0)
    FROM bench_spans sp
    LEFT JOIN (SELECT span_id, SUM(revenue) AS revenue, SUM(cost) AS cost, SUM(won) AS won
               FROM pp GROUP BY 1) a ON a.span_id = sp.id
    LEFT JOIN (SELECT span_id, SUM(cost) AS cost FROM tp GROUP BY 1) b ON b.span_id = sp.id
"""


def rows_insert(table: str) -> sql.Composed:
    """The tail of a floor's base statement: its `rows` (scope, span, sums) into `table`."""
    return sql.SQL(
        """
INSERT INTO {table} ({columns}, computed_at)
SELECT r.scope_type, r.scope_id, r.scope_key, sp.period, sp.ps, sp.pe, r.revenue, r.cost,
       {ratio}, r.won, now()
FROM rows r JOIN bench_spans sp ON sp.id = r.span_id
ORDER BY 1, 2, 4
"""
    ).format(table=sql.Identifier(table), columns=sql.SQL(SNAPSHOT_COLUMNS), ratio=sql.SQL(RATIO))


# --- today's floor: per scope, straight from the sources ------------------------------------
FLOOR_BASE_SQL = sql.SQL(
    """
WITH RECURSIVE {closure}, src AS (
    SELECT s.person_id, d.close_date AS day, {CREDIT_SQL} AS revenue, 0::numeric AS cost, 0 AS won
    FROM salesops_deal d JOIN salesops_dealsplit s ON s.deal_id = d.id
    WHERE {CREDIT_SQL_WHERE} AND d.close_date BETWEEN %(first)s AND %(last)s
    UNION ALL
    SELECT d.owner_id, d.close_date, 0, 0, 1 FROM salesops_deal d
    WHERE {CREDIT_SQL_WHERE} AND d.close_date BETWEEN %(first)s AND %(last)s
    UNION ALL
    SELECT c.person_id, c.date, 0, c.amount, 0 FROM salesops_salescost c
    WHERE c.person_id IS NOT NULL AND c.date BETWEEN %(first)s AND %(last)s
), {person_days}, rows AS ({built_in_rows})
{insert}"""
).format(
    closure=sql.SQL(TEAM_CLOSURE),
    CREDIT_SQL=sql.SQL(CREDIT_SQL),
    CREDIT_SQL_WHERE=sql.SQL(CREDIT_SQL_WHERE),
    person_days=PERSON_DAYS,
    built_in_rows=sql.SQL(BUILT_IN_ROWS),
    insert=rows_insert(SCAN_TABLE),
)

# Territories: a deal's credit goes to the territory its account was in on the close date (the
# assignment history of a model that was not in planning) and to every territory above it; a
# ledger entry of a person goes, in equal shares, to the territories they owned that day (in a
# model live that day) and above.
# Each person-booked ledger entry of the range in equal shares to the territories its person owned
# that day, in a model live that day: (date, territory_id, share).
OWNER_SHARES = """
    SELECT c.date, ta.territory_id,
           c.amount * 1.0 / COUNT(*) OVER (PARTITION BY c.id) AS share
    FROM salesops_salescost c
    JOIN territories_territoryassignment ta ON ta.person_id = c.person_id
     AND ta.role = 'owner' AND ta.effective_from <= c.date
     AND (ta.effective_to IS NULL OR ta.effective_to >= c.date)
    JOIN territories_territory ot ON ot.id = ta.territory_id
    JOIN territories_territorymodel m ON m.id = ot.model_id AND m.state <> 'planning'
     AND m.activated_on <= c.date AND (m.archived_on IS NULL OR m.archived_on > c.date)
    WHERE c.person_id IS NOT NULL AND c.date BETWEEN %(first)s AND %(last)s
"""
FLOOR_TERRITORY_SQL = sql.SQL(
    """
WITH closure AS (
    SELECT t.id AS territory_id, anc.id AS ancestor
    FROM territories_territory t JOIN territories_territory anc
      ON anc.model_id = t.model_id AND t.path LIKE anc.path || '%%'
), deal_credit AS (
    SELECT d.id, d.account_id, d.close_date, SUM({CREDIT_SQL}) AS revenue
    FROM salesops_deal d JOIN salesops_dealsplit s ON s.deal_id = d.id
    WHERE {CREDIT_SQL_WHERE} AND d.close_date BETWEEN %(first)s AND %(last)s
    GROUP BY d.id
), revenue AS (
    SELECT c.ancestor AS scope_id, sd.span_id, SUM(x.revenue) AS revenue, 0 AS cost,
           COUNT(*) AS won
    FROM deal_credit x
    JOIN territories_accountterritory h ON h.account_id = x.account_id
     AND h.valid_from <= x.close_date AND (h.valid_to IS NULL OR h.valid_to > x.close_date)
     AND h.territory_id IS NOT NULL
    JOIN territories_territorymodel hm ON hm.id = h.model_id AND hm.state <> 'planning'
    JOIN closure c ON c.territory_id = h.territory_id
    JOIN bench_day_spans sd ON sd.day = x.close_date
    GROUP BY 1, 2
), shares AS ({owner_shares}), cost AS (
    SELECT c.ancestor AS scope_id, sd.span_id, 0 AS revenue, SUM(sh.share) AS cost, 0 AS won
    FROM shares sh
    JOIN closure c ON c.territory_id = sh.territory_id
    JOIN bench_day_spans sd ON sd.day = sh.date
    GROUP BY 1, 2
), rows AS (
    SELECT scope_id, span_id, SUM(revenue) AS revenue, SUM(cost) AS cost, SUM(won) AS won
    FROM (SELECT * FROM revenue UNION ALL SELECT * FROM cost) u
    GROUP BY 1, 2
)
INSERT INTO bench_floor ({SNAPSHOT_COLUMNS}, computed_at)
SELECT 'territory', r.scope_id, '', sp.period, sp.ps, sp.pe, r.revenue, r.cost, {RATIO}, r.won,
       now()
FROM rows r JOIN bench_spans sp ON sp.id = r.span_id
ORDER BY 1, 2, 4
"""
).format(
    CREDIT_SQL=sql.SQL(CREDIT_SQL),
    CREDIT_SQL_WHERE=sql.SQL(CREDIT_SQL_WHERE),
    RATIO=sql.SQL(RATIO),
    SNAPSHOT_COLUMNS=sql.SQL(SNAPSHOT_COLUMNS),
    owner_shares=sql.SQL(OWNER_SHARES),
)

DERIVED_SQL = sql.SQL(
    """
INSERT INTO {table} ({SNAPSHOT_COLUMNS}, computed_at)
SELECT scope_type, scope_id, scope_key, period, ps, pe, revenue, cost, {RATIO}, won, now()
FROM (
    SELECT f.scope_type, f.scope_id, f.scope_key, dv.period, dv.ps, dv.pe,
           SUM(f.revenue) AS revenue, SUM(f.cost) AS cost, SUM(f.won_deals) AS won
    FROM bench_derived dv JOIN {table} f
      ON f.period = dv.part_period AND f.period_start = dv.part_ps AND f.period_end = dv.part_pe
    GROUP BY 1, 2, 3, 4, 5, 6
) r
ORDER BY 1, 2, 4
"""
)


def derived_sql(table: str) -> sql.Composed:
    """Quarters, quarter- and year-to-date as sums of the months (and month-to-date) that
    `table` already holds, into `table`."""
    return DERIVED_SQL.format(
        RATIO=sql.SQL(RATIO),
        SNAPSHOT_COLUMNS=sql.SQL(SNAPSHOT_COLUMNS),
        table=sql.Identifier(table),
    )


def floor_setup(as_of: date) -> None:
    execute(
        "DROP TABLE IF EXISTS bench_floor, bench_rollup, bench_spans, bench_day_spans, "
        "bench_derived"
    )
    # The rows go into the same kind of table the engine writes: columns, checks and indexes.
    for table in (SCAN_TABLE, ROLLUP_TABLE):
        execute(
            sql.SQL("CREATE TABLE {} (LIKE salesops_efficiencysnapshot INCLUDING ALL)").format(
                sql.Identifier(table)
            )
        )
    execute("CREATE TABLE bench_spans (id int, period text, ps date, pe date)")
    spans = [*base_spans(as_of), *closed_months(as_of)]
    for i, span in enumerate(spans):
        execute(
            "INSERT INTO bench_spans VALUES (%s, %s, %s, %s)",
            [i, str(span.period), span.start, span.end],
        )
    execute(
        "CREATE TABLE bench_day_spans AS SELECT g::date AS day, sp.id AS span_id "
        "FROM bench_spans sp, generate_series(sp.ps, sp.pe, interval '1 day') g"
    )
    execute(
        "CREATE TABLE bench_derived (period text, ps date, pe date, part_period text, "
        "part_ps date, part_pe date)"
    )
    for derived in derived_spans(as_of):
        for part in derived.parts:
            execute(
                "INSERT INTO bench_derived VALUES (%s, %s, %s, %s, %s, %s)",
                [
                    str(derived.span.period),
                    derived.span.start,
                    derived.span.end,
                    str(part.period),
                    part.start,
                    part.end,
                ],
            )
    for table in ("bench_spans", "bench_day_spans", "bench_derived"):
        execute(sql.SQL("ANALYZE {}").format(sql.Identifier(table)))


FLOOR_STATE_SQL = sql.SQL(
    """
WITH pd AS (
SELECT x.person_id, x.day,
       COALESCE(m.team_id, CASE WHEN hm.person_id IS NULL THEN p.team_id END) AS team_id,
       SUM(x.revenue) AS revenue, SUM(x.cost) AS cost, SUM(x.won) AS won
FROM (
    SELECT s.person_id, d.close_date AS day, {CREDIT_SQL} AS revenue, 0::numeric AS cost, 0 AS won
    FROM salesops_deal d JOIN salesops_dealsplit s ON s.deal_id = d.id
    WHERE {CREDIT_SQL_WHERE} AND d.close_date >= %(horizon)s
    UNION ALL
    SELECT d.owner_id, d.close_date, 0, 0, 1 FROM salesops_deal d
    WHERE {CREDIT_SQL_WHERE} AND d.close_date >= %(horizon)s
    UNION ALL
    SELECT c.person_id, c.date, 0, c.amount, 0 FROM salesops_salescost c
    WHERE c.person_id IS NOT NULL AND c.date >= %(horizon)s
) x
{TEAM_OF_THE_DAY}
GROUP BY x.day, x.person_id, 3
ORDER BY 2, 1
), days AS (
    INSERT INTO bench_person_day (person_id, day, team_id, revenue, cost, won_deals)
    SELECT * FROM pd WHERE day >= %(day_horizon)s
)
INSERT INTO bench_person_month (month, person_id, team_id, revenue, cost, won_deals, days)
SELECT m.ps, pd.person_id, pd.team_id, SUM(pd.revenue), SUM(pd.cost), SUM(pd.won), COUNT(*)
FROM pd JOIN bench_day_spans sd ON sd.day = pd.day JOIN bench_spans m ON m.id = sd.span_id
WHERE m.period = 'month' AND m.ps < %(day_horizon)s
GROUP BY 1, 2, 3
"""
).format(
    CREDIT_SQL=sql.SQL(CREDIT_SQL),
    CREDIT_SQL_WHERE=sql.SQL(CREDIT_SQL_WHERE),
    TEAM_OF_THE_DAY=sql.SQL(TEAM_OF_THE_DAY),
)


def floor_with_state(as_of: date, floor: Any) -> None:
    """`floor(as_of)`, plus what a full run must also leave behind for the incremental runs:
    every person's aggregates from as_of's horizon on (every day a later night reads, not only
    S(as_of)'s), per day from the day horizon and per fiscal month before it, as the engine keeps
    them (docs/efficiency.md, "Horizon"), in UNLOGGED twin tables."""
    floor(as_of)
    with transaction.atomic():
        execute("SET LOCAL jit = off")
        execute("SELECT set_config('work_mem', %s, true)", [work_mem()])
        execute("SET LOCAL enable_hashagg = off")  # as the floor's person days (and the engine)
        execute(
            FLOOR_STATE_SQL,
            {"horizon": state_horizon(as_of), "day_horizon": day_state_horizon(as_of)},
        )


def state_reset(table: str) -> None:
    """Untimed, before each floor-with-state run: empty twin tables."""
    floor_reset(table)
    execute(
        "CREATE UNLOGGED TABLE IF NOT EXISTS bench_person_day "
        "(LIKE salesops_efficiencypersonday INCLUDING ALL)"
    )
    execute(
        "CREATE UNLOGGED TABLE IF NOT EXISTS bench_person_month "
        "(LIKE salesops_efficiencypersonmonth INCLUDING ALL)"
    )
    execute("TRUNCATE bench_person_day, bench_person_month")


def floor_reset(table: str) -> None:
    """Untimed, before each floor run: an empty twin table."""
    execute(sql.SQL("TRUNCATE {}").format(sql.Identifier(table)))


def scan_floor(as_of: date) -> None:
    bounds = span_bounds(as_of)
    with transaction.atomic():
        # The same session settings as the engine's transactions.
        execute("SET LOCAL jit = off")
        execute("SELECT set_config('work_mem', %s, true)", [work_mem()])
        # Sorting, not hashing, to group the person days: with some statistics the planner
        # hashes them, which took 1-1.5 s longer (the engine sorts them too).
        execute("SET LOCAL enable_hashagg = off")
        execute(FLOOR_BASE_SQL, bounds)
        execute("SET LOCAL enable_hashagg TO DEFAULT")
        execute(FLOOR_TERRITORY_SQL, bounds)
        execute(derived_sql(SCAN_TABLE))

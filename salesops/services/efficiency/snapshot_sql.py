"""The SQL text of the snapshot publish (salesops.services.efficiency.snapshots): the built-in
scopes' WITH list and SELECT, the provider and derived bodies, the rolled update and the period
delete. psycopg2.sql fragments: names ({spans}, …) are composed in as identifiers or fragments of
ours, every value is a parameter (%(name)s) of the statement that runs them.
"""

from psycopg2 import sql

from salesops.services.efficiency.cursors import DAY_HORIZON_CURSOR

# The built-in scopes from per-day rows, as a WITH list (BUILT_IN_CTES) and the SELECT over it,
# for the spans of the temp table {spans} and its days {span_days} (snapshot_writes.spans_table).
# {person_days} is the person state (PERSON_STATE: the person days, and the months before the day
# horizon, each with `n`, the person days it sums), or `pd`, the person days a full rebuild
# aggregates from the sources in the same statement and keeps ({person_days_cte}, and {tail}
# for its months: person_days.state_ctes), so they are never read back.
# `n` counts the person days.
BUILT_IN_CTES = sql.SQL("""
    WITH RECURSIVE closure(ancestor, team_id) AS (
        SELECT id, id FROM salesops_team
        UNION ALL
        SELECT c.ancestor, t.id FROM closure c JOIN salesops_team t ON t.parent_id = c.team_id
    ), {person_days_cte}
    pp AS (
        SELECT m.span_id, d.person_id, d.team_id,
               SUM(d.revenue) AS revenue, SUM(d.cost) AS cost, SUM(d.won_deals) AS won,
               SUM(d.n) AS n
        FROM {person_days} d JOIN {span_days} m ON m.day = d.day
        -- One range for the whole scan: a night's rolling spans cover a small part of the days.
        WHERE d.day BETWEEN %(first)s AND %(last)s
        GROUP BY m.span_id, d.person_id, d.team_id
    ), tp AS (
        SELECT m.span_id, d.team_id, SUM(d.cost) AS cost, COUNT(*) AS n
        FROM salesops_efficiencyteamday d JOIN {span_days} m ON m.day = d.day
        WHERE d.day BETWEEN %(first)s AND %(last)s
        GROUP BY m.span_id, d.team_id
    ), by_team AS (
        SELECT span_id, team_id, revenue, cost, won, n FROM pp WHERE team_id IS NOT NULL
        UNION ALL
        SELECT span_id, team_id, 0, cost, 0, n FROM tp
    ), scoped AS (
        SELECT 'person' AS scope_type, person_id AS scope_id, '' AS scope_key, span_id,
               SUM(revenue) AS revenue, SUM(cost) AS cost, SUM(won)::int AS won, SUM(n)::int AS n
        FROM pp GROUP BY person_id, span_id
        UNION ALL
        SELECT 'team', c.ancestor, '', b.span_id, SUM(b.revenue), SUM(b.cost), SUM(b.won)::int,
               SUM(b.n)::int
        FROM by_team b JOIN closure c ON c.team_id = b.team_id
        GROUP BY c.ancestor, b.span_id
        UNION ALL
        SELECT 'role', 0, p.role, pp.span_id, SUM(pp.revenue), SUM(pp.cost), SUM(pp.won)::int,
               SUM(pp.n)::int
        FROM pp JOIN salesops_person p ON p.id = pp.person_id
        GROUP BY p.role, pp.span_id
        UNION ALL
        SELECT 'company', 0, '', sp.id, COALESCE(a.revenue, 0),
               COALESCE(a.cost, 0) + COALESCE(b.cost, 0), COALESCE(a.won, 0)::int,
               (COALESCE(a.n, 0) + COALESCE(b.n, 0))::int
        FROM {spans} sp
        LEFT JOIN (
            SELECT span_id, SUM(revenue) AS revenue, SUM(cost) AS cost, SUM(won) AS won,
                   SUM(n) AS n
            FROM pp GROUP BY span_id
        ) a ON a.span_id = sp.id
        LEFT JOIN (SELECT span_id, SUM(cost) AS cost, SUM(n) AS n FROM tp GROUP BY span_id) b
            ON b.span_id = sp.id
    ){tail}
""")
BUILT_IN_SELECT = sql.SQL("""
    SELECT x.scope_type, x.scope_id, x.scope_key, sp.period, sp.ps, sp.pe,
           x.revenue, x.cost, x.won, x.n
    FROM scoped x JOIN {spans} sp ON sp.id = x.span_id
""")
# The derived periods of _eff_derived (closed quarters, quarter- and year-to-date) from the same
# statement's `scoped` rows of their parts, when every part is among its spans (a full run):
# the sums DERIVED_BODY would read back from the part rows just written. Exact: revenue and cost
# have no more decimals than the snapshot columns keep, so summing the rows or their parts'
# written rows gives the same figures.
BUILT_IN_DERIVED_SELECT = sql.SQL("""
    UNION ALL
    SELECT x.scope_type, x.scope_id, x.scope_key, dv.period, dv.ps, dv.pe,
           SUM(x.revenue), SUM(x.cost), SUM(x.won)::int, SUM(x.n)::int
    FROM scoped x JOIN {spans} sp ON sp.id = x.span_id
    JOIN _eff_derived dv
      ON dv.part_period = sp.period AND dv.part_ps = sp.ps AND dv.part_pe = sp.pe
    GROUP BY x.scope_type, x.scope_id, x.scope_key, dv.period, dv.ps, dv.pe
""")

PROVIDER_BODY = sql.SQL("""
    SELECT x.scope_type, x.scope_id, '' AS scope_key, sp.period, sp.ps, sp.pe,
           x.revenue, x.cost, x.won, x.n
    FROM (
        SELECT d.scope_type, d.scope_id, m.span_id, SUM(d.revenue) AS revenue,
               SUM(d.cost) AS cost, SUM(d.won_deals)::int AS won, COUNT(*)::int AS n
        FROM salesops_efficiencyscopeday d JOIN _eff_all_spans_days m ON m.day = d.day
        WHERE d.scope_type = ANY(%(types)s) AND d.day BETWEEN %(first)s AND %(last)s
        GROUP BY d.scope_type, d.scope_id, m.span_id
    ) x
    JOIN _eff_all_spans sp ON sp.id = x.span_id
""")

# A provider's rows (positional columns), summed per (scope_id, day) (a provider may return
# several), into the cache.
SCOPE_DAY_INSERT = sql.SQL("""
    INSERT INTO salesops_efficiencyscopeday (scope_type, scope_id, day, revenue, cost, won_deals)
    SELECT %s, q.scope_id, q.day, SUM(q.revenue), SUM(q.cost), SUM(q.won_deals)
    FROM ({sql}) AS q(scope_id, day, revenue, cost, won_deals)
    WHERE {where}
    GROUP BY q.scope_id, q.day
""")

DERIVED_BODY = sql.SQL("""
    SELECT s.scope_type, s.scope_id, s.scope_key, dv.period, dv.ps, dv.pe,
           SUM(s.revenue) AS revenue, SUM(s.cost) AS cost, SUM(s.won_deals)::int AS won,
           SUM(s.source_rows)::int AS n
    FROM _eff_derived dv
    JOIN salesops_efficiencysnapshot s
      ON s.period = dv.part_period AND s.period_start = dv.part_ps AND s.period_end = dv.part_pe
    WHERE s.scope_type = ANY(%(types)s)
    GROUP BY s.scope_type, s.scope_id, s.scope_key, dv.period, dv.ps, dv.pe
""")

# The person state as rows of (person_id, day, team_id, revenue, cost, won_deals, n): the person
# days (n = 1), and each person-month row as a row on its month's first day (n = the days it
# sums). Only whole closed months before the day horizon are read from the months, and those
# first days fall in no other span a run reads (its day, month-to-date and trailing 90 days
# start after the day horizon: efficiency_needs_rebuild).
# Month rows count only before the recorded day horizon (none recorded: none count), so rows left
# from an earlier state (a rebuild that recorded none since, or a test database flushed of the
# model tables only) are never summed.
PERSON_STATE = sql.SQL("""(
    SELECT person_id, day, team_id, revenue, cost, won_deals, 1 AS n
    FROM salesops_efficiencypersonday
    UNION ALL
    SELECT person_id, month, team_id, revenue, cost, won_deals, days
    FROM salesops_efficiencypersonmonth
    WHERE month < (SELECT c.day FROM salesops_efficiencycursor c WHERE c.name = {cursor})
)""").format(cursor=sql.Literal(DAY_HORIZON_CURSOR))

# The person days of the days %(days)s: key ranges of the (day, person) primary key.
PERSON_DAYS_OF_DAYS = sql.SQL(
    "(SELECT x.*, 1 AS n FROM salesops_efficiencypersonday x WHERE x.day = ANY(%(days)s::date[]))"
)

# The rows of rolled periods (_eff_rolled: per target period, the previous night's period and
# the added and dropped day): the previous night's snapshot rows minus the scope's row of the
# dropped day (a scope with a row that day had one in the previous period), joined in full with
# the rows of the added day (_eff_day_rows, from the per-day tables). A scope keeps its row while
# a per-day row of it is left in the period (n > 0), as a recomputation would; the company always
# has one. Hash joins on the scope, no sort.
ROLLED_BODY = sql.SQL("""
    WITH kept AS (
        SELECT t.id, s.scope_type, s.scope_id, s.scope_key,
               s.revenue - COALESCE(d.revenue, 0) AS revenue, s.cost - COALESCE(d.cost, 0) AS cost,
               s.won_deals - COALESCE(d.won, 0) AS won, s.source_rows - COALESCE(d.n, 0) AS n
        FROM _eff_rolled t
        JOIN salesops_efficiencysnapshot s
          ON s.period_end = t.prev_pe AND s.period = t.prev_period AND s.period_start = t.prev_ps
        LEFT JOIN _eff_day_rows d
          ON d.ps = t.sub_day AND d.scope_type = s.scope_type AND d.scope_id = s.scope_id
         AND d.scope_key = s.scope_key
        WHERE s.scope_type = ANY(%(types)s)
    ), added AS (
        SELECT t.id, d.scope_type, d.scope_id, d.scope_key, d.revenue, d.cost, d.won, d.n
        FROM _eff_rolled t JOIN _eff_day_rows d ON d.ps = t.add_day
    )
    SELECT COALESCE(k.scope_type, a.scope_type) AS scope_type,
           COALESCE(k.scope_id, a.scope_id) AS scope_id,
           COALESCE(k.scope_key, a.scope_key) AS scope_key, t.period, t.ps, t.pe,
           COALESCE(k.revenue, 0) + COALESCE(a.revenue, 0) AS revenue,
           COALESCE(k.cost, 0) + COALESCE(a.cost, 0) AS cost,
           COALESCE(k.won, 0) + COALESCE(a.won, 0) AS won,
           COALESCE(k.n, 0) + COALESCE(a.n, 0) AS n
    FROM kept k
    FULL JOIN added a
      ON a.id = k.id AND a.scope_type = k.scope_type AND a.scope_id = k.scope_id
     AND a.scope_key = k.scope_key
    JOIN _eff_rolled t ON t.id = COALESCE(k.id, a.id)
    WHERE COALESCE(k.n, 0) + COALESCE(a.n, 0) > 0 OR COALESCE(k.scope_type, a.scope_type) = 'company'
""")

# The rows of the periods in the temp table {table} (columns period, ps, pe) for the scope types
# %(types)s: what a statement replaces.
PERIOD_ROWS_DELETE = sql.SQL("""
    DELETE FROM salesops_efficiencysnapshot s USING {table} w
    WHERE s.period_end = w.pe AND s.period = w.period AND s.period_start = w.ps
      AND s.scope_type = ANY(%(types)s)
""")

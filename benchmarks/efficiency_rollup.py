"""The headline floor of the efficiency benchmark (issue 22 item 3): one read, then roll-ups.

One statement computes every base-period snapshot row of S(as_of), all scopes, and a second one
the derived periods (quarters, quarter- and year-to-date) as sums of months, into bench_rollup (a
twin of the snapshot table):

1. **Deals and splits read once**: the won deals of the range left-joined to their splits (`ds`),
   and from those rows one row per deal (`dl`: owner, account, day, credit, number of splits).
2. **Person-days, once**: credit by split person (`ds`), won deals by owner (`dl`) and the
   ledger's person-booked cost, with the team of the day, grouped once per (person, day). Every
   built-in scope rolls up from these rows per span (teams through the closure of the tree, plus
   team-booked cost; roles by the person's current role; the company), never from the deals again.
3. **Territories from the same deal rows**: each deal with a split (as the territory provider
   counts them) goes to the territory its account was in on the close date (the live assignment
   history), summed per leaf territory and day, then rolled up to every territory above it; the
   territory owners' ledger entries go in equal shares to the territories each owned that day (in
   a model live that day).

The earlier per-scope floor (efficiency_floors.scan_floor) reads the deals three times. A first
version of this one also read the ledger once (materialised), grouped with GROUPING SETS hash
aggregates and took the owners' cost shares from the person-days: 14.7 s against 7-10 s for
this one on the large demo (2026-12-04, single runs; docs/benchmarks.md). Checked equal to the
engine's snapshot rows, row for row, before its time is kept (and in
tests/test_bench_efficiency_floors.py).
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from psycopg2 import sql

from benchmarks.efficiency_floors import (
    BUILT_IN_ROWS,
    OWNER_SHARES,
    PERSON_DAYS,
    ROLLUP_TABLE,
    TEAM_CLOSURE,
    derived_sql,
    rows_insert,
    span_bounds,
    work_mem,
)
from benchmarks.harness import execute
from salesops.selectors.credit import CREDIT_SQL, CREDIT_SQL_WHERE

ROLLUP_BASE_SQL = sql.SQL(
    """
WITH RECURSIVE {closure}, ds AS MATERIALIZED (
    SELECT d.id, d.owner_id, d.account_id, d.close_date AS day, s.person_id,
           {credit} AS revenue
    FROM salesops_deal d LEFT JOIN salesops_dealsplit s ON s.deal_id = d.id
    WHERE {credit_where} AND d.close_date BETWEEN %(first)s AND %(last)s
), dl AS MATERIALIZED (
    SELECT id, owner_id, account_id, day, SUM(revenue) AS revenue, COUNT(person_id) AS splits
    FROM ds GROUP BY id, owner_id, account_id, day
), src AS (
    SELECT person_id, day, revenue, 0::numeric AS cost, 0 AS won
    FROM ds WHERE person_id IS NOT NULL
    UNION ALL
    SELECT owner_id, day, 0, 0, 1 FROM dl
    UNION ALL
    SELECT c.person_id, c.date, 0, c.amount, 0 FROM salesops_salescost c
    WHERE c.person_id IS NOT NULL AND c.date BETWEEN %(first)s AND %(last)s
), {person_days}, tclosure AS (
    SELECT t.id AS territory_id, anc.id AS ancestor
    FROM territories_territory t JOIN territories_territory anc
      ON anc.model_id = t.model_id AND t.path LIKE anc.path || '%%'
), leaf AS (
    SELECT h.territory_id, x.day, SUM(x.revenue) AS revenue, 0::numeric AS cost,
           COUNT(*) AS won
    FROM dl x
    JOIN territories_accountterritory h ON h.account_id = x.account_id
     AND h.valid_from <= x.day AND (h.valid_to IS NULL OR h.valid_to > x.day)
     AND h.territory_id IS NOT NULL
    JOIN territories_territorymodel hm ON hm.id = h.model_id AND hm.state <> 'planning'
    WHERE x.splits > 0
    GROUP BY 1, 2
    UNION ALL
    SELECT sh.territory_id, sh.date, 0, SUM(sh.share), 0
    FROM ({owner_shares}) sh
    GROUP BY 1, 2
), rows AS (
{built_in_rows}
    UNION ALL
    SELECT 'territory', tc.ancestor, '', sd.span_id, SUM(l.revenue), SUM(l.cost), SUM(l.won)
    FROM leaf l
    JOIN tclosure tc ON tc.territory_id = l.territory_id
    JOIN bench_day_spans sd ON sd.day = l.day
    GROUP BY tc.ancestor, sd.span_id
)
{insert}"""
).format(
    closure=sql.SQL(TEAM_CLOSURE),
    credit=sql.SQL(CREDIT_SQL),
    credit_where=sql.SQL(CREDIT_SQL_WHERE),
    person_days=PERSON_DAYS,
    built_in_rows=sql.SQL(BUILT_IN_ROWS),
    owner_shares=sql.SQL(OWNER_SHARES),
    insert=rows_insert(ROLLUP_TABLE),
)


def rollup_floor(as_of: date) -> None:
    """Every snapshot row of S(as_of) into bench_rollup (efficiency_floors.floor_setup made the
    span tables), in the engine's session settings."""
    with transaction.atomic():
        execute("SET LOCAL jit = off")
        execute("SELECT set_config('work_mem', %s, true)", [work_mem()])
        # Sorting, not hashing, to group: measured faster for the ~1.7M rows grouped into person
        # days on the large demo (as for the per-scope floor and the engine).
        execute("SET LOCAL enable_hashagg = off")
        execute(ROLLUP_BASE_SQL, span_bounds(as_of))
        execute(derived_sql(ROLLUP_TABLE))

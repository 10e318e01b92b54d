"""The assignment engine's SQL: account → territory for one model, set-based.

Steps (all `INSERT … SELECT` / `CREATE TEMP TABLE … AS SELECT`, never a loop per account):
1. `tt_rank`: the model's rules ranked once (`rank` 1 = best: priority DESC, depth DESC, territory
   id, rule id), their list criteria staged as arrays (NULL = any value).
2. `tt_rule`: each ranked rule expanded to the (country, region, sector) keys of the accounts it
   can match (`tt_key`: the distinct keys of the accounts in scope), so the three list criteria
   become one equality join on the accounts' own columns.
3. `tt_winner`: every account (or the accounts in `tt_scope`) with its winner: the lowest rank
   among the rules that match it (a hash aggregate over the equality join, the other criteria
   as filters), looked up in `tt_rank`; pins and exclusions override. Accounts nothing matches
   get source 'unassigned', territory NULL.
4. (services) diff `tt_winner` against the open history rows and close/insert only what changed.

PostgreSQL: rule lists are JSON (jsonb) columns, staged as arrays; postal ranges compare by code
point (`COLLATE "C"`); name patterns match case-insensitively (ILIKE). SQL is static or composed
with psycopg2.sql (identifiers, the module's own fragments); values are always parameters.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.backends.utils import CursorWrapper
from psycopg2 import sql

from salesops.selectors.sql import ACCOUNTS, ACCOUNTS_TABLE

ACCOUNT = ACCOUNTS
RULE = "territories_assignmentrule"
TERRITORY = "territories_territory"
PIN = "territories_pin"
HISTORY = "territories_accountterritory"
HISTORY_TABLE = sql.Identifier(HISTORY)

# Memory for the winners' hash join and aggregate, for the transaction only.
WORK_MEM = "256MB"

# The ranking every consumer (engine, benchmark floor, reference) shares.
RANK_ORDER = "priority DESC NULLS LAST, depth DESC, territory_id, rule_id"

# Name patterns: `*` → `%`, `?` → `_`; a literal `_` is escaped (patterns may not hold `%` or `\`).
_STAGE_RANK = sql.SQL(
    """
    CREATE TEMP TABLE tt_rank AS
    SELECT r.id AS rule_id, r.territory_id,
           (ROW_NUMBER() OVER (
               ORDER BY r.priority DESC NULLS LAST, t.depth DESC, r.territory_id, r.id
           ))::int AS rank,
           CASE WHEN jsonb_array_length(r.countries) = 0 THEN NULL
                ELSE ARRAY(SELECT jsonb_array_elements_text(r.countries)) END AS countries,
           CASE WHEN jsonb_array_length(r.regions) = 0 THEN NULL
                ELSE ARRAY(SELECT jsonb_array_elements_text(r.regions)) END AS regions,
           CASE WHEN jsonb_array_length(r.sectors) = 0 THEN NULL
                ELSE ARRAY(SELECT jsonb_array_elements_text(r.sectors)) END AS sectors,
           r.postal_prefix, r.postal_from, r.postal_to,
           r.employees_min, r.employees_max, r.revenue_min, r.revenue_max,
           CASE WHEN r.name_pattern = '' THEN NULL ELSE
                REPLACE(REPLACE(REPLACE(r.name_pattern, '_', '\\_'), '*', '%%'), '?', '_')
           END AS name_like
    FROM {rule} r
    JOIN {territory} t ON t.id = r.territory_id
    WHERE t.model_id = %s
    """
).format(rule=sql.Identifier(RULE), territory=sql.Identifier(TERRITORY))

_SCOPE = sql.SQL(" AND a.id IN (SELECT account_id FROM tt_scope)")

_STAGE_KEYS = sql.SQL(
    """
    CREATE TEMP TABLE tt_key AS
    SELECT (ROW_NUMBER() OVER ())::int AS key_id, country, region, sector
    FROM (SELECT DISTINCT a.country, a.region, a.sector FROM {account} a WHERE TRUE{scope}) k
    """
)

# One row per (rule, account key it can match): the list criteria decided once per key, not
# once per account; a rule's countries are an equality join, a country-less rule meets every key.
_EXPAND_RULES = sql.SQL(
    """
    CREATE TEMP TABLE tt_rule AS
    WITH r AS (
        SELECT r.*, c.country FROM tt_rank r
        CROSS JOIN LATERAL unnest(r.countries) AS c(country)
    )
    SELECT k.key_id, r.rank, {columns}
    FROM r JOIN tt_key k ON k.country = r.country
    WHERE {lists}
    UNION ALL
    SELECT k.key_id, r.rank, {columns}
    FROM tt_rank r CROSS JOIN tt_key k
    WHERE r.countries IS NULL AND {lists}
    """
).format(
    columns=sql.SQL(
        "r.postal_prefix, r.postal_from, r.postal_to, r.employees_min, r.employees_max, "
        "r.revenue_min, r.revenue_max, r.name_like"
    ),
    lists=sql.SQL(
        "(r.regions IS NULL OR k.region = ANY(r.regions)) "
        "AND (r.sectors IS NULL OR k.sector = ANY(r.sectors))"
    ),
)

_CRITERIA = """
    ({r}.postal_prefix = '' OR {a}.postal_code LIKE {r}.postal_prefix || '%%')
    AND ({r}.postal_from = '' OR ({a}.postal_code <> ''
         AND {a}.postal_code COLLATE "C" >= {r}.postal_from COLLATE "C"))
    AND ({r}.postal_to = '' OR ({a}.postal_code <> ''
         AND {a}.postal_code COLLATE "C" <= {r}.postal_to COLLATE "C"))
    AND ({r}.employees_min IS NULL OR {a}.employees >= {r}.employees_min)
    AND ({r}.employees_max IS NULL OR {a}.employees <= {r}.employees_max)
    AND ({r}.revenue_min IS NULL OR {a}.annual_revenue >= {r}.revenue_min)
    AND ({r}.revenue_max IS NULL OR {a}.annual_revenue <= {r}.revenue_max)
    AND ({r}.name_like IS NULL OR {a}.name ILIKE {r}.name_like ESCAPE '\\')
"""


def criteria_sql(*, r: str = "r", a: str = "a") -> sql.Composed:
    """Every criterion except the list ones (country, region, sector: the join keys of
    `tt_rule`), for a staged rule row `r` and an account row `a`."""
    return sql.SQL(_CRITERIA).format(r=sql.Identifier(r), a=sql.Identifier(a))


_WINNER = sql.SQL(
    """
    CREATE TEMP TABLE tt_winner AS
    WITH best AS (
        SELECT a.id AS account_id, MIN(r.rank) AS rank
        FROM {account} a
        JOIN tt_key k ON k.country = a.country AND k.region = a.region AND k.sector = a.sector
        JOIN tt_rule r ON r.key_id = k.key_id
        WHERE {criteria}{scope}
        GROUP BY a.id
    )
    SELECT a.id AS account_id,
           CASE WHEN p.kind = 'pin' THEN p.territory_id
                WHEN p.kind = 'exclusion' THEN NULL
                ELSE k.territory_id END AS territory_id,
           CASE WHEN p.id IS NULL THEN k.rule_id END AS rule_id,
           CASE WHEN p.kind = 'pin' THEN 'pin'
                WHEN p.kind = 'exclusion' THEN 'excluded'
                WHEN k.rule_id IS NOT NULL THEN 'rule'
                ELSE 'unassigned' END AS source
    FROM {account} a
    LEFT JOIN best b ON b.account_id = a.id
    LEFT JOIN tt_rank k ON k.rank = b.rank
    LEFT JOIN {pin} p ON p.account_id = a.id AND p.model_id = %s
    WHERE TRUE{scope}
    """
)


def _drop(cursor: CursorWrapper, *tables: str) -> None:
    for table in tables:
        cursor.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(sql.Identifier(table)))


TEMP_TABLES = ("tt_rank", "tt_key", "tt_rule", "tt_winner", "tt_scope", "tt_change")


def compute_winners(
    cursor: CursorWrapper, *, model_id: int, account_ids: Sequence[int] | None = None
) -> None:
    """Fill the temp table `tt_winner(account_id, territory_id, rule_id, source)` for a model."""
    _drop(cursor, *TEMP_TABLES)
    # Inside the caller's transaction: no JIT (it compiles the winners' statement for seconds
    # and buys nothing), and memory for the matches' hash join and aggregate (the default spills
    # them to disk and makes the planner sort-merge instead).
    cursor.execute(
        "SELECT set_config('jit', 'off', true), set_config('work_mem', %s, true)", [WORK_MEM]
    )
    scoped = account_ids is not None
    scope = _SCOPE if scoped else sql.SQL("")
    if scoped:
        cursor.execute("CREATE TEMP TABLE tt_scope (account_id bigint PRIMARY KEY)")
        ids = sorted(set(account_ids or []))
        cursor.execute("INSERT INTO tt_scope (account_id) SELECT unnest(%s::bigint[])", [ids])
    cursor.execute(_STAGE_RANK, [model_id])
    cursor.execute(_STAGE_KEYS.format(account=ACCOUNTS_TABLE, scope=scope))
    cursor.execute(_EXPAND_RULES)
    cursor.execute("CREATE UNIQUE INDEX ON tt_rank (rank)")
    # Statistics for the small staged tables, so the winners are planned as hash joins and a
    # hash aggregate rather than on a temp table's default guesses.
    cursor.execute("ANALYZE tt_rank")
    cursor.execute("ANALYZE tt_key")
    cursor.execute("ANALYZE tt_rule (key_id)")
    winner = _WINNER.format(
        account=ACCOUNTS_TABLE,
        pin=sql.Identifier(PIN),
        criteria=criteria_sql(r="r", a="a"),
        scope=scope,
    )
    if scoped:
        cursor.execute(winner, [model_id])
    else:
        _hashed(cursor, winner, [model_id])
    cursor.execute("CREATE UNIQUE INDEX ON tt_winner (account_id)")
    cursor.execute("ANALYZE tt_winner")


_SETTINGS_READ = (
    "SELECT current_setting('enable_nestloop'), current_setting('enable_mergejoin'), "
    "current_setting('enable_sort')"
)
_SETTINGS_WRITE = (
    "SELECT set_config('enable_nestloop', %s, true), set_config('enable_mergejoin', %s, true), "
    "set_config('enable_sort', %s, true)"
)


def _hashed(cursor: CursorWrapper, query: sql.Composable, params: list[Any]) -> None:
    """Run a full run's winners statement with hash joins and a hash aggregate only. Each
    account meets ~30 staged rules through its key: the planner, estimating far fewer, picks a
    nested loop over the accounts' index or a sort-merge, and sorts the million matches to group
    them, each 1.5-10x slower on the bench's 50,000 and 1,000,000 accounts (docs/benchmarks.md).
    The caller's settings are restored for its later statements."""
    cursor.execute(_SETTINGS_READ)
    saved = list(cursor.fetchone())
    cursor.execute(_SETTINGS_WRITE, ["off", "off", "off"])
    cursor.execute(query, params)
    cursor.execute(_SETTINGS_WRITE, saved)


def drop_temp(cursor: CursorWrapper) -> None:
    _drop(cursor, *TEMP_TABLES)


def fetch(
    cursor: CursorWrapper, query: str | sql.Composable, params: Sequence[Any] = ()
) -> list[tuple[Any, ...]]:
    cursor.execute(query, list(params))
    return list(cursor.fetchall())

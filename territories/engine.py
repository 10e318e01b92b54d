"""The assignment engine's SQL: account → territory for one model, set-based.

Steps (all `INSERT … SELECT` / `CREATE TEMP TABLE … AS SELECT`, never a loop per account):
1. `tt_rule`: the model's rules joined to their territory's depth, one row per (rule, country);
   a rule without countries gets one row with country NULL ("any country").
2. `tt_winner`: every account (or the accounts in `tt_scope`) with its winner. Matches are found
   by an equality join on country (plus a cross join for country-less rules), filtered by the other
   criteria, ranked with ROW_NUMBER() by priority DESC, depth DESC, territory id, rule id; pins and
   exclusions override. Accounts nothing matches get source 'unassigned', territory NULL.
3. (services) diff `tt_winner` against the open history rows and close/insert only what changed.

PostgreSQL: rule lists are JSON (jsonb) columns, staged as arrays; postal ranges compare by code
point (`COLLATE "C"`); name patterns match case-insensitively (ILIKE).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.backends.utils import CursorWrapper

from salesops.selectors.sql import ACCOUNTS

ACCOUNT = ACCOUNTS
RULE = "territories_assignmentrule"
TERRITORY = "territories_territory"
PIN = "territories_pin"
HISTORY = "territories_accountterritory"

# The ranking every consumer (engine, benchmark floor, reference) shares.
RANK_ORDER = "priority DESC NULLS LAST, depth DESC, territory_id, rule_id"


def _list_or_null(col: str) -> str:
    """A JSON list column staged as an array, NULL when empty ("any value")."""
    return (
        f"CASE WHEN jsonb_array_length({col}) = 0 THEN NULL "
        f"ELSE ARRAY(SELECT jsonb_array_elements_text({col})) END"
    )


def _stage_rules_sql() -> str:
    # `*` → `%`, `?` → `_`; a literal `_` is escaped (patterns may not contain `%` or `\`).
    like = (
        "CASE WHEN r.name_pattern = '' THEN NULL ELSE "
        "REPLACE(REPLACE(REPLACE(r.name_pattern, '_', '\\_'), '*', '%%'), '?', '_') END"
    )
    return f"""
        CREATE TEMP TABLE tt_rule AS
        SELECT r.id AS rule_id, r.territory_id, r.priority, t.depth, c.value AS country,
               {_list_or_null("r.regions")} AS regions,
               {_list_or_null("r.sectors")} AS sectors,
               r.postal_prefix, r.postal_from, r.postal_to,
               r.employees_min, r.employees_max, r.revenue_min, r.revenue_max,
               {like} AS name_like
        FROM {RULE} r
        JOIN {TERRITORY} t ON t.id = r.territory_id
        LEFT JOIN LATERAL jsonb_array_elements_text(r.countries) AS c(value) ON TRUE
        WHERE t.model_id = %s
    """


def criteria_sql(*, r: str = "r", a: str = "a") -> str:
    """Every criterion except country, for a staged rule row `r` and an account row `a`."""
    coll = ' COLLATE "C"'
    return f"""
        ({r}.regions IS NULL OR {a}.region = ANY({r}.regions))
        AND ({r}.sectors IS NULL OR {a}.sector = ANY({r}.sectors))
        AND ({r}.postal_prefix = '' OR {a}.postal_code LIKE {r}.postal_prefix || '%%')
        AND ({r}.postal_from = '' OR ({a}.postal_code <> ''
             AND {a}.postal_code{coll} >= {r}.postal_from{coll}))
        AND ({r}.postal_to = '' OR ({a}.postal_code <> ''
             AND {a}.postal_code{coll} <= {r}.postal_to{coll}))
        AND ({r}.employees_min IS NULL OR {a}.employees >= {r}.employees_min)
        AND ({r}.employees_max IS NULL OR {a}.employees <= {r}.employees_max)
        AND ({r}.revenue_min IS NULL OR {a}.annual_revenue >= {r}.revenue_min)
        AND ({r}.revenue_max IS NULL OR {a}.annual_revenue <= {r}.revenue_max)
        AND ({r}.name_like IS NULL OR {a}.name ILIKE {r}.name_like ESCAPE '\\')
    """


def _winner_sql(*, scoped: bool) -> str:
    # Every account also gets one fallback row (no rule, priority NULL, ranked last), so the
    # winners come straight out of the ranking: no outer join of two large sets to plan.
    scope = " AND a.id IN (SELECT account_id FROM tt_scope)" if scoped else ""
    crit = criteria_sql()
    return f"""
        CREATE TEMP TABLE tt_winner AS
        WITH matches AS (
            SELECT a.id AS account_id, r.rule_id, r.territory_id, r.priority, r.depth
            FROM tt_rule r JOIN {ACCOUNT} a ON a.country = r.country
            WHERE {crit}{scope}
            UNION ALL
            SELECT a.id, r.rule_id, r.territory_id, r.priority, r.depth
            FROM tt_rule r CROSS JOIN {ACCOUNT} a
            WHERE r.country IS NULL AND {crit}{scope}
            UNION ALL
            SELECT a.id, NULL, NULL, NULL, NULL FROM {ACCOUNT} a WHERE 1 = 1{scope}
        ),
        ranked AS (
            SELECT account_id, rule_id, territory_id,
                   ROW_NUMBER() OVER (PARTITION BY account_id ORDER BY {RANK_ORDER}) AS rn
            FROM matches
        )
        SELECT m.account_id,
               CASE WHEN p.kind = 'pin' THEN p.territory_id
                    WHEN p.kind = 'exclusion' THEN NULL
                    ELSE m.territory_id END AS territory_id,
               CASE WHEN p.id IS NULL THEN m.rule_id END AS rule_id,
               CASE WHEN p.kind = 'pin' THEN 'pin'
                    WHEN p.kind = 'exclusion' THEN 'excluded'
                    WHEN m.rule_id IS NOT NULL THEN 'rule'
                    ELSE 'unassigned' END AS source
        FROM ranked m
        LEFT JOIN {PIN} p ON p.account_id = m.account_id AND p.model_id = %s
        WHERE m.rn = 1
    """


def _drop(cursor: CursorWrapper, *tables: str) -> None:
    for table in tables:
        cursor.execute(f"DROP TABLE IF EXISTS {table}")


TEMP_TABLES = ("tt_rule", "tt_winner", "tt_scope", "tt_change")


def compute_winners(
    cursor: CursorWrapper, *, model_id: int, account_ids: Sequence[int] | None = None
) -> None:
    """Fill the temp table `tt_winner(account_id, territory_id, rule_id, source)` for a model."""
    _drop(cursor, *TEMP_TABLES)
    cursor.execute(_stage_rules_sql(), [model_id])
    scoped = account_ids is not None
    if scoped:
        cursor.execute("CREATE TEMP TABLE tt_scope (account_id bigint PRIMARY KEY)")
        ids = sorted(set(account_ids or []))
        cursor.execute("INSERT INTO tt_scope (account_id) SELECT unnest(%s::bigint[])", [ids])
    cursor.execute(_winner_sql(scoped=scoped), [model_id])
    cursor.execute("CREATE UNIQUE INDEX ON tt_winner (account_id)")
    cursor.execute("ANALYZE tt_winner")


def drop_temp(cursor: CursorWrapper) -> None:
    _drop(cursor, *TEMP_TABLES)


def fetch(cursor: CursorWrapper, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    cursor.execute(sql, list(params))
    return list(cursor.fetchall())

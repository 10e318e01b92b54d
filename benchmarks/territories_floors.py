"""The territory assignment benchmark's floors: SQL only (bench_territories.py times them).

FLOOR_SQL is the best known single statement (issue 22): ONE `INSERT … SELECT` that ranks the
model's rules once (priority, depth, territory, rule → an integer), expands each rule to the
(country, region, sector) keys of the accounts it can match, so the list criteria are one equality
join on the accounts' own columns, takes each account's best-ranked match with MIN(rank) (a hash
aggregate), applies pins and exclusions and writes the same history rows into the same history
table as the engine, under FLOOR_SETTINGS (the engine's JIT and work_mem, hash joins only).
OLD_FLOOR_SQL is the earlier floor, kept as an info line: every match sorted with DISTINCT ON over
five columns, into a temporary copy of the history table (`tb_floor`). Parameters: `model`,
`today`, `work_mem`. Tested equal to the engine: tests/territories/test_assignment_floor.py.
"""

from __future__ import annotations

# Shared by both floors: a rule's name pattern as a LIKE pattern and the model's rules; every
# criterion but the list ones, for a staged rule `rc` and an account `a`.
RULE_COLUMNS = """CASE WHEN r.name_pattern = '' THEN NULL ELSE
                REPLACE(REPLACE(REPLACE(r.name_pattern, '_', '\\_'), '*', '%%'), '?', '_')
           END AS name_like
    FROM territories_assignmentrule r
    JOIN territories_territory t ON t.id = r.territory_id AND t.model_id = %(model)s"""
OTHER_CRITERIA = """(rc.postal_prefix = '' OR a.postal_code LIKE rc.postal_prefix || '%%')
      AND (rc.postal_from = '' OR (a.postal_code <> ''
           AND a.postal_code COLLATE "C" >= rc.postal_from COLLATE "C"))
      AND (rc.postal_to = '' OR (a.postal_code <> ''
           AND a.postal_code COLLATE "C" <= rc.postal_to COLLATE "C"))
      AND (rc.employees_min IS NULL OR a.employees >= rc.employees_min)
      AND (rc.employees_max IS NULL OR a.employees <= rc.employees_max)
      AND (rc.revenue_min IS NULL OR a.annual_revenue >= rc.revenue_min)
      AND (rc.revenue_max IS NULL OR a.annual_revenue <= rc.revenue_max)
      AND (rc.name_like IS NULL OR a.name ILIKE rc.name_like ESCAPE '\\')"""

# The earlier floor, kept as an info line: every match sorted by five columns (DISTINCT ON),
# into a temporary copy of the history table.
OLD_FLOOR_SQL = (
    """
WITH rc AS MATERIALIZED (
    SELECT r.id AS rule_id, r.territory_id, r.priority, t.depth, c.value AS country,
           CASE WHEN jsonb_array_length(r.regions) = 0 THEN NULL
                ELSE ARRAY(SELECT jsonb_array_elements_text(r.regions)) END AS regions,
           CASE WHEN jsonb_array_length(r.sectors) = 0 THEN NULL
                ELSE ARRAY(SELECT jsonb_array_elements_text(r.sectors)) END AS sectors,
           r.postal_prefix, r.postal_from, r.postal_to, r.employees_min, r.employees_max,
           r.revenue_min, r.revenue_max,
           RULE_COLUMNS
    LEFT JOIN LATERAL jsonb_array_elements_text(r.countries) c(value) ON TRUE
),
m AS (
    SELECT a.id AS account_id, rc.rule_id, rc.territory_id, rc.priority, rc.depth
    FROM rc JOIN salesops_account a ON a.country = rc.country
    WHERE CRIT
    UNION ALL
    SELECT a.id, rc.rule_id, rc.territory_id, rc.priority, rc.depth
    FROM rc CROSS JOIN salesops_account a
    WHERE rc.country IS NULL AND CRIT
    UNION ALL
    SELECT a.id, NULL, NULL, NULL, NULL FROM salesops_account a
)
INSERT INTO tb_floor (model_id, account_id, territory_id, rule_id, source, valid_from)
SELECT DISTINCT ON (m.account_id) %(model)s, m.account_id,
       CASE WHEN p.kind = 'pin' THEN p.territory_id WHEN p.kind = 'exclusion' THEN NULL
            ELSE m.territory_id END,
       CASE WHEN p.id IS NULL THEN m.rule_id END,
       CASE WHEN p.kind = 'pin' THEN 'pin' WHEN p.kind = 'exclusion' THEN 'excluded'
            WHEN m.rule_id IS NOT NULL THEN 'rule' ELSE 'unassigned' END,
       CURRENT_DATE
FROM m
LEFT JOIN territories_pin p ON p.account_id = m.account_id AND p.model_id = %(model)s
ORDER BY m.account_id, m.priority DESC NULLS LAST, m.depth DESC, m.territory_id, m.rule_id
""".replace(
        "CRIT",
        """(rc.regions IS NULL OR a.region = ANY(rc.regions))
      AND (rc.sectors IS NULL OR a.sector = ANY(rc.sectors))
      AND OTHER_CRITERIA""",
    )
    .replace("OTHER_CRITERIA", OTHER_CRITERIA)
    .replace("RULE_COLUMNS", RULE_COLUMNS)
)


# The floor: the best-ranked rule per account, in one statement (see the module docstring).
FLOOR_SQL = """
WITH ranked AS MATERIALIZED (
    SELECT r.id AS rule_id, r.territory_id,
           (ROW_NUMBER() OVER (ORDER BY r.priority DESC NULLS LAST, t.depth DESC,
                                        r.territory_id, r.id))::int AS rank,
           CASE WHEN jsonb_array_length(r.countries) = 0 THEN NULL
                ELSE ARRAY(SELECT jsonb_array_elements_text(r.countries)) END AS countries,
           CASE WHEN jsonb_array_length(r.regions) = 0 THEN NULL
                ELSE ARRAY(SELECT jsonb_array_elements_text(r.regions)) END AS regions,
           CASE WHEN jsonb_array_length(r.sectors) = 0 THEN NULL
                ELSE ARRAY(SELECT jsonb_array_elements_text(r.sectors)) END AS sectors,
           r.postal_prefix, r.postal_from, r.postal_to, r.employees_min, r.employees_max,
           r.revenue_min, r.revenue_max,
           RULE_COLUMNS
), keys AS MATERIALIZED (
    SELECT (ROW_NUMBER() OVER ())::int AS key_id, country, region, sector
    FROM (SELECT DISTINCT country, region, sector FROM salesops_account) k
), rc AS MATERIALIZED (
    SELECT y.key_id, k.rank, k.postal_prefix, k.postal_from, k.postal_to, k.employees_min,
           k.employees_max, k.revenue_min, k.revenue_max, k.name_like
    FROM ranked k CROSS JOIN LATERAL unnest(k.countries) c(country)
    JOIN keys y ON y.country = c.country
    WHERE (k.regions IS NULL OR y.region = ANY(k.regions))
      AND (k.sectors IS NULL OR y.sector = ANY(k.sectors))
    UNION ALL
    SELECT y.key_id, k.rank, k.postal_prefix, k.postal_from, k.postal_to, k.employees_min,
           k.employees_max, k.revenue_min, k.revenue_max, k.name_like
    FROM ranked k CROSS JOIN keys y
    WHERE k.countries IS NULL
      AND (k.regions IS NULL OR y.region = ANY(k.regions))
      AND (k.sectors IS NULL OR y.sector = ANY(k.sectors))
), best AS (
    SELECT a.id AS account_id, MIN(rc.rank) AS rank
    FROM salesops_account a
    JOIN keys y ON y.country = a.country AND y.region = a.region AND y.sector = a.sector
    JOIN rc ON rc.key_id = y.key_id
    WHERE OTHER_CRITERIA
    GROUP BY a.id
), lookup AS MATERIALIZED (
    SELECT array_agg(rule_id ORDER BY rank) AS rule_ids,
           array_agg(territory_id ORDER BY rank) AS territory_ids
    FROM ranked
)
INSERT INTO territories_accountterritory
    (model_id, account_id, territory_id, rule_id, source, valid_from)
SELECT %(model)s, a.id,
       CASE WHEN p.kind = 'pin' THEN p.territory_id WHEN p.kind = 'exclusion' THEN NULL
            ELSE l.territory_ids[b.rank] END,
       CASE WHEN p.id IS NULL THEN l.rule_ids[b.rank] END,
       CASE WHEN p.kind = 'pin' THEN 'pin' WHEN p.kind = 'exclusion' THEN 'excluded'
            WHEN b.rank IS NOT NULL THEN 'rule' ELSE 'unassigned' END,
       %(today)s
FROM salesops_account a
CROSS JOIN lookup l
LEFT JOIN best b ON b.account_id = a.id
LEFT JOIN territories_pin p ON p.account_id = a.id AND p.model_id = %(model)s
""".replace("OTHER_CRITERIA", OTHER_CRITERIA).replace("RULE_COLUMNS", RULE_COLUMNS)
# The floor's session settings: the engine's (JIT off, its work_mem), and hash joins only.
FLOOR_SETTINGS = (
    "SELECT set_config('jit', 'off', true), set_config('work_mem', %(work_mem)s, true), "
    "set_config('enable_nestloop', 'off', true), set_config('enable_mergejoin', 'off', true), "
    "set_config('enable_sort', 'off', true)"
)

"""What reads as SQL in our sources (upper-case keywords, as this code base writes its SQL), for
the checks on SQL text: tests/test_sql_parameters.py and tests/test_sql_ownership.py."""

from __future__ import annotations

import re

SQL_TEXT = re.compile(
    r"\b(SELECT\b[\s\S]*\bFROM|INSERT INTO|UPDATE\b[\s\S]*\bSET|DELETE FROM|CREATE (TEMP |UNIQUE )?"
    r"(TABLE|INDEX)|DROP (TABLE|INDEX)|ALTER TABLE|TRUNCATE|ANALYZE|COPY\b|EXPLAIN|JOIN|WHERE"
    r"|GROUP BY|ORDER BY|ON CONFLICT|WITH RECURSIVE)\b"
)

"""SQL is owned by the app whose tables it reads (issue 25; docs/architecture.md, "Raw SQL"): no
app's SQL spells another app's tables. An app that composes SQL over the core's data names the
core's tables through `salesops.selectors.sql` (DEALS_TABLE, …) and takes its rules as fragments
(`salesops.selectors.credit`), so what those tables are called stays defined in the core."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from tests.sql_text import SQL_TEXT

ROOT = Path(__file__).resolve().parent.parent
APPS = ("salesops", "meetings", "territories", "compensation", "dashboard")
TABLE = re.compile(r"\b(" + "|".join(APPS) + r")_[a-z][a-z0-9_]*")


def _docstrings(tree: ast.Module) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            first = node.body[0] if node.body else None
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def foreign_tables(app: str, source: str, where: str) -> list[str]:
    """Each SQL text in `source` (of `app`) that names a table of another app, as file:line."""
    tree = ast.parse(source)
    docstrings = _docstrings(tree)
    found: dict[int, set[str]] = {}
    for node in ast.walk(tree):
        if not isinstance(node, ast.Constant) or not isinstance(node.value, str):
            continue
        if id(node) in docstrings or not SQL_TEXT.search(node.value):
            continue
        others = {m.group(0) for m in TABLE.finditer(node.value) if m.group(1) != app}
        if others:
            found.setdefault(node.lineno, set()).update(others)
    return [f"{where}:{line}: {', '.join(sorted(found[line]))}" for line in sorted(found)]


def test_no_app_writes_sql_against_another_apps_tables():
    found = []
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.parts:
                where = str(path.relative_to(ROOT))
                found += foreign_tables(app, path.read_text(), where)
    assert not found, (
        "SQL naming another app's tables (read them through that app's selectors, or for the "
        "core's tables salesops.selectors.sql / .credit):\n" + "\n".join(found)
    )


def test_the_check_tells_own_tables_from_another_apps():
    source = (
        '"""Reads salesops_deal (a docstring, not SQL)."""\n'
        'OWN = "SELECT id FROM territories_territory WHERE model_id = %s"\n'
        'OTHER = """\n    SELECT h.territory_id FROM territories_accountterritory h\n'
        '    JOIN salesops_deal d ON d.account_id = h.account_id\n"""\n'
        'LABEL = "salesops_deal"\n'
    )
    assert foreign_tables("territories", source, "t.py") == ["t.py:3: salesops_deal"]
    assert foreign_tables("salesops", source, "t.py") == [
        "t.py:2: territories_territory",
        "t.py:3: territories_accountterritory",
    ]

"""Every value in our SQL is a parameter (docs/architecture.md, "Raw SQL"): no SQL string is built
with %-formatting, and no f-string or str.format() quotes a value into SQL ('{value}', DATE
'{day}'). Fragments (table and column names, SQL pieces of the module's own) may be composed;
values go through the driver's parameters."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ("salesops", "meetings", "territories", "compensation", "dashboard", "benchmarks")
SQL = re.compile(r"\b(SELECT|INSERT|UPDATE|DELETE|WHERE|JOIN|GROUP BY|ON CONFLICT|AND|OR|DATE)\b")


def _modules() -> list[Path]:
    return [
        path
        for app in APPS
        for path in (ROOT / app).rglob("*.py")
        if "migrations" not in path.parts
    ]


def _quotes_a_value(node: ast.JoinedStr) -> bool:
    """An interpolation right after a quote and before one: '{x}' renders a value as a literal."""
    parts = node.values
    for i, part in enumerate(parts):
        if not isinstance(part, ast.FormattedValue):
            continue
        before = parts[i - 1] if i > 0 else None
        after = parts[i + 1] if i + 1 < len(parts) else None
        if (
            isinstance(before, ast.Constant)
            and str(before.value).endswith("'")
            and isinstance(after, ast.Constant)
            and str(after.value).startswith("'")
        ):
            return True
    return False


def _is_sql_literal(node: ast.JoinedStr, *, runs_sql: bool = True) -> bool:
    """SQL text that quotes a value, or, in a module that runs SQL, an f-string that is nothing
    but a quoted value ('{x}', the way a list of SQL literals is joined)."""
    text = "".join(str(v.value) for v in node.values if isinstance(v, ast.Constant))
    bare = runs_sql and len(node.values) == 3 and text == "''"
    return (bare or bool(SQL.search(text))) and _quotes_a_value(node)


def test_no_value_is_formatted_into_sql():
    found = []
    for path in _modules():
        source = path.read_text()
        tree = ast.parse(source, filename=str(path))
        runs_sql = any(call in source for call in (".execute(", "_exec(", ".cursor("))
        where = path.relative_to(ROOT)
        for node in ast.walk(tree):
            if isinstance(node, ast.JoinedStr) and _is_sql_literal(node, runs_sql=runs_sql):
                found.append(f"{where}:{node.lineno}: a value quoted into SQL by an f-string")
            if (
                isinstance(node, ast.BinOp)
                and isinstance(node.op, ast.Mod)
                and isinstance(node.left, ast.Constant)
                and isinstance(node.left.value, str)
                and SQL.search(node.left.value)
            ):
                found.append(f"{where}:{node.lineno}: SQL built with %-formatting")
    assert found == []


def test_the_check_finds_what_it_looks_for():
    bad = ast.parse("f\"WHERE stage IN ('{stage}') AND day >= DATE '{day}'\"").body[0]
    assert isinstance(bad, ast.Expr) and isinstance(bad.value, ast.JoinedStr)
    assert _is_sql_literal(bad.value)
    joined = ast.parse("f\"'{stage}'\"").body[0]
    assert isinstance(joined, ast.Expr) and isinstance(joined.value, ast.JoinedStr)
    assert _is_sql_literal(joined.value)
    fine = ast.parse('f"SELECT * FROM {TABLE} WHERE id = %s"').body[0]
    assert isinstance(fine, ast.Expr) and isinstance(fine.value, ast.JoinedStr)
    assert not _is_sql_literal(fine.value)
    message = ast.parse("f\"Unknown team '{name}'\"").body[0]
    assert isinstance(message, ast.Expr) and isinstance(message.value, ast.JoinedStr)
    assert not _is_sql_literal(message.value)

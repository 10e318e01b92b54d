"""No module above ~400 lines without a reason stated at its top (issue 25, docs/architecture.md
"Module size"): a longer module says in its docstring's opening lines "Why one module: …", or is
split by concern. Migrations and tests are not counted."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("salesops", "meetings", "territories", "compensation", "dashboard", "benchmarks")
MAX_LINES = 400
REASON = "Why one module:"
# The reason belongs at the top: within this many lines of the module docstring's start.
REASON_WITHIN = 15


def _states_why(source: str) -> bool:
    docstring = ast.get_docstring(ast.parse(source), clean=False) or ""
    return REASON in "\n".join(docstring.splitlines()[:REASON_WITHIN])


def long_modules_without_a_reason() -> list[str]:
    found = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            source = path.read_text()
            lines = source.count("\n")
            if lines > MAX_LINES and not _states_why(source):
                found.append(f"{path.relative_to(ROOT)}: {lines} lines")
    return found


def test_every_module_over_400_lines_says_why_it_is_one_module():
    found = long_modules_without_a_reason()
    assert not found, (
        f"Modules over {MAX_LINES} lines without '{REASON} …' in the first lines of their "
        "docstring: split them by concern, or say why they stay whole:\n" + "\n".join(found)
    )


def test_the_reason_must_be_at_the_top_of_the_docstring():
    assert _states_why('"""Deals.\n\nWhy one module: one lifecycle."""\nX = 1\n')
    assert not _states_why('"""Deals."""\n# Why one module: a comment is not the docstring\n')
    buried = '"""Deals.\n' + "\n" * REASON_WITHIN + 'Why one module: too far down."""\n'
    assert not _states_why(buried)
    assert not _states_why("X = 1\n")

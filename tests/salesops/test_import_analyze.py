"""A large committed import refreshes the planner statistics of the tables it loaded; a small one,
a dry run or a strict run refused does not pay for it."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from salesops.importer import services
from tests.salesops.test_import_helpers import run_import, write_files

pytestmark = pytest.mark.django_db


def _analyzed(**kwargs) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        run_import(write_files(kwargs.pop("tmp_path")), **kwargs)
    return [q["sql"] for q in captured.captured_queries if q["sql"].startswith("ANALYZE")]


def test_a_large_import_analyzes_the_tables_it_loaded(tmp_path, monkeypatch):
    monkeypatch.setattr(services, "ANALYZE_MIN_ROWS", 1)
    statements = _analyzed(tmp_path=tmp_path)
    assert len(statements) == 1
    for table in ("salesops_deal", "salesops_dealsplit", "salesops_salescost", "salesops_account"):
        assert table in statements[0]


def test_a_dry_run_or_a_small_import_does_not(tmp_path, monkeypatch):
    monkeypatch.setattr(services, "ANALYZE_MIN_ROWS", 1)
    assert _analyzed(tmp_path=tmp_path, dry_run=True) == []
    monkeypatch.setattr(services, "ANALYZE_MIN_ROWS", 10_000)
    (tmp_path / "again").mkdir()
    assert _analyzed(tmp_path=tmp_path / "again") == []

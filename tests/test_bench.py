"""The fast part of `make bench` that `make test` keeps: the README's table is the one latest.json
gives (written by the bench, never by hand), timings are taken in turns, and the load test's
percentiles are those of its samples."""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks import readme
from benchmarks.bench_load import Level, _pct, _summary
from benchmarks.harness import BenchContext

PAYLOAD = {
    "generated_at": "2026-12-03T15:00:00+00:00",
    "commit": "abc1234",
    "scale": "large",
    "machine": {"cpus": 2},
    "results": [
        {
            "name": "dashboard: company, YTD vs minimal page",
            "value": 0.2,
            "unit": "s",
            "floor": 0.04,
            "ratio": 5.0,
            "target": 10.0,
            "passed": True,
            "note": "a | b",
            "details": {"module": "bench_dashboard"},
        },
        {
            "name": "efficiency: full nightly compute vs per-person-day roll-up",
            "value": 13.0,
            "unit": "s",
            "floor": 9.0,
            "ratio": 13 / 9,
            "target": 1.3,
            "passed": False,
            "note": "",
            "details": {"module": "bench_efficiency"},
        },
    ],
}


def test_readme_table_is_the_one_latest_json_gives() -> None:
    text = readme.README.read_text()
    assert readme.START in text and readme.END in text
    body = text.split(readme.START, 1)[1].split(readme.END, 1)[0].strip()
    payload = json.loads(readme.RESULTS.read_text())
    assert body == (readme.table(payload) + readme.load_table(payload)).strip()


def test_readme_update_rewrites_only_between_the_markers(tmp_path: Path) -> None:
    page = tmp_path / "README.md"
    page.write_text(f"# Title\nbefore\n{readme.START}\nold figures\n{readme.END}\nafter\n")
    results = tmp_path / "latest.json"
    results.write_text(json.dumps(PAYLOAD))
    assert readme.readme_update(page, results) is True
    text = page.read_text()
    assert text.startswith("# Title\nbefore\n") and text.endswith(f"{readme.END}\nafter\n")
    assert "old figures" not in text
    assert (
        "| dashboard: company, YTD vs minimal page | 0.2 s | 0.04 s | 5.000 | ≤ 10.0 | yes |"
        in text
    )
    assert "| 1.444 | ≤ 1.3 | **NO** |" in text  # a missed target says so
    assert "a / b" in text  # a note cannot break the table
    (tmp_path / "plain.md").write_text("no markers")
    assert readme.readme_update(tmp_path / "plain.md", results) is False


def test_median_in_turns_alternates_and_takes_the_median() -> None:
    order: list[str] = []
    ctx = BenchContext(scale="small", log=lambda _msg: None)
    ctx.median_in_turns(
        (lambda: order.append("A"), lambda: order.append("setup A")),
        (lambda: order.append("B"), None),
        repeat=3,
    )
    assert order == ["setup A", "A", "B"] * 3


def test_load_percentiles_and_summary() -> None:
    values = [i / 1000 for i in range(1, 101)]  # 1..100 ms
    assert _pct(values, 0.5) * 1000 == 51.0 or _pct(values, 0.5) * 1000 == 50.0
    assert round(_pct(values, 0.99) * 1000) == 99
    level = Level(users=2, seconds=10.0)
    level.times["me"] = values
    level.errors["api"] = 3
    row = _summary(level, timeouts=1)
    assert row["throughput_rps"] == 10.0
    assert row["errors"] == 3 and row["worker_timeouts"] == 1
    assert row["pages"]["me"]["p99_ms"] == 99.0
    assert row["pages"]["api"] == {"n": 0, "errors": 3}

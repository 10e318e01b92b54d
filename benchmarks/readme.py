"""The README's benchmark table, written from benchmarks/results/latest.json by `make bench` itself
(between the markers below): no figure in the README is typed by hand.

    python -m benchmarks.readme    # rewrite the table from the current latest.json
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
RESULTS = ROOT / "benchmarks" / "results" / "latest.json"
START = "<!-- bench-table:start (written by make bench from benchmarks/results/latest.json) -->"
END = "<!-- bench-table:end -->"


def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return ""
    return f"{value:.4g} {unit}"


def table(payload: dict[str, Any]) -> str:
    """The Markdown table of a latest.json payload, with its provenance line."""
    lines = [
        f"Run of {payload.get('generated_at', '?')} at commit `{payload.get('commit', '?')}`, "
        f"scale {payload.get('scale', '?')}, {payload.get('machine', {}).get('cpus', '?')} CPUs.",
        "",
        "| benchmark | value | floor | ratio | target | met | note |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in payload.get("results", []):
        ratio = "" if r.get("ratio") is None else f"{r['ratio']:.3f}"
        target = "" if r.get("target") is None else f"≤ {r['target']}"
        met = {True: "yes", False: "**NO**", None: ""}[r.get("passed")]
        note = str(r.get("note", "")).replace("|", "/").replace("\n", " ")
        lines.append(
            f"| {r['name']} | {_fmt(r.get('value'), r.get('unit', 's'))} | "
            f"{_fmt(r.get('floor'), r.get('unit', 's'))} | {ratio} | {target} | {met} | {note} |"
        )
    return "\n".join(lines)


def load_table(payload: dict[str, Any]) -> str:
    """The load test's rows (bench_load details): throughput and percentiles per level."""
    rows = [
        r["details"]
        for r in payload.get("results", [])
        if r.get("details", {}).get("module") == "bench_load" and "users" in r.get("details", {})
    ]
    if not rows:
        return ""
    lines = [
        "",
        "Load test (gunicorn as compose runs it, production settings; fixed page mix; the target "
        "is judged on users with a think time of 1-5 s, the no-think-time closed loop is stress "
        "info; docs/benchmarks.md):",
        "",
        "| demo | user model | users | req/s | p50 | p95 | p99 | errors | worker timeouts "
        "(requests over the timeout) | machine load average before/after |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    models = {"think": "think time 1-5 s", "stress": "stress, no think time"}
    for d in rows:
        model = models.get(d.get("model", "stress"), d.get("model", ""))
        lines.append(
            f"| {d['scale']} | {model} | {d['users']} | {d['throughput_rps']} | {d['p50_ms']} ms | "
            f"{d['p95_ms']} ms | {d['p99_ms']} ms | {d['errors']} | {d['worker_timeouts']} "
            f"({d.get('over_timeout', 'not counted')}) | "
            f"{'/'.join(str(x) for x in d.get('load_average', [])) or 'not recorded'} |"
        )
    return "\n".join(lines)


def readme_update(readme: Path = README, results: Path = RESULTS) -> bool:
    """Replace the text between the markers with the table of `results`; False when the README
    has no markers (nothing written)."""
    text = readme.read_text()
    if START not in text or END not in text:
        return False
    payload = json.loads(results.read_text())
    head, rest = text.split(START, 1)
    _old, tail = rest.split(END, 1)
    body = table(payload) + load_table(payload)
    readme.write_text(f"{head}{START}\n{body}\n{END}{tail}")
    return True


if __name__ == "__main__":
    raise SystemExit(0 if readme_update() else 1)

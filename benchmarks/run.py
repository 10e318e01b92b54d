"""`make bench`: build the large data set in its own PostgreSQL database and run every benchmark.

    python -m benchmarks.run [--scale large|small] [--reuse] [--only NAME ...]

--reuse keeps an already-seeded benchmark database (re-seeding the large set takes minutes).
Prints a table and writes benchmarks/results/latest.json.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "latest.json"


def _ensure_database(url: str, *, fresh: bool) -> None:
    import psycopg2
    from psycopg2 import sql

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin = psycopg2.connect(
        host=parsed.hostname, port=parsed.port or 5432, user=parsed.username, dbname="postgres"
    )
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        exists = cur.fetchone() is not None
        if exists and fresh:
            cur.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
            exists = False
        if not exists:
            cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    admin.close()


def _manage(*args: str) -> None:
    subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], check=True, cwd=ROOT)


def _discover(only: list[str]) -> list[str]:
    names = sorted(p.stem for p in (ROOT / "benchmarks").glob("bench_*.py"))
    if only:
        names = [n for n in names if n.removeprefix("bench_") in only or n in only]
    return names


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", default="large", choices=["large", "small"])
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--only", nargs="*", default=[])
    args = parser.parse_args()

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        print("make bench needs DATABASE_URL pointing at PostgreSQL", file=sys.stderr)
        return 2
    marker_ok = False
    if args.reuse:
        _ensure_database(url, fresh=False)
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salesops.settings")
        import django

        django.setup()
        from salesops.models import Person

        try:
            marker_ok = Person.objects.count() > (1000 if args.scale == "large" else 10)
        except Exception:  # noqa: BLE001 - an empty database has no tables yet
            marker_ok = False
    if not marker_ok:
        _ensure_database(url, fresh=True)
        _manage("migrate", "--noinput", "-v0")
        _manage("seed_demo", "--scale", args.scale, "--seed", "7")
    else:
        _manage("migrate", "--noinput", "-v0")  # a reused database gets the newer migrations

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salesops.settings")
    import django

    django.setup()
    from benchmarks.harness import BenchContext, Result

    # The commit whose code is measured: read before the modules run, since others may commit to
    # the checkout while a long run goes on.
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT
    ).stdout.strip()
    ctx = BenchContext(scale=args.scale, log=lambda msg: print(f"  · {msg}", flush=True))
    results: list[Result] = []
    modules = _discover(args.only)
    for name in modules:
        print(f"== {name}", flush=True)
        module = importlib.import_module(f"benchmarks.{name}")
        for result in module.run(ctx):
            result.details.setdefault("module", name)
            results.append(result)

    _print_table(results)
    payload = {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": commit,
        "scale": args.scale,
        "machine": {
            "platform": platform.platform(),
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
        },
        "results": [r.as_dict() for r in results],
    }
    if args.only and RESULTS.exists():
        # A partial run replaces only its own modules' figures in the last full table.
        previous = json.loads(RESULTS.read_text())
        kept = [
            r
            for r in previous.get("results", [])
            if r.get("details", {}).get("module") not in modules
        ]
        payload["results"] = kept + payload["results"]  # type: ignore[operator]
        base = str(previous.get("scale", args.scale)).split(";")[0]
        if kept and base != args.scale:  # the kept figures keep their scale: say which is whose
            payload["scale"] = f"{base}; {', '.join(modules)} at {args.scale}"
        elif kept:  # same scale: the notes on other modules stay (e.g. "bench_load at small")
            notes = str(previous.get("scale", "")).split("; ")[1:]
            notes = [n for n in notes if not any(m in n for m in modules)]
            payload["scale"] = "; ".join([args.scale, *notes])
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(payload, indent=2, default=str) + "\n")
    print(f"\nwrote {RESULTS.relative_to(ROOT)}")
    from benchmarks.readme import readme_update

    if readme_update():
        print("wrote the benchmark table of README.md")
    return 0


def _print_table(results: list[Any]) -> None:
    rows = [("benchmark", "value", "floor", "ratio", "target", "ok")]
    for r in results:
        rows.append(
            (
                r.name,
                f"{r.value:.4g} {r.unit}",
                "" if r.floor is None else f"{r.floor:.4g} {r.unit}",
                "" if r.ratio is None else f"{r.ratio:.3f}",
                "" if r.target is None else f"≤ {r.target}",
                {True: "yes", False: "NO", None: ""}[r.passed],
            )
        )
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(rows[0]))]
    print()
    for i, row in enumerate(rows):
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)))
        if i == 0:
            print("  ".join("-" * w for w in widths))


if __name__ == "__main__":
    raise SystemExit(main())

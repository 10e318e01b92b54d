"""A load test: gunicorn with the production settings on 127.0.0.1, driven by N concurrent users.

The bench starts gunicorn itself as docker compose runs it (3 sync workers, 30 s timeout,
DEBUG=False, JIT as configured) against the small demo (its own database, seeded here) and against
the large data set the other benchmarks use, each with the night's efficiency snapshots published.
Every user is a thread with a keep-alive connection that walks a fixed mix of personas and pages
in order (no think time, a closed loop), starting at an offset of its number, for a fixed time at
1, 10, 25 and 50 concurrent users. Reported per level: throughput, and per page p50/p95/p99 of the
response time and errors; and the worker timeouts gunicorn logged.

Targets (issue 22): p99 < 500 ms at 25 users on the small demo; no worker timeout at 25 users on
the large one. `BENCH_LOAD_SCALES=small` runs the small demo only, `BENCH_LOAD_REUSE_SMALL=1` keeps its
database when it is seeded already. The API throttle is raised for the run (one sales-ops login makes every API call
here; a real org spreads them over many users).

Sessions are created directly in the database (as Django's test client's force_login does), so
logins and their rate limits are not part of the measurement.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from http.client import HTTPConnection
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

from benchmarks.harness import BenchContext, Result

ROOT = Path(__file__).resolve().parent.parent
LEVELS = (1, 10, 25, 50)
SECONDS = float(os.environ.get("BENCH_LOAD_SECONDS", "20"))
WORKERS = 3
TIMEOUT = 30
SMALL_DB = "salesops_bench_small"
P99_TARGET_MS = 500.0

# The fixed mix, walked in order by every user: (page label, login, path).
MIX = (
    ("manager dashboard", "manager", "/dashboard/"),
    ("rep /me/", "rep", "/me/"),
    ("manager dashboard YTD", "manager", "/dashboard/?period=ytd"),
    ("meetings", "rep", "/meetings/"),
    ("API deals", "ops", "/api/v1/deals/"),
    ("rep /me/", "rep", "/me/"),
    ("company dashboard", "ops", "/dashboard/?period=qtd"),
    ("API meetings", "manager", "/api/v1/meetings/"),
    ("account page", "rep", "/settings/time-zone/"),
    ("manager dashboard", "manager", "/dashboard/"),
)

SESSIONS_SCRIPT = """
import json, django
django.setup()
from importlib import import_module
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
engine = import_module(settings.SESSION_ENGINE)
out = {}
for username in ("ops", "manager", "rep"):
    user = get_user_model().objects.get(username=username)
    store = engine.SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    out[username] = store.session_key
print(json.dumps(out))
"""


def _with_db(url: str, name: str) -> str:
    parsed = urlparse(url)
    return urlunparse(parsed._replace(path=f"/{name}"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _env(database_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DEBUG="False",
        SECRET_KEY="bench-load-not-secret-" + "x" * 40,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        DATABASE_URL=database_url,
        API_THROTTLE_USER="1000000/minute",
        DJANGO_SETTINGS_MODULE="salesops.settings",
    )
    return env


def _manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], check=True, cwd=ROOT, env=env)


def _seed_small(ctx: BenchContext, url: str) -> str:
    """The small demo in a database of its own, with the night's snapshots."""
    from benchmarks.run import _ensure_database

    small = _with_db(url, SMALL_DB)
    if os.environ.get("BENCH_LOAD_REUSE_SMALL") and _seeded(small):
        return small
    _ensure_database(small, fresh=True)
    env = _env(small)
    env["DEBUG"] = "True"  # management commands need no production secrets
    ctx.log("seeding the small demo for the load test")
    _manage(env, "migrate", "--noinput", "-v0")
    _manage(env, "seed_demo", "--scale", "small", "--seed", "7")
    _manage(env, "compute_efficiency")
    return small


def _seeded(database_url: str) -> bool:
    import psycopg2

    parsed = urlparse(database_url)
    try:
        conn = psycopg2.connect(
            host=parsed.hostname,
            port=parsed.port or 5432,
            user=parsed.username,
            dbname=parsed.path.lstrip("/"),
        )
    except psycopg2.OperationalError:
        return False
    with conn, conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM salesops_efficiencysnapshot")
        found = cur.fetchone()
    conn.close()
    return bool(found and found[0])


def _sessions(database_url: str) -> dict[str, str]:
    env = _env(database_url)
    out = subprocess.run(
        [sys.executable, "-c", SESSIONS_SCRIPT],
        check=True,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    ).stdout
    return dict(json.loads(out.strip().splitlines()[-1]))


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    port: int
    log: Path

    def timeouts(self) -> int:
        return self.log.read_text(errors="replace").count("WORKER TIMEOUT")

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def _start(database_url: str, log: Path) -> Server:
    port = _free_port()
    handle = log.open("wb")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "salesops.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(WORKERS),
            "--timeout",
            str(TIMEOUT),
        ],
        cwd=ROOT,
        env=_env(database_url),
        stdout=handle,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return Server(process, port, log)
        except OSError:
            time.sleep(0.5)
    process.kill()
    raise RuntimeError(f"gunicorn did not answer on {port}: see {log}")


@dataclass
class Level:
    users: int
    seconds: float
    times: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    @property
    def requests(self) -> int:
        return sum(len(t) for t in self.times.values()) + sum(self.errors.values())


def _user(
    number: int, port: int, sessions: dict[str, str], stop_at: float, level: Level, lock: Any
) -> None:
    conn = HTTPConnection("127.0.0.1", port, timeout=TIMEOUT + 30)
    i = number
    while time.monotonic() < stop_at:
        label, login, path = MIX[i % len(MIX)]
        i += 1
        headers = {
            "Cookie": f"sessionid={sessions[login]}",
            "X-Forwarded-Proto": "https",
            "Host": "127.0.0.1",
        }
        start = time.perf_counter()
        try:
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
            ok = response.status == 200
        except (OSError, ValueError):
            ok = False
            conn.close()
            conn = HTTPConnection("127.0.0.1", port, timeout=TIMEOUT + 30)
        elapsed = time.perf_counter() - start
        with lock:
            if ok:
                level.times[label].append(elapsed)
            else:
                level.errors[label] += 1
    conn.close()


def _drive(port: int, sessions: dict[str, str], users: int, seconds: float) -> Level:
    level = Level(users, seconds)
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds
    threads = [
        threading.Thread(target=_user, args=(n, port, sessions, stop_at, level, lock))
        for n in range(users)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return level


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _summary(level: Level, timeouts: int) -> dict[str, Any]:
    everything = [t for times in level.times.values() for t in times]
    pages = {
        label: {
            "n": len(times),
            "errors": level.errors.get(label, 0),
            "p50_ms": round(_pct(times, 0.50) * 1000, 1),
            "p95_ms": round(_pct(times, 0.95) * 1000, 1),
            "p99_ms": round(_pct(times, 0.99) * 1000, 1),
        }
        for label, times in sorted(level.times.items())
    }
    for label, errors in level.errors.items():
        pages.setdefault(label, {"n": 0, "errors": errors})
    return {
        "users": level.users,
        "seconds": level.seconds,
        "requests": level.requests,
        "throughput_rps": round(len(everything) / level.seconds, 1),
        "errors": sum(level.errors.values()),
        "p50_ms": round(_pct(everything, 0.50) * 1000, 1),
        "p95_ms": round(_pct(everything, 0.95) * 1000, 1),
        "p99_ms": round(_pct(everything, 0.99) * 1000, 1),
        "mean_ms": round(statistics.fmean(everything) * 1000, 1) if everything else None,
        "worker_timeouts": timeouts,
        "pages": pages,
    }


def _load(ctx: BenchContext, scale: str, database_url: str) -> list[dict[str, Any]]:
    sessions = _sessions(database_url)
    log = ROOT / ".run" / f"bench-load-{scale}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    server = _start(database_url, log)
    rows = []
    try:
        _drive(server.port, sessions, 1, 3.0)  # warm every worker's caches
        for users in LEVELS:
            before = server.timeouts()
            level = _drive(server.port, sessions, users, SECONDS)
            row = _summary(level, server.timeouts() - before)
            ctx.log(
                f"{scale} demo, {users} users: {row['throughput_rps']} req/s, p50 "
                f"{row['p50_ms']} ms, p95 {row['p95_ms']} ms, p99 {row['p99_ms']} ms, "
                f"{row['errors']} errors, {row['worker_timeouts']} worker timeouts"
            )
            rows.append({"scale": scale, **row})
    finally:
        server.stop()
    return rows


def run(ctx: BenchContext) -> list[Result]:
    from django.db import connection

    from benchmarks.bench_dashboard import _ensure_snapshots

    url = os.environ["DATABASE_URL"]
    _ensure_snapshots(ctx)
    connection.close()
    scales = os.environ.get("BENCH_LOAD_SCALES", f"small,{ctx.scale}").split(",")
    table = []
    if "small" in scales:
        table += _load(ctx, "small", _seed_small(ctx, url))
    if ctx.scale in scales and ctx.scale != "small":
        table += _load(ctx, ctx.scale, url)
    results: list[Result] = []
    for row in table:
        name = f"load: {row['scale']} demo, {row['users']} users"
        results.append(
            Result(
                f"{name}, p99",
                row["p99_ms"],
                unit="ms",
                kind="info",
                note=f"{row['throughput_rps']} req/s; p50 {row['p50_ms']} ms, p95 "
                f"{row['p95_ms']} ms; {row['errors']} errors; {row['worker_timeouts']} "
                "worker timeouts",
                details=row,
            )
        )
    at25 = {row["scale"]: row for row in table if row["users"] == 25}
    if "small" in at25:
        row = at25["small"]
        results.append(
            Result(
                "load: small demo, 25 users, p99 (target < 500 ms)",
                row["p99_ms"],
                unit="ms",
                target=P99_TARGET_MS,
                note=f"{row['throughput_rps']} req/s, {row['errors']} errors",
                correct=row["errors"] == 0,
            )
        )
    if ctx.scale in at25:
        row = at25[ctx.scale]
        results.append(
            Result(
                f"load: {ctx.scale} demo, 25 users, worker timeouts (target 0)",
                float(row["worker_timeouts"]),
                unit="timeouts",
                target=0,
                note=f"{row['throughput_rps']} req/s, p99 {row['p99_ms']} ms",
            )
        )
    return results

"""A load test: gunicorn with the production settings on 127.0.0.1, driven by N concurrent users.

The bench starts gunicorn itself with the web container's own gunicorn.conf.py (workers sized to
the CPUs, 30 s timeout), DEBUG=False, JIT as configured, persistent connections as compose sets
them, against the small demo (with `--scale small` the bench database; otherwise a database of its
own, seeded here) and against the large data set the other benchmarks use, each with the night's
snapshots published. Every user is a thread with a keep-alive connection that walks a fixed mix of
personas and pages in order, starting at an offset of its number, at 1, 10, 25 and 50 concurrent
users, under two user models:

- think time (the targets): after each response the user thinks 1-5 s (uniform, seeded), as a
  Locust user with `wait_time = between(1, 5)`; users arrive spread over the first think time;
- stress (info): the same users with no think time, a closed loop (every user always has a
  request in flight), which measures saturation, not people at their desks.

Reported per level and model: throughput, per page p50/p95/p99 of the response time and errors,
the worker timeouts gunicorn logged and the requests slower than its timeout (a gthread worker is
not killed for one). Targets (issue 22): p99 < 500 ms at 25 users on the small demo; no worker
timeout at 25 users on the large one. `BENCH_LOAD_SCALES=small` runs the small demo only,
`BENCH_LOAD_REUSE_SMALL=1` keeps its database when it is seeded already. The API throttle is
raised for the run (one sales-ops login makes every API call here; a real org spreads them over
many users). docs/benchmarks.md describes the models and the server.

Sessions are created directly in the database (as Django's test client's force_login does), so
logins and their rate limits are not part of the measurement.
"""

from __future__ import annotations

import functools
import json
import os
import runpy
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from http.client import HTTPConnection
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlparse, urlunparse

from benchmarks.harness import BenchContext, Result
from benchmarks.load_users import Level, drive  # noqa: F401 - Level: tests/test_bench.py
from benchmarks.load_users import pct as _pct  # noqa: F401 - tests/test_bench.py reads it here
from benchmarks.load_users import summary as _summary

ROOT = Path(__file__).resolve().parent.parent
LEVELS = (1, 10, 25, 50)
# The user model of the targets: Locust's `wait_time = between(1, 5)`, a think time drawn
# uniformly between these seconds after every response (BENCH_LOAD_THINK="1,5").
THINK = cast(
    tuple[float, float],
    tuple(float(x) for x in os.environ.get("BENCH_LOAD_THINK", "1,5").split(",")),
)
THINK_SECONDS = float(os.environ.get("BENCH_LOAD_THINK_SECONDS", "40"))
# The stress model (info): the same users with no think time, a closed loop.
SECONDS = float(os.environ.get("BENCH_LOAD_SECONDS", "20"))
MODEL_NAMES = {"think": "think time 1-5 s", "stress": "stress, no think time"}
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
    env.setdefault("CONN_MAX_AGE", "60")  # as docker-compose.yml sets it
    return env


def _manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], check=True, cwd=ROOT, env=env)


def _seed_small(ctx: BenchContext, url: str) -> str:
    """The small demo in a database of its own, with the night's snapshots."""
    from benchmarks.run import _ensure_database

    small = _with_db(url, urlparse(url).path.lstrip("/") + "_small")
    env = _env(small)
    env["DEBUG"] = "True"  # management commands need no production secrets
    if not (os.environ.get("BENCH_LOAD_REUSE_SMALL") and _seeded(small)):
        _ensure_database(small, fresh=True)
        ctx.log("seeding the small demo for the load test")
        _manage(env, "migrate", "--noinput", "-v0")
        _manage(env, "seed_demo", "--scale", "small", "--seed", "7")
    _nightly(ctx, env)
    return small


# What the night's jobs leave for the pages (efficiency snapshots, the dashboard's deal figures,
# territory balance), written as the large set's are (benchmarks.bench_dashboard).
NIGHTLY_SCRIPT = """
import types, django
django.setup()
from benchmarks.bench_dashboard import _ensure_snapshots
_ensure_snapshots(types.SimpleNamespace(log=print))
"""


def _nightly(ctx: BenchContext, env: dict[str, str]) -> None:
    """The small demo's nightly snapshots, all of them, as production's nightly tasks leave them:
    `compute_efficiency` alone wrote no territory balance snapshot, so the dashboard computed the
    balance live per request (in a profile of the small demo, the largest panel of the manager's
    dashboard)."""
    for line in _script(NIGHTLY_SCRIPT, env).splitlines():
        ctx.log(f"small demo: {line}")


def _script(source: str, env: dict[str, str]) -> str:
    """What a Python script run in the project with `env` printed."""
    command = [sys.executable, "-c", source]
    run = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    return run.stdout.strip()


def _scalar(database_url: str, *statements: str) -> Any:
    """The first column of the last statement's first row (None when the database will not
    answer)."""
    import psycopg2

    parsed = urlparse(database_url)
    try:
        conn = psycopg2.connect(
            host=parsed.hostname,
            port=parsed.port or 5432,
            user=parsed.username,
            dbname=parsed.path.lstrip("/"),
        )
        with conn, conn.cursor() as cur:
            for statement in statements:
                cur.execute(statement)
            found = cur.fetchone()
        conn.close()
    except psycopg2.Error:
        return None
    return found[0] if found else None


def _seeded(database_url: str) -> bool:
    return bool(_scalar(database_url, "SELECT count(*) FROM salesops_efficiencysnapshot"))


def _sessions(database_url: str) -> dict[str, str]:
    out = _script(SESSIONS_SCRIPT, _env(database_url))
    return dict(json.loads(out.splitlines()[-1]))


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    port: int
    log: Path
    database_url: str = ""

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
            "--config",
            str(ROOT / "gunicorn.conf.py"),  # the web container's own settings
            "--bind",
            f"127.0.0.1:{port}",
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
                return Server(process, port, log, database_url)
        except OSError:
            time.sleep(0.5)
    process.kill()
    raise RuntimeError(f"gunicorn did not answer on {port}: see {log}")


# The users of this bench walk its mix: _drive(port, sessions, users, seconds, think=None).
_drive = functools.partial(drive, MIX)


def _gunicorn() -> dict[str, Any]:
    """The worker settings gunicorn.conf.py gives in this environment (what the bench runs)."""
    conf = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    return {k: conf[k] for k in ("worker_class", "workers", "threads", "timeout")}


# The server's checkpoints so far (PostgreSQL 17 moved the counters to pg_stat_checkpointer).
CHECKPOINTS_SQL = {
    True: "SELECT num_timed + num_requested FROM pg_stat_checkpointer",
    False: "SELECT checkpoints_timed + checkpoints_req FROM pg_stat_bgwriter",
}


def _checkpoints(database_url: str) -> int | None:
    """A checkpoint flushes every dirty buffer of the server, whoever wrote them: on a shared
    server (other jobs creating and dropping databases) it stalls every request at once, which
    the load average does not show. None when the server will not say."""
    version = _scalar(database_url, "SHOW server_version_num")
    if version is None:
        return None
    found = _scalar(database_url, CHECKPOINTS_SQL[int(version) >= 170000])
    return None if found is None else int(found)


def _levels(
    ctx: BenchContext, scale: str, server: Server, sessions: dict[str, str], limit: float
) -> list[dict[str, Any]]:
    rows = []
    for model, think, seconds in (("think", THINK, THINK_SECONDS), ("stress", None, SECONDS)):
        for users in LEVELS:
            before, busy = server.timeouts(), os.getloadavg()[0]
            checkpoints = _checkpoints(server.database_url)
            level = _drive(server.port, sessions, users, seconds, think)
            row = _summary(level, server.timeouts() - before, limit)
            # How busy the machine was (the bench's own server and users included): on a shared
            # host the other jobs' load changes every figure here.
            row["load_average"] = [round(busy, 1), round(os.getloadavg()[0], 1)]
            after = _checkpoints(server.database_url)
            row["db_checkpoints"] = (
                None if checkpoints is None or after is None else after - checkpoints
            )
            ctx.log(
                f"{scale} demo, {MODEL_NAMES[model]}, {users} users: {row['throughput_rps']} "
                f"req/s, p50 {row['p50_ms']} ms, p95 {row['p95_ms']} ms, p99 {row['p99_ms']} ms "
                f"({row['requests']} requests), {row['errors']} errors, "
                f"{row['worker_timeouts']} worker timeouts, {row['over_timeout']} requests over "
                f"{limit:g} s; load average {row['load_average']}; database checkpoints during "
                f"the level {row['db_checkpoints']}"
            )
            rows.append({"scale": scale, "model": model, "think_s": think, **row})
    return rows


def _load(ctx: BenchContext, scale: str, database_url: str) -> list[dict[str, Any]]:
    sessions = _sessions(database_url)
    log = ROOT / ".run" / f"bench-load-{scale}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    server = _start(database_url, log)
    gunicorn = _gunicorn()
    ctx.log(f"gunicorn: {gunicorn}")
    try:
        # Warm every worker and thread (imports, URLconf, template caches, connections).
        _drive(server.port, sessions, gunicorn["workers"] * gunicorn["threads"], 5.0)
        rows = _levels(ctx, scale, server, sessions, float(gunicorn["timeout"]))
    finally:
        server.stop()
    return [{**row, "gunicorn": gunicorn} for row in rows]


def _row_result(row: dict[str, Any]) -> Result:
    name = f"load: {row['scale']} demo, {MODEL_NAMES[row['model']]}, {row['users']} users, p99"
    return Result(
        name,
        row["p99_ms"],
        unit="ms",
        kind="info",
        note=f"{row['throughput_rps']} req/s; p50 {row['p50_ms']} ms, p95 {row['p95_ms']} ms; "
        f"{row['requests']} requests; {row['errors']} errors; {row['worker_timeouts']} "
        f"worker timeouts; {row['over_timeout']} requests over the timeout; machine load "
        f"average (1 min) before/after {row.get('load_average')} on {os.cpu_count()} CPUs; "
        f"database checkpoints during the level {row.get('db_checkpoints')}",
        details=row,
    )


def _targets(ctx: BenchContext, table: list[dict[str, Any]]) -> list[Result]:
    """The issue's targets, on the Locust-like user model (think time); the closed loop without
    think time stays beside them as stress info lines."""
    results: list[Result] = []
    at25 = {row["scale"]: row for row in table if row["users"] == 25 and row["model"] == "think"}
    stress = {row["scale"]: row for row in table if row["users"] == 25 and row["model"] == "stress"}
    if "small" in at25:
        row, hard = at25["small"], stress.get("small")
        results.append(
            Result(
                f"load: small demo, 25 users ({MODEL_NAMES['think']}), p99 (target < 500 ms)",
                row["p99_ms"],
                unit="ms",
                target=P99_TARGET_MS,
                note=f"{row['throughput_rps']} req/s, {row['errors']} errors"
                + (f"; without think time (stress) p99 {hard['p99_ms']} ms" if hard else ""),
                correct=row["errors"] == 0,
            )
        )
    if ctx.scale in at25 and ctx.scale != "small":
        row = at25[ctx.scale]
        hard = stress.get(ctx.scale)
        # Killed workers, and requests a sync worker's timeout would have killed (gthread's is
        # not killed for one slow request), over both user models.
        timeouts = sum(r["worker_timeouts"] + r.get("over_timeout", 0) for r in (row, hard) if r)
        results.append(
            Result(
                f"load: {ctx.scale} demo, 25 users, worker timeouts and requests over the "
                "timeout, both user models (target 0)",
                float(timeouts),
                unit="timeouts",
                target=0,
                note=f"{row['throughput_rps']} req/s, p99 {row['p99_ms']} ms with think time"
                + (f", {hard['p99_ms']} ms without" if hard else ""),
            )
        )
    return results


def run(ctx: BenchContext) -> list[Result]:
    from django.db import connection

    from benchmarks.bench_dashboard import _ensure_snapshots

    url = os.environ["DATABASE_URL"]
    _ensure_snapshots(ctx)
    connection.close()
    scales = os.environ.get("BENCH_LOAD_SCALES", f"small,{ctx.scale}").split(",")
    table = []
    if "small" in scales:
        # On `--scale small` the bench database is the small demo already (same seed).
        table += _load(ctx, "small", url if ctx.scale == "small" else _seed_small(ctx, url))
    if ctx.scale in scales and ctx.scale != "small":
        table += _load(ctx, ctx.scale, url)
    return [_row_result(row) for row in table] + _targets(ctx, table)

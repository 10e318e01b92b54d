"""gunicorn's settings for the web container (docker compose) and the load test (benchmarks/bench_load.py).

gunicorn reads this file from its working directory by itself (`./gunicorn.conf.py`); the load test
passes it explicitly, so the bench measures the server as production runs it. Every value can be
overridden from the environment (GUNICORN_*), e.g. on a larger host.

Workers: the pages are CPU-bound Python (templates, serializers) with PostgreSQL round trips in
between, on the same small host as the database. `gthread` workers (processes × threads) keep a
request that waits for the database from holding a whole process, and the process count follows
the CPUs the container may use (docs/benchmarks.md, load test, has the measurements behind it).
"""

from __future__ import annotations

import os


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _env(name: str, default: str) -> str:
    """GUNICORN_<name>, or the default when unset or empty (compose passes empty values)."""
    return os.environ.get(f"GUNICORN_{name}") or default


bind = _env("BIND", "0.0.0.0:8000")
worker_class = _env("WORKER_CLASS", "gthread")
workers = int(_env("WORKERS", str(_cpus() + 1)))
threads = int(_env("THREADS", "2"))
# A sync worker still busy after this is killed; a gthread worker is killed only when its main
# loop stops, so the load test also counts requests slower than this (docs/benchmarks.md).
timeout = int(_env("TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5
# The access log on stdout ("-"), as before; GUNICORN_ACCESS_LOG=off turns it off.
accesslog = None if _env("ACCESS_LOG", "-") == "off" else _env("ACCESS_LOG", "-")

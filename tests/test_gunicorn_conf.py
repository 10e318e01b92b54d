"""gunicorn.conf.py: one description of the web server for docker compose and the load test."""

from __future__ import annotations

import os
import runpy
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
CONF = ROOT / "gunicorn.conf.py"


def _conf(monkeypatch: pytest.MonkeyPatch, **env: str) -> dict[str, object]:
    for name in ("WORKERS", "THREADS", "WORKER_CLASS", "TIMEOUT", "BIND", "ACCESS_LOG"):
        monkeypatch.delenv(f"GUNICORN_{name}", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(CONF))


def test_defaults_follow_the_cpus_the_process_may_use(monkeypatch: pytest.MonkeyPatch) -> None:
    conf = _conf(monkeypatch)
    assert conf["worker_class"] == "gthread"
    assert conf["workers"] == len(os.sched_getaffinity(0)) + 1
    assert conf["threads"] == 2
    assert conf["timeout"] == 30
    assert conf["bind"] == "0.0.0.0:8000"
    assert conf["accesslog"] == "-"


def test_environment_overrides_and_empty_values_mean_the_default(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    conf = _conf(
        monkeypatch,
        GUNICORN_WORKERS="5",
        GUNICORN_WORKER_CLASS="sync",
        GUNICORN_THREADS="",  # what compose passes for an unset ${GUNICORN_THREADS:-}
        GUNICORN_ACCESS_LOG="off",
    )
    assert (conf["workers"], conf["worker_class"], conf["threads"]) == (5, "sync", 2)
    assert conf["accesslog"] is None


def test_compose_and_the_load_test_run_gunicorn_with_this_file() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    web = compose["services"]["web"]
    assert "--config gunicorn.conf.py" in web["command"]
    assert "--workers" not in web["command"]  # one place decides the worker count
    for name in ("GUNICORN_WORKERS", "GUNICORN_THREADS", "GUNICORN_WORKER_CLASS"):
        assert web["environment"][name] == f"${{{name}:-}}"
    assert web["environment"]["CONN_MAX_AGE"].startswith("${CONN_MAX_AGE:-")
    bench = (ROOT / "benchmarks" / "bench_load.py").read_text()
    assert '"gunicorn.conf.py"' in bench
    assert '"--workers"' not in bench

"""The fault suite: real worker processes, a real SMTP server, real brokers, and faults.

Every test here is marked `faults`. The short scenarios run in `make test`; the long ones (minutes
each, default settings against a 2 s SMTP server and the like) only with FAULTS_FULL=1, which
`make faults` sets.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.faults.smtp import SlowSMTPServer
from tests.workers import celery_worker_command

ROOT = Path(__file__).resolve().parents[2]
FULL = os.environ.get("FAULTS_FULL") == "1"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "faults: the fault suite (tests/faults, make faults)")
    config.addinivalue_line("markers", "full_only: a long fault scenario, run by make faults")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/faults/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.faults)
            if item.get_closest_marker("full_only") and not FULL:
                item.add_marker(pytest.mark.skip(reason="long fault scenario: make faults"))


def broker_app(url: str) -> Any:
    """A Celery app on another broker than the suite's, to send to and ping workers there."""
    from celery import Celery

    return Celery("faults", broker=url, backend=url, set_as_current=False)


@dataclass
class Workers:
    """Real `celery worker` processes (solo pool, one task at a time each) on their own queue."""

    queue: str
    env: dict[str, str]
    redis_url: str | None = None
    procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def start(self, name: str) -> str:
        (full,) = self.start_many([name])
        return full

    def start_many(self, names: list[str]) -> list[str]:
        """Start the workers together and wait until each answers a ping (one after another,
        each waits out the others' Django and Celery start-up on a busy machine)."""
        from salesops.celery import app

        fulls = [f"{name}-{os.getpid()}@localhost" for name in names]
        for full in fulls:
            self.procs[full] = subprocess.Popen(
                celery_worker_command(queue=self.queue, name=full),
                env=self.env,
                cwd=ROOT,
                start_new_session=True,
            )
        control = broker_app(self.redis_url) if self.redis_url else app
        waiting = set(fulls)
        deadline = time.monotonic() + 90
        while waiting and time.monotonic() < deadline:
            for reply in control.control.ping(destination=sorted(waiting), timeout=1.0) or []:
                waiting -= set(reply)
        if waiting:
            raise RuntimeError(f"workers {sorted(waiting)} did not start")
        return fulls

    def kill(self, name: str) -> None:
        """SIGKILL the worker's whole process group: nothing acknowledges or cleans up."""
        proc = self.procs.pop(name)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)

    def stop_all(self) -> None:
        for proc in self.procs.values():
            proc.terminate()
        for proc in self.procs.values():
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
        self.procs.clear()


@pytest.fixture
def smtp_server() -> Iterator[Callable[..., SlowSMTPServer]]:
    started: list[SlowSMTPServer] = []

    def start(*, delay: float) -> SlowSMTPServer:
        server = SlowSMTPServer(delay=delay).__enter__()
        started.append(server)
        return server

    yield start
    for server in started:
        server.__exit__(None, None, None)


@pytest.fixture
def workers(transactional_db: None) -> Iterator[Callable[..., Workers]]:
    """Start real worker processes against this test database (committed rows only: the test
    uses the transactional database) with tests/faults/worker_settings.py."""
    from django.db import connection

    from salesops.celery import app

    db = connection.settings_dict
    pools: list[Workers] = []
    app.conf.task_always_eager = False

    def start(
        *,
        count: int,
        queue: str,
        smtp_port: int = 25,
        settings: dict[str, Any] | None = None,
        db_port: int | None = None,
        redis_url: str | None = None,
    ) -> Workers:
        host, port = ("127.0.0.1", db_port) if db_port else (db["HOST"], db["PORT"] or 5432)
        env = {
            **os.environ,
            "DATABASE_URL": f"postgres://{db['USER']}@{host}:{port}/{db['NAME']}",
            "DJANGO_SETTINGS_MODULE": "tests.faults.worker_settings",
            "FAULTS_SMTP_PORT": str(smtp_port),
            "FAULTS_SETTINGS": json.dumps(settings or {}),
        }
        if redis_url:
            env["REDIS_URL"] = redis_url
        with app.connection_for_write(redis_url) as conn:
            conn.default_channel.queue_purge(queue)
        pool = Workers(queue=queue, env=env, redis_url=redis_url)
        pools.append(pool)
        pool.start_many([f"faults-{queue}-{i}" for i in range(count)])
        return pool

    yield start
    for pool in pools:
        pool.stop_all()

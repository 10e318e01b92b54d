"""Fixtures of the meetings tests: two real Celery workers racing, and a counting mail backend."""

from __future__ import annotations

import os
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.mail.backends.base import BaseEmailBackend

from tests.workers import celery_worker_command

SENT: list[Any] = []
_LOCK = threading.Lock()


class CountingBackend(BaseEmailBackend):
    """Records every message (thread-safe). Addresses in `fail_once` fail on their first
    attempt."""

    fail_once: set[str] = set()

    def send_messages(self, email_messages: Any) -> int:
        for message in email_messages:
            with _LOCK:
                for address in message.to:
                    if address in self.fail_once:
                        self.fail_once.discard(address)
                        raise ConnectionError(f"SMTP refused {address}")
                SENT.append(message)
        return len(email_messages)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    """The personas hash nine passwords per test; PBKDF2 makes that seconds on a busy machine."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def counting_mail(settings: Any) -> Iterator[list[Any]]:
    settings.EMAIL_BACKEND = "tests.meetings.conftest.CountingBackend"
    SENT.clear()
    CountingBackend.fail_once = set()
    yield SENT
    SENT.clear()


RACE_QUEUE = "meetings-race"


def _race_workers_idle(app: Any, names: list[str], timeout: float = 60) -> None:
    """Wait until both racers run no task (a task of the previous test may still be finishing)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        active = app.control.inspect(destination=names, timeout=1.0).active() or {}
        if len(active) == len(names) and not any(active.values()):
            return
    raise RuntimeError(f"the racing workers did not go idle: {active}")


@pytest.fixture(scope="module")
def _racing_workers(
    django_db_setup: None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Path, list[str]]]:
    """The two worker processes, started once per module (starting and stopping a pair costs
    tens of seconds on a busy 2-core machine); `two_workers` hands them to each test clean."""
    from django.db import connection

    from salesops.celery import app

    db = connection.settings_dict
    mailbox = tmp_path_factory.mktemp("race") / "mailbox.jsonl"
    mailbox.touch()
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}",
        "DJANGO_SETTINGS_MODULE": "tests.meetings.race_settings",
        "MEETINGS_TEST_MAILBOX": str(mailbox),
    }
    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge(RACE_QUEUE)
    names = [f"meetings-racer-{i}-{os.getpid()}@localhost" for i in range(2)]
    procs = [
        subprocess.Popen(
            celery_worker_command(queue=RACE_QUEUE, name=name),
            env=env,
            cwd=Path(__file__).resolve().parents[2],
        )
        for name in names
    ]
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            replies = app.control.ping(destination=names, timeout=1.0) or []
            if len(replies) == 2:
                break
        else:
            raise RuntimeError("the two racing workers did not start")
        yield mailbox, names
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()


@pytest.fixture
def two_workers(transactional_db: None, _racing_workers: tuple[Path, list[str]]) -> Iterator[Path]:
    """Two real Celery worker processes (`celery -A salesops worker --pool solo`) on the real
    Redis, against this test database, consuming their own queue. Yields the mailbox file their
    email backend (tests.meetings.mailbox) appends to, empty at the start of the test."""
    from salesops.celery import app

    mailbox, names = _racing_workers
    app.conf.task_always_eager = False
    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge(RACE_QUEUE)
    _race_workers_idle(app, names)
    mailbox.write_text("")
    mailbox.with_suffix(".senders").write_text("")
    yield mailbox
    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge(RACE_QUEUE)
    _race_workers_idle(app, names)  # nothing of this test runs on into the next one

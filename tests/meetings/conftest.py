"""Fixtures of the meetings tests: two real Celery workers racing, and a counting mail backend."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack
from typing import Any

import pytest
from django.core.mail.backends.base import BaseEmailBackend

SENT: list[Any] = []
_LOCK = threading.Lock()


class SlowCountingBackend(BaseEmailBackend):
    """Records every message (thread-safe) and takes a little while, so racing workers overlap.
    Addresses listed in FAIL_ONCE fail on their first attempt."""

    fail_once: set[str] = set()

    def send_messages(self, email_messages: Any) -> int:
        for message in email_messages:
            time.sleep(0.03)
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
    settings.EMAIL_BACKEND = "tests.meetings.conftest.SlowCountingBackend"
    SENT.clear()
    SlowCountingBackend.fail_once = set()
    yield SENT
    SENT.clear()


@pytest.fixture
def two_workers(transactional_db: None) -> Iterator[list[Any]]:
    """Two real Celery workers (threads of this process, each its own DB connection) consuming
    the real Redis broker at the same time."""
    from celery.contrib.testing.worker import start_worker

    from salesops.celery import app

    app.conf.task_always_eager = False
    app.control.purge()
    with ExitStack() as stack:
        workers = [
            stack.enter_context(
                start_worker(
                    app,
                    pool="solo",
                    concurrency=1,
                    perform_ping_check=False,
                    loglevel="WARNING",
                    shutdown_timeout=30,
                    hostname=f"meetings-racer-{i}@localhost",
                )
            )
            for i in range(2)
        ]
        yield workers

"""The command line of a real `celery worker` process that a test starts (tests/faults,
tests/meetings): solo pool, one task at a time, its own queue and node name, no gossip or mingle
(nothing to wait for at start-up)."""

from __future__ import annotations

import sys


def celery_worker_command(*, queue: str, name: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "salesops",
        "worker",
        "--pool",
        "solo",
        "--concurrency",
        "1",
        "-Q",
        queue,
        "-n",
        name,
        "--without-gossip",
        "--without-mingle",
        "--loglevel",
        "WARNING",
    ]

"""The users of the load test (benchmarks/bench_load.py): threads on keep-alive connections that
walk a fixed mix of pages, with or without a think time, and the percentiles of what they saw.

A user with a think time waits a uniform draw from (low, high) seconds after every response (as a
Locust user with `wait_time = between(low, high)`), and arrives spread over the first one; without
one it sends its next request as soon as the last one answered (a closed loop, the stress model).
"""

from __future__ import annotations

import random
import statistics
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from http.client import HTTPConnection, RemoteDisconnected
from typing import Any

# (page label, login, path), walked in order by every user from an offset of its number.
Mix = tuple[tuple[str, str, str], ...]
TIMEOUT = 60  # the client's patience: beyond gunicorn's own 30 s timeout


@dataclass
class Level:
    users: int
    seconds: float
    think: tuple[float, float] | None = None
    times: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    @property
    def requests(self) -> int:
        return sum(len(t) for t in self.times.values()) + sum(self.errors.values())


class Browser:
    """One user's keep-alive connection. A connection the server closed while the user was
    thinking (gunicorn's keep-alive timeout) is reopened and the request sent again once, as
    browsers and Locust's HTTP client do; any other failure is an error."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.conn = self._open()
        self.used = False

    def _open(self) -> HTTPConnection:
        self.used = False
        return HTTPConnection("127.0.0.1", self.port, timeout=TIMEOUT)

    def get(self, path: str, headers: dict[str, str]) -> bool:
        try:
            return self._get(path, headers)
        except (RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            if not self.used:
                raise
            self.conn.close()
            self.conn = self._open()
            return self._get(path, headers)

    def _get(self, path: str, headers: dict[str, str]) -> bool:
        self.conn.request("GET", path, headers=headers)
        response = self.conn.getresponse()
        response.read()
        self.used = not response.will_close
        if response.will_close:
            self.conn.close()
            self.conn = self._open()
        return response.status == 200

    def close(self) -> None:
        self.conn.close()


def _user(
    mix: Mix,
    number: int,
    port: int,
    sessions: dict[str, str],
    stop_at: float,
    level: Level,
    lock: Any,
) -> None:
    browser = Browser(port)
    rng = random.Random(number)  # the same think times on every run
    i = number
    if level.think is not None:  # users arrive spread over one think time, as Locust spawns them
        _pause(rng.uniform(0, level.think[1]), stop_at)
    while time.monotonic() < stop_at:
        label, login, path = mix[i % len(mix)]
        i += 1
        headers = {
            "Cookie": f"sessionid={sessions[login]}",
            "X-Forwarded-Proto": "https",
            "Host": "127.0.0.1",
        }
        start = time.perf_counter()
        try:
            ok = browser.get(path, headers)
        except (OSError, ValueError):
            ok = False
            browser.close()
            browser = Browser(port)
        elapsed = time.perf_counter() - start
        with lock:
            if ok:
                level.times[label].append(elapsed)
            else:
                level.errors[label] += 1
        if level.think is not None:
            _pause(rng.uniform(*level.think), stop_at)
    browser.close()


def _pause(seconds: float, stop_at: float) -> None:
    time.sleep(max(0.0, min(seconds, stop_at - time.monotonic())))


def drive(
    mix: Mix,
    port: int,
    sessions: dict[str, str],
    users: int,
    seconds: float,
    think: tuple[float, float] | None = None,
) -> Level:
    level = Level(users, seconds, think)
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds
    threads = [
        threading.Thread(target=_user, args=(mix, n, port, sessions, stop_at, level, lock))
        for n in range(users)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return level


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def summary(level: Level, timeouts: int, limit: float = 30.0) -> dict[str, Any]:
    everything = [t for times in level.times.values() for t in times]
    pages = {
        label: {
            "n": len(times),
            "errors": level.errors.get(label, 0),
            "p50_ms": round(pct(times, 0.50) * 1000, 1),
            "p95_ms": round(pct(times, 0.95) * 1000, 1),
            "p99_ms": round(pct(times, 0.99) * 1000, 1),
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
        "p50_ms": round(pct(everything, 0.50) * 1000, 1),
        "p95_ms": round(pct(everything, 0.95) * 1000, 1),
        "p99_ms": round(pct(everything, 0.99) * 1000, 1),
        "mean_ms": round(statistics.fmean(everything) * 1000, 1) if everything else None,
        "worker_timeouts": timeouts,
        # gthread workers are not killed for one slow request: count what a sync worker's timeout
        # would have killed, so "no worker timeout" means the same under either worker class.
        "over_timeout": sum(t > limit for t in everything),
        "pages": pages,
    }

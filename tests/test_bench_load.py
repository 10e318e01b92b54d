"""The load test's user models (benchmarks/bench_load.py), against a tiny local HTTP server: users
with a think time send what a person at a desk would, the stress users as fast as answers come,
and a keep-alive connection the server closed while the user was thinking is not an error."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from benchmarks import bench_load, readme
from benchmarks.harness import BenchContext

SESSIONS = {"ops": "s-ops", "manager": "s-manager", "rep": "s-rep"}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    drop_idle = False  # close every connection after one answer, without saying so

    def do_GET(self) -> None:
        body = b"ok"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        if self.drop_idle:
            self.close_connection = True

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[ThreadingHTTPServer]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()
    _Handler.drop_idle = False


def test_think_time_users_pace_themselves_stress_users_do_not(
    server: ThreadingHTTPServer,
) -> None:
    port = server.server_address[1]
    thinking = bench_load._drive(port, SESSIONS, users=2, seconds=1.0, think=(0.2, 0.3))
    stress = bench_load._drive(port, SESSIONS, users=2, seconds=1.0)
    # Each thinking user: arrives within 0.3 s, then one request per 0.2-0.3 s of thinking.
    assert 2 <= thinking.requests <= 2 * 6
    assert thinking.think == (0.2, 0.3)
    assert stress.requests > 5 * thinking.requests
    assert sum(thinking.errors.values()) == sum(stress.errors.values()) == 0
    assert set(stress.times) == {label for label, _login, _path in bench_load.MIX}


def test_a_connection_closed_while_thinking_is_reopened_not_an_error(
    server: ThreadingHTTPServer,
) -> None:
    _Handler.drop_idle = True  # as gunicorn's keep-alive timeout does to an idle user
    level = bench_load._drive(
        server.server_address[1], SESSIONS, users=1, seconds=0.6, think=(0.05, 0.1)
    )
    assert level.requests >= 3
    assert sum(level.errors.values()) == 0


def _row(model: str, users: int, p99: float, timeouts: int = 0) -> dict[str, object]:
    return {
        "scale": "small",
        "model": model,
        "users": users,
        "think_s": (1.0, 5.0) if model == "think" else None,
        "throughput_rps": 8.0,
        "requests": 320,
        "errors": 0,
        "p50_ms": 100.0,
        "p95_ms": 300.0,
        "p99_ms": p99,
        "worker_timeouts": timeouts,
        "over_timeout": 0,
        "load_average": [1.5, 2.0],
    }


def test_the_target_is_judged_on_the_think_time_users_and_names_the_stress_figure() -> None:
    table = [_row("think", 25, 450.0), _row("stress", 25, 3500.0), _row("think", 10, 200.0)]
    ctx = BenchContext(scale="small", log=lambda _msg: None)
    [target] = bench_load._targets(ctx, table)
    assert target.value == 450.0 and target.target == 500.0 and target.passed is True
    assert "think time 1-5 s" in target.name
    assert "stress" in target.note and "3500.0 ms" in target.note
    infos = [bench_load._row_result(row) for row in table]
    assert all(r.kind == "info" and r.target is None for r in infos)
    assert infos[1].name == "load: small demo, stress, no think time, 25 users, p99"


def test_large_demo_timeouts_count_both_user_models_and_requests_over_the_timeout() -> None:
    table = [
        {**_row("think", 25, 900.0), "scale": "large", "over_timeout": 1},
        {**_row("stress", 25, 9000.0, timeouts=2), "scale": "large"},
    ]
    ctx = BenchContext(scale="large", log=lambda _msg: None)
    [target] = bench_load._targets(ctx, table)
    assert target.value == 3.0 and target.passed is False


def test_requests_slower_than_the_timeout_are_counted() -> None:
    level = bench_load.Level(users=1, seconds=60.0)
    level.times["meetings"] = [0.1, 29.0, 31.0, 45.0]
    assert bench_load._summary(level, timeouts=0, limit=30.0)["over_timeout"] == 2


def test_readme_load_table_says_which_user_model_each_row_is() -> None:
    payload = {
        "results": [
            {"details": {"module": "bench_load", **_row("think", 25, 450.0)}},
            {"details": {"module": "bench_load", **_row("stress", 25, 3500.0)}},
        ]
    }
    text = readme.load_table(payload)
    assert (
        "| small | think time 1-5 s | 25 | 8.0 | 100.0 ms | 300.0 ms | 450.0 ms | 0 | 0 (0) | "
        "1.5/2.0 |" in text
    )
    assert "| small | stress, no think time | 25 |" in text

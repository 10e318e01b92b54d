"""The production description stays complete and in step with the settings."""

import re
import shutil
import subprocess
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def test_compose_describes_web_worker_beat_postgres_redis_with_healthchecks():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert set(services) == {"web", "worker", "beat", "postgres", "redis"}
    assert "gunicorn" in services["web"]["command"]
    assert "worker" in services["worker"]["command"]
    assert "beat" in services["beat"]["command"]
    # The same servers and major versions as the embedded ones (salesops/devservers.py).
    assert services["postgres"]["image"] == "postgres:18"
    assert services["redis"]["image"] == "valkey/valkey:8"
    for name in ("web", "worker", "postgres", "redis"):
        assert "healthcheck" in services[name], name
    assert "pgdata" in compose["volumes"]
    # Shared settings through the YAML anchor: every app service gets the same environment.
    envs = [services[n]["environment"] for n in ("web", "worker", "beat")]
    assert envs[0] == envs[1] == envs[2]
    assert envs[0]["REDIS_URL"].startswith("redis://redis")


def test_compose_file_validates_when_a_compose_tool_is_installed(tmp_path):
    tool = shutil.which("docker-compose")
    if tool is None:
        return  # the structural test above still covers the file
    result = subprocess.run(
        [tool, "-f", str(ROOT / "docker-compose.yml"), "config", "-q"],
        env={"SECRET_KEY": "x", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr


def test_every_environment_variable_is_documented():
    settings_src = (ROOT / "salesops" / "settings.py").read_text()
    read = set(re.findall(r'env\.\w+\(\s*"([A-Z_]+)"', settings_src))
    read |= set(re.findall(r'os\.environ\.get\(\s*"([A-Z_]+)"', settings_src))
    example = (ROOT / ".env.example").read_text()
    readme = (ROOT / "README.md").read_text()
    for name in sorted(read):
        assert re.search(rf"^{name}=", example, re.M), f"{name} missing from .env.example"
        assert f"`{name}`" in readme, f"{name} missing from the README table"

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _check(env_overrides: dict[str, str]) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "ALLOWED_HOSTS")}
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"DEBUG": "False", "ALLOWED_HOSTS": "example.com"}, "SECRET_KEY must be set"),
        ({"DEBUG": "False", "SECRET_KEY": "s3cret-" * 8}, "ALLOWED_HOSTS must be set"),
    ],
)
def test_production_mode_refuses_to_start_without_secret_or_hosts(overrides, message):
    result = _check(overrides)
    assert result.returncode != 0
    assert message in result.stderr


def test_production_mode_starts_with_secret_and_hosts():
    result = _check({"DEBUG": "False", "SECRET_KEY": "s3cret-" * 8, "ALLOWED_HOSTS": "example.com"})
    assert result.returncode == 0, result.stderr

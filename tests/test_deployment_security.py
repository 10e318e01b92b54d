"""Issue 20, item 8: the production settings pass `check --deploy`, pages carry a
Content-Security-Policy without inline script, the API schema and docs need a login, and DEBUG
is off unless asked for."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]


def _production_env() -> dict[str, str]:
    """The environment docker compose gives the app, with its ${VAR:-default} defaults."""
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DEBUG"))}
    for name, value in compose["services"]["web"]["environment"].items():
        value = str(value)
        match = re.fullmatch(r"\$\{(\w+)(?::-([^}]*)|:\?[^}]*)\}", value)
        if match:
            value = match.group(2) or ""
        env[name] = value
    env["SECRET_KEY"] = secrets.token_urlsafe(50)
    env["DATABASE_URL"] = os.environ.get("TEST_DATABASE_URL", "postgres://x@127.0.0.1:1/x")
    env["REDIS_URL"] = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:1/0")
    env["DJANGO_SETTINGS_MODULE"] = "salesops.settings"
    return env


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_is_clean_with_the_production_settings_of_docker_compose():
    result = _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], _production_env())
    assert result.returncode == 0, result.stdout + result.stderr


def test_debug_is_off_unless_the_environment_turns_it_on():
    env = _production_env()
    env.pop("DEBUG")
    code = "import django; django.setup(); from django.conf import settings as s; print(s.DEBUG)"
    result = _run(["-c", code], env)
    assert result.stdout.strip() == "False", result.stderr
    assert 'DEBUG="${DEBUG:-True}"' in (ROOT / "scripts/run.sh").read_text()


def test_production_settings_redirect_to_https_with_hsts_behind_the_proxy():
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS > 0, s.SESSION_COOKIE_SECURE, "
        "s.CSRF_COOKIE_SECURE, s.SECURE_PROXY_SSL_HEADER)"
    )
    result = _run(["-c", code], _production_env())
    assert result.stdout.split() == [
        "True",
        "True",
        "True",
        "True",
        "('HTTP_X_FORWARDED_PROTO',",
        "'https')",
    ], result.stderr


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)


def test_no_template_has_an_inline_script_or_event_handler():
    offenders = []
    for path in (ROOT / "templates").rglob("*.html"):
        text = path.read_text()
        if INLINE_SCRIPT.search(text) or INLINE_HANDLER.search(text):
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


@pytest.mark.django_db
def test_pages_carry_a_content_security_policy_without_inline_script(personas, client_for):
    client = client_for(personas.rep_a1)
    for url in ("/", "/meetings/", "/meetings/calendar/", "/api/docs/"):
        response = client.get(url)
        assert response.status_code == 200, url
        policy = response.get("Content-Security-Policy", "")
        script_src = re.search(r"script-src ([^;]*)", policy)
        assert script_src, (url, policy)
        assert "unsafe-inline" not in script_src.group(1) and "unsafe-eval" not in policy
        assert "frame-ancestors 'none'" in policy
        html = response.content.decode()
        assert not INLINE_SCRIPT.search(html), url


@pytest.mark.django_db
def test_the_api_schema_and_docs_need_a_login(personas, client, client_for):
    assert client.get("/api/schema/").status_code in (401, 403)
    for url in ("/api/docs/", "/api/redoc/"):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    signed_in = client_for(personas.rep_a1)
    assert signed_in.get("/api/schema/").status_code == 200
    assert signed_in.get("/api/docs/").status_code == 200

"""Issue 20, item 5: brute force, floods, immortal tokens and huge uploads are limited."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from salesops.models import ImportRun
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_throttles() -> Any:
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def test_the_login_page_locks_a_user_out_after_repeated_failures(personas):
    client = Client()
    for _ in range(6):
        client.post("/accounts/login/", {"username": "rep_a1", "password": "wrong"})
    response = client.post("/accounts/login/", {"username": "rep_a1", "password": PASSWORD})
    assert "_auth_user_id" not in client.session
    assert response.status_code in (403, 429)


def test_the_token_endpoint_locks_a_user_out_after_repeated_failures(personas):
    client = APIClient()
    for _ in range(6):
        client.post("/api/v1/auth/token/", {"username": "rep_b1", "password": "wrong"})
    response = client.post("/api/v1/auth/token/", {"username": "rep_b1", "password": PASSWORD})
    assert response.status_code != 200
    assert not Token.objects.filter(user=personas.rep_b1).exists()


def test_the_right_password_works_before_the_limit(personas):
    client = APIClient()
    client.post("/api/v1/auth/token/", {"username": "rep_a2", "password": "wrong"})
    response = client.post("/api/v1/auth/token/", {"username": "rep_a2", "password": PASSWORD})
    assert response.status_code == 200 and response.json()["token"]


def test_api_calls_are_throttled_per_user_and_per_anonymous_ip(personas, monkeypatch):
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "user", "5/minute")
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "anon", "3/minute")
    client = APIClient()
    client.force_authenticate(personas.rep_a1)
    codes = [client.get("/api/v1/people/").status_code for _ in range(7)]
    assert codes[:5] == [200] * 5 and codes[-1] == 429
    anon = APIClient()  # the token endpoint is the one an anonymous caller reaches
    codes = [
        anon.post("/api/v1/auth/token/", {"username": f"nobody{i}", "password": "x"}).status_code
        for i in range(5)
    ]
    assert codes[:3] == [400] * 3 and codes[-1] == 429


def test_an_expired_token_is_refused_and_a_new_one_can_be_had_or_rotated(personas, settings):
    settings.API_TOKEN_TTL_HOURS = 1
    token = Token.objects.create(user=personas.rep_a1)
    Token.objects.filter(pk=token.pk).update(created=timezone.now() - dt.timedelta(hours=2))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert client.get("/api/v1/people/").status_code in (401, 403)

    fresh = APIClient().post("/api/v1/auth/token/", {"username": "rep_a1", "password": PASSWORD})
    assert fresh.status_code == 200
    new_key = fresh.json()["token"]
    assert new_key != token.key and fresh.json()["expires"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {new_key}")
    assert client.get("/api/v1/people/").status_code == 200

    rotated = client.post("/api/v1/auth/token/rotate/")
    assert rotated.status_code == 200 and rotated.json()["token"] != new_key
    assert client.get("/api/v1/people/").status_code in (401, 403)
    client.credentials(HTTP_AUTHORIZATION=f"Token {rotated.json()['token']}")
    assert client.get("/api/v1/people/").status_code == 200


def test_an_import_above_the_upload_limit_is_refused_with_a_clear_error(
    personas, api_client_for, settings
):
    settings.IMPORT_MAX_UPLOAD_BYTES = 1024
    big = SimpleUploadedFile("accounts.csv", b"name,sector\n" + b"Acme,Tech\n" * 200)
    response = api_client_for(personas.sales_ops).post(
        "/api/v1/imports/", {"accounts": big}, format="multipart"
    )
    assert response.status_code == 400
    assert "IMPORT_MAX_UPLOAD_BYTES" in response.content.decode()
    assert not ImportRun.objects.exists()


def test_request_bodies_are_bounded(settings):
    from django.conf import settings as live

    assert live.DATA_UPLOAD_MAX_MEMORY_SIZE <= 10 * 1024 * 1024
    assert live.IMPORT_MAX_UPLOAD_BYTES <= 50 * 1024 * 1024

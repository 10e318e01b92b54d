"""Fixtures of the compensation tests."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    # The personas are created with real passwords; PBKDF2 on a shared 2-core box takes seconds
    # per persona. These tests never check password strength.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

"""Who changed an input to pay: the request's user, else "system" (tasks, imports, commands).

The inputs to pay (deals, splits, the cost ledger, people's hourly cost) keep django-simple-history
rows; their `get_user` is `request_user_or_system`, so a write outside a request is never
anonymous. Bulk writers pass `acting_user()` once as the default user of their history rows."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from simple_history.models import HistoricalRecords

SYSTEM_USERNAME = "system"


def system_user() -> Any:
    """The inactive user that background work is recorded as (created on first use)."""
    user, _ = get_user_model().objects.get_or_create(
        username=SYSTEM_USERNAME,
        defaults={"is_active": False, "password": make_password(None)},
    )
    return user


def request_user_or_system(request: Any = None, **kwargs: Any) -> Any:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return user
    return system_user()


def request_user() -> Any:
    """The signed-in user of the current request, or None (tasks, imports, commands)."""
    user = getattr(getattr(HistoricalRecords.context, "request", None), "user", None)
    return user if user is not None and user.is_authenticated else None


def acting_user(user: Any = None) -> Any:
    """`user` when given and signed in, else the current request's user, else "system"."""
    if user is not None and user.is_authenticated:
        return user
    request = getattr(HistoricalRecords.context, "request", None)
    return request_user_or_system(request)

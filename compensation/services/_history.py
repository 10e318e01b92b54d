"""Saving with the acting user in the audit history, also outside a request (tasks, commands)."""

from __future__ import annotations

from typing import Any

from django.db import models

from salesops.selectors.scope import AnyUser


def history_user(user: AnyUser | None) -> Any:
    return user if user is not None and user.is_authenticated else None


def save_with_user(obj: models.Model, *, user: AnyUser | None, **kwargs: Any) -> None:
    """Save `obj`, recording `user` on its history row (the request middleware does this for
    web requests; services called from tasks pass the user explicitly or None)."""
    acting = history_user(user)
    if acting is not None:
        obj._history_user = acting  # type: ignore[attr-defined]
    obj.save(**kwargs)

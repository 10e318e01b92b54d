"""Small helpers the core write services share."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models

M = TypeVar("M", bound=models.Model)
Errors = dict[str, list[str]]


def name_taken(model: type[models.Model], name: str, *, exclude_pk: int | None = None) -> bool:
    """Names of teams, people, accounts and products are unique ignoring case."""
    qs = model._default_manager.filter(name__iexact=name.strip())
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    return qs.exists()


def model_apply(
    *,
    instance: M,
    data: Mapping[str, Any],
    allowed: Iterable[str],
    rules: Callable[[M], Mapping[str, str]] | None = None,
) -> list[str]:
    """Set fields on `instance` and validate it (field validators plus `rules`, the domain checks
    that give the database constraints readable messages). Returns the names that changed.

    A field outside `allowed` is a ValidationError naming it, so no caller can slip an unexpected
    column through a service. Nothing is saved here."""
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        raise ValidationError({name: "This field cannot be set here." for name in unknown})
    changed: list[str] = []
    for field, value in data.items():
        if getattr(instance, field) != value:
            setattr(instance, field, value)
            changed.append(field)
    errors: Errors = {}
    try:
        instance.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if rules is not None and not errors:
        for field, message in rules(instance).items():
            errors.setdefault(field, []).append(message)
    if errors:
        raise ValidationError(errors)
    return changed

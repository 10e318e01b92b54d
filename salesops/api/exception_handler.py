"""One exception handler, one error format for every API view.

- Domain and model validation errors become 400 with field messages, like DRF's own.
- A reference to an object the caller may not see is a **404**, like the object itself (issue 20:
  refusals are 403/404, never 400): a body field whose error has the code `does_not_exist` (DRF's
  `PrimaryKeyRelatedField` over a scoped queryset, so an invisible id and an absent one look the
  same) or `not_found` (a `ValidationError(..., code="not_found")` of ours) is a 404 with the
  same field messages, when it is the only thing wrong. With malformed input beside it, the
  answer stays a 400 listing every field (the unknown reference reads the same either way).
- Django's `PermissionDenied` is a 403 and `Http404` a 404 (DRF's defaults).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from salesops.exceptions import ApplicationError

NOT_FOUND_CODES = frozenset({"does_not_exist", "not_found"})


def _all_not_found(codes: Any) -> bool:
    """Whether every error code in a (nested) validation error names an unknown object."""
    if isinstance(codes, dict):
        return bool(codes) and all(_all_not_found(c) for c in codes.values())
    if isinstance(codes, list):  # a list serializer has {} for each valid item
        errors = [c for c in codes if c != {}]
        return bool(errors) and all(_all_not_found(c) for c in errors)
    return codes in NOT_FOUND_CODES


def _as_not_found(exc: exceptions.ValidationError) -> exceptions.NotFound | None:
    """A validation error made only of unknown references, as a 404; None otherwise."""
    return exceptions.NotFound(exc.detail) if _all_not_found(exc.get_codes()) else None


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            exc = exceptions.ValidationError(exc.message_dict)
        else:
            exc = exceptions.ValidationError({"non_field_errors": exc.messages})
    elif isinstance(exc, ApplicationError):
        detail: dict[str, Any] = {"non_field_errors": [exc.message]}
        detail.update(exc.extra)
        exc = exceptions.ValidationError(detail)
    if isinstance(exc, exceptions.ValidationError):
        exc = _as_not_found(exc) or exc
    return drf_exception_handler(exc, context)

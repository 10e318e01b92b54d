"""One exception handler: domain and model validation errors become 400 with field messages."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from salesops.exceptions import ApplicationError


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
    return drf_exception_handler(exc, context)

"""The one base of every API view: who may call it, how ids, pages and errors look.

- **Permissions**: authenticated members of the sales org (`InSalesOrg`); a view narrows it
  (`ReadScopedWriteSalesOps`, `IsSalesOpsOrAdmin`), never widens it without saying why.
- **Scoping**: `get_queryset()` is a selector scoped to the caller, so an object outside their scope
  is a 404 (never a 403 that confirms it exists).
- **Ids**: numeric only (`lookup_value_regex`): `/meetings/abc/` is a 404, never a 500 from `int()`.
- **Pagination**: page numbers, `?page_size=` up to 500 (`CorePagination`).
- **Errors**: `salesops.api.exception_handler` (settings) maps `ApplicationError` and Django's
  `ValidationError` to 400 with field messages, like DRF's own; a body id the caller may not see
  (or that exists nowhere) is a 404 like the object, a refused action a 403, never a 400.

`tests/salesops/test_api_base.py` checks that every routed view derives from these.
"""

from __future__ import annotations

from typing import Any

from rest_framework import mixins, viewsets
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import IsAuthenticated
from rest_framework.views import APIView

from salesops.permissions import InSalesOrg


class CorePagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 500


class ScopedViewSet(viewsets.GenericViewSet[Any]):
    """Base of every viewset (add DRF's mixins for the actions it offers)."""

    permission_classes = [IsAuthenticated, InSalesOrg]
    pagination_class = CorePagination
    lookup_value_regex = r"\d+"


class ScopedReadOnlyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """List and retrieve through the scoped queryset."""


class ScopedAPIView(APIView):
    """Base of every non-viewset API view (reports, actions across objects)."""

    permission_classes = [IsAuthenticated, InSalesOrg]

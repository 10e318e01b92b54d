"""DRF permission classes built on the scope rules in salesops.selectors.scope."""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request

from salesops.selectors.scope import person_for_user, sees_everything


class IsSalesOpsOrAdmin(BasePermission):
    message = "Only sales operations and admins may do this."

    def has_permission(self, request: Request, view: Any) -> bool:
        return sees_everything(request.user)


class ReadScopedWriteSalesOps(BasePermission):
    """Anyone in the org reads (querysets are scoped); only sales ops and admins write."""

    message = "Only sales operations and admins may change this."

    def has_permission(self, request: Request, view: Any) -> bool:
        if not request.user.is_authenticated:
            return False
        if request.method in SAFE_METHODS:
            return True
        return sees_everything(request.user)


class InSalesOrg(BasePermission):
    """The caller is sales ops/admin, or an active person of the sales org."""

    def has_permission(self, request: Request, view: Any) -> bool:
        if sees_everything(request.user):
            return True
        person = person_for_user(request.user)
        return person is not None and person.active


class IsDealOwnerOrSalesOps(BasePermission):
    """Reads follow the scope; a deal is changed by its owner or by sales ops and admins."""

    message = "Only the deal's owner, sales operations and admins may change this deal."

    def has_object_permission(self, request: Request, view: Any, obj: Any) -> bool:
        if request.method in SAFE_METHODS or sees_everything(request.user):
            return True
        person = person_for_user(request.user)
        return person is not None and obj.owner_id == person.pk

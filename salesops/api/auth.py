"""The token endpoints (issue 20, item 5).

- `POST /api/v1/auth/token/` (username, password): the caller's token; an expired one is
  replaced. Failed attempts count towards the django-axes lockout; the endpoint is throttled
  (rate "auth").
- `POST /api/v1/auth/token/rotate/` (authenticated): the old token is deleted, a new one issued.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle, ScopedRateThrottle

from salesops.api.base import ScopedAPIView
from salesops.api.tokens import token_issue, token_ttl

TOKEN_OUTPUT = inline_serializer(
    "TokenOutput", {"token": serializers.CharField(), "expires": serializers.DateTimeField()}
)


def _body(token: Token) -> dict[str, Any]:
    return {"token": token.key, "expires": token.created + token_ttl()}


class TokenObtainView(ObtainAuthToken):
    throttle_classes = [AnonRateThrottle, ScopedRateThrottle]
    throttle_scope = "auth"

    @extend_schema(responses=TOKEN_OUTPUT, tags=["auth"])
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        token = token_issue(user=serializer.validated_data["user"])
        return Response(_body(token))


class TokenRotateView(ScopedAPIView):
    permission_classes = [IsAuthenticated]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth"

    @extend_schema(request=None, responses=TOKEN_OUTPUT, tags=["auth"])
    def post(self, request: Request) -> Response:
        return Response(_body(token_issue(user=request.user, rotate=True)))

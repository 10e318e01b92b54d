"""API tokens that expire (issue 20, item 5): a token older than API_TOKEN_TTL_HOURS is refused
(401). No views here: DRF imports this module while it loads its own views."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed


def token_ttl() -> timedelta:
    return timedelta(hours=int(getattr(settings, "API_TOKEN_TTL_HOURS", 168)))


def token_expired(token: Token) -> bool:
    return token.created < timezone.now() - token_ttl()


@transaction.atomic
def token_issue(*, user: Any, rotate: bool = False) -> Token:
    """The user's token: kept while valid, replaced when expired or when rotating."""
    token = Token.objects.select_for_update().filter(user=user).first()
    if token is not None and (rotate or token_expired(token)):
        token.delete()
        token = None
    if token is None:
        token = Token.objects.create(user=user)
    return token


class ExpiringTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key: str) -> tuple[Any, Token]:
        user, token = super().authenticate_credentials(key)
        if token_expired(token):
            raise AuthenticationFailed("Token expired: request a new one at /api/v1/auth/token/.")
        return user, token

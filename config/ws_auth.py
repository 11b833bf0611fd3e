"""Websocket authentication: a JWT access token from the `Authorization` header.

Tokens never travel in the URL (they would end up in proxy logs). Clients that cannot set
headers on the handshake (browsers) send `{"type": "auth", "token": ...}` as their first frame
instead; consumers call `user_for_token()` for that.
"""

from channels.db import database_sync_to_async
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import AccessToken


@database_sync_to_async
def _active_user(user_id):
    User = get_user_model()
    try:
        return User.objects.get(**{api_settings.USER_ID_FIELD: user_id}, is_active=True)
    except (User.DoesNotExist, ValueError, ValidationError):  # ValidationError: not a UUID
        return None


async def user_for_token(raw_token: str):
    """The active user an access token belongs to, or None for any bad or expired token."""
    if not isinstance(raw_token, str) or not raw_token:
        return None
    try:
        token = AccessToken(raw_token)
    except TokenError:
        return None
    user_id = token.get(api_settings.USER_ID_CLAIM)
    if user_id is None:
        return None
    return await _active_user(user_id)


def _bearer_token(scope) -> str | None:
    for name, value in scope.get("headers", []):
        if name == b"authorization":
            parts = value.decode("latin-1").split()
            if len(parts) == 2 and parts[0].lower() == "bearer":
                return parts[1]
            return ""
    return None


class JWTAuthMiddleware:
    """Sets `scope["user"]` (AnonymousUser when absent or bad) and `scope["auth_header"]`:
    None when no Authorization header was sent, "valid" or "invalid" otherwise, so the consumer
    can close a socket that presented a bad token at once with 4001."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        scope = dict(scope)
        token = _bearer_token(scope)
        user = await user_for_token(token) if token else None
        scope["user"] = user or AnonymousUser()
        scope["auth_header"] = None if token is None else ("valid" if user else "invalid")
        return await self.app(scope, receive, send)

"""Websocket authentication: a JWT access token from the `Authorization` header.

Tokens never travel in the URL (they would end up in proxy logs). Clients that cannot set
headers on the handshake (browsers) send `{"type": "auth", "token": ...}` as their first frame
instead; consumers call `authenticate_token()` for that, and again for the `auth` frames that
extend an open socket's session past its token's expiry (docs/websocket.md).

The socket follows the session: a token of an older generation than the user's (issued before
a password change, "log out everywhere" or a deactivation; accounts/sessions.py) is refused,
and a revocation closes open sockets through the channel layer (config/realtime.end_sessions).
"""

from dataclasses import dataclass
from datetime import UTC, datetime

from channels.db import database_sync_to_async
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import AccessToken

# Application close codes live in 4000-4999; clients branch on this one to log in again.
CLOSE_UNAUTHENTICATED = 4001


@database_sync_to_async
def _active_user(user_id, generation: int):
    User = get_user_model()
    try:
        user = User.objects.get(**{api_settings.USER_ID_FIELD: user_id}, is_active=True)
    except (User.DoesNotExist, ValueError, ValidationError):  # ValidationError: not a UUID
        return None
    # Issued before the user's sessions were revoked (accounts/sessions.py): refused.
    if getattr(user, "token_generation", 0) != generation:
        return None
    # EMAIL_VERIFICATION_REQUIRED: an unverified account has no socket (docs/accounts.md).
    if settings.EMAIL_VERIFICATION_REQUIRED and getattr(user, "email_verified_at", 1) is None:
        return None
    return user


@dataclass(frozen=True)
class TokenAuth:
    user: object
    expires_at: datetime  # the access token's `exp`: the socket closes then (4001)


async def authenticate_token(raw_token) -> TokenAuth | None:
    """The active user an access token belongs to and when it expires, or None for any bad,
    expired or revoked token."""
    if not isinstance(raw_token, str) or not raw_token:
        return None
    try:
        token = AccessToken(raw_token)
    except TokenError:
        return None
    user_id = token.get(api_settings.USER_ID_CLAIM)
    if user_id is None:
        return None
    generation = token.get("gen", 0)  # accounts.sessions.GENERATION_CLAIM
    if not isinstance(generation, int) or isinstance(generation, bool):
        return None
    user = await _active_user(user_id, generation)
    if user is None:
        return None
    return TokenAuth(user=user, expires_at=datetime.fromtimestamp(token["exp"], tz=UTC))


async def user_for_token(raw_token: str):
    """The active user an access token belongs to, or None for any bad or expired token."""
    auth = await authenticate_token(raw_token)
    return auth.user if auth else None


def _bearer_token(scope) -> str | None:
    for name, value in scope.get("headers", []):
        if name == b"authorization":
            parts = value.decode("latin-1").split()
            if len(parts) == 2 and parts[0].lower() == "bearer":
                return parts[1]
            return ""
    return None


class JWTAuthMiddleware:
    """Sets `scope["user"]` (AnonymousUser when absent or bad), `scope["auth_expires_at"]`
    (the token's expiry, or None) and `scope["auth_header"]`:
    None when no Authorization header was sent, "valid" or "invalid" otherwise, so the consumer
    can close a socket that presented a bad token at once with 4001."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        scope = dict(scope)
        token = _bearer_token(scope)
        auth = await authenticate_token(token) if token else None
        scope["user"] = auth.user if auth else AnonymousUser()
        scope["auth_expires_at"] = auth.expires_at if auth else None
        scope["auth_header"] = None if token is None else ("valid" if auth else "invalid")
        return await self.app(scope, receive, send)

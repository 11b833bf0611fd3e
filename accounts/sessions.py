"""Ending sessions: the one place that revokes a user's tokens.

A session is a refresh token and the access tokens made from it. `sessions_revoke` ends all of
them at once, for a password change, "log out everywhere", a deactivation and a replayed
refresh token (the theft signal, see services.token_refresh):

- the user's `token_generation` moves on, so every access token issued before (claim `gen`) is
  refused by the next request that presents it (accounts/authentication.py, config/ws_auth.py);
  the mark is read with the user, so checking it costs no query;
- every outstanding refresh token of the user is blacklisted (simplejwt's own table), so none
  can be refreshed again, whatever its generation;
- once the transaction commits, the user's open websockets are closed with 4001 in every
  process, through the channel layer (config/realtime.end_sessions).

Tokens carry the generation they were issued in rather than being compared by issue time:
`iat` has whole seconds only, and a token issued in the same second as the revocation could not
be told apart; a counter has no clock to disagree about between servers either.
"""

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from accounts.models import User
from config import realtime

GENERATION_CLAIM = "gen"
REASONS = frozenset({"password_changed", "logout_all", "deactivated", "refresh_token_reuse"})


def sessions_revoke(*, user: User, reason: str) -> int:
    """End every session of `user`; returns the new generation (also set on `user`), in
    which the caller may issue a fresh pair (the password change does, for its own device)."""
    if reason not in REASONS:
        raise ValueError(f"unknown revocation reason {reason!r}")
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(token_generation=F("token_generation") + 1)
        generation = User.objects.filter(pk=user.pk).values_list("token_generation", flat=True)[0]
        alive = OutstandingToken.objects.filter(
            user_id=user.pk, expires_at__gt=timezone.now(), blacklistedtoken__isnull=True
        ).values_list("pk", flat=True)
        BlacklistedToken.objects.bulk_create(
            [BlacklistedToken(token_id=pk) for pk in alive], ignore_conflicts=True
        )
        realtime.end_sessions(user.pk, reason)
    user.token_generation = generation
    return generation


def token_generation(payload) -> int:
    """The generation a token was issued in; tokens from before generations existed are 0."""
    value = payload.get(GENERATION_CLAIM, 0)
    return value if isinstance(value, int) and not isinstance(value, bool) else -1

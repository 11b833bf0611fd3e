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

Ending every session of every user (`sessions_end_all`, `manage.py end_all_sessions`, and the
same statement in deploy/restore.sh) cannot simply add one. After a database restore the
generations are those of the dump, lower than the ones tokens issued since carry: a user at 4
in the dump who logged out everywhere once after it holds tokens of generation 5, and 4 + 1
would accept them again. So the generation jumps to the clock, in milliseconds since 1970,
when that is higher: `GREATEST(token_generation + 1, now in ms)`. Every generation ever issued
is below it, since each one was either such a jump, made earlier, plus the revocations since
(one per password change, log-out-everywhere, deactivation or replayed refresh token, each a
throttled request or a staff action: never a thousand a second, let alone for the hours or days
between two restores), or, before any jump, a count of those revocations.
"""

import logging
import time

from django.db import transaction
from django.db.models import F, PositiveBigIntegerField, Value
from django.db.models.functions import Greatest
from django.utils import timezone
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from accounts.models import User
from config import realtime

logger = logging.getLogger(__name__)

GENERATION_CLAIM = "gen"
REASONS = frozenset({"password_changed", "logout_all", "deactivated", "refresh_token_reuse"})
# What every user's socket is told when an operator ends every session (after a restore).
ALL_SESSIONS_ENDED = "all_sessions_ended"


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


def generation_floor() -> int:
    """The lowest generation an end of every session may leave: the clock, in milliseconds
    since 1970 (deploy/restore.sh computes the same in SQL)."""
    return int(time.time() * 1000)


def sessions_end_all() -> int:
    """End every session of every user (see the module docstring for why the generation jumps
    to the clock); returns how many users there are. Their refresh tokens are blacklisted and,
    once committed, their open sockets closed through the channel layer, in batches the
    publisher never drops (`_close_every_socket`)."""
    with transaction.atomic():
        # The floor as a bigint: a bare Value would be bound as int4 and wrap around.
        floor = Value(generation_floor(), output_field=PositiveBigIntegerField())
        User.objects.update(token_generation=Greatest(F("token_generation") + 1, floor))
        alive = OutstandingToken.objects.filter(
            expires_at__gt=timezone.now(), blacklistedtoken__isnull=True
        ).values_list("pk", flat=True)
        BlacklistedToken.objects.bulk_create(
            [BlacklistedToken(token_id=pk) for pk in alive.iterator()],
            ignore_conflicts=True,
            batch_size=1000,
        )
        user_ids = list(User.objects.values_list("pk", flat=True))
    _close_every_socket(user_ids)
    return len(user_ids)


# Closes handed to the publisher before waiting for them to be sent: its queue holds 1,000
# events and drops what does not fit (a live update may be lost, a close must not be).
SESSION_END_BATCH = 500


def _close_every_socket(user_ids: list) -> None:
    """After the commit, every user's sockets are told `session.ended`, in batches the
    publisher's queue can hold, each sent before the next is handed over. A batch not sent
    in time (Redis away) is logged; those sockets still fail their next re-authentication,
    and a socket that saw the layer fail re-checks its session when it is back."""
    for start in range(0, len(user_ids), SESSION_END_BATCH):
        for user_id in user_ids[start : start + SESSION_END_BATCH]:
            realtime.end_sessions(user_id, ALL_SESSIONS_ENDED)
        if not realtime.flush(timeout=10):
            logger.warning(
                "ending every session: closes for users %d-%d were not all sent in 10 s",
                start + 1,
                min(start + SESSION_END_BATCH, len(user_ids)),
            )


def token_generation(payload) -> int:
    """The generation a token was issued in; tokens from before generations existed are 0."""
    value = payload.get(GENERATION_CLAIM, 0)
    return value if isinstance(value, int) and not isinstance(value, bool) else -1

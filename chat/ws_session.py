"""A websocket lives as long as the session it signed in with, and no longer.

Mixed into the chat consumer (chat/consumers.py), which calls `_start_session_timer` once the
socket is signed in and `_stop_session_timer` on disconnect, and sends `auth` frames on a
signed-in socket to `_reauthenticate`:

- the socket closes with 4001 (after a `session.ended` frame) when the access token it signed
  in with expires, unless an `auth` frame brought a fresh token of the same user first;
- a revocation of the user's sessions (accounts/sessions.py) reaches every socket of the user,
  in every process, as a `session.end` channel-layer message (config/realtime.end_sessions):
  the socket closes the same way at once;
- that message is lost when the channel layer (Redis) is away. So once the layer fails
  (chat/layer.py calls `membership_lost`) the socket's session counts as unverified: it is
  checked against the database when the socket is in its group again (`membership_restored`)
  and before any live update is delivered until then. A revoked session closes the same way,
  with the reason `deactivated` or `revoked` (which revocation it was is not stored). Without
  this, a socket kept receiving the user's live updates until its access token expired.

The consumer provides `user`, `_closed`, `send_frame`, `send_error` and `close`.
"""

import asyncio
import logging
from datetime import UTC, datetime

from channels.db import database_sync_to_async
from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

from config.fields import iso_datetime
from config.outage import DATABASE_ERRORS, database_log
from config.ws_auth import CLOSE_UNAUTHENTICATED, authenticate_token

logger = logging.getLogger(__name__)


def _session_end_reason_now(user_id, token_generation: int) -> str | None:
    """None while the session the socket signed in with is alive; else why it is not."""
    row = (
        get_user_model()
        .objects.filter(pk=user_id)
        .values_list("is_active", "token_generation")
        .first()
    )
    if row is None or not row[0]:
        return "deactivated"
    return None if row[1] == token_generation else "revoked"


_session_end_reason = database_sync_to_async(_session_end_reason_now)


class SessionLifetime:
    _session_timer: asyncio.Task | None = None
    # Set when the channel layer failed: a `session.end` may have been lost with it.
    _session_unverified: bool = False
    _session_lock: asyncio.Lock | None = None
    _session_check: asyncio.Task | None = None

    def _start_session_timer(self, expires_at) -> None:
        self._stop_session_timer()
        if expires_at is None:
            return
        self._session_timer = asyncio.create_task(self._close_at_expiry(expires_at))

    def _stop_session_timer(self) -> None:
        timer = getattr(self, "_session_timer", None)
        if timer is not None:
            timer.cancel()
            self._session_timer = None

    async def _close_at_expiry(self, expires_at) -> None:
        delay = (expires_at - datetime.now(UTC)).total_seconds()
        await asyncio.sleep(max(delay, 0))
        if not self._closed:
            logger.info("socket of user %s closed: its access token expired", self.user.pk)
            await self._end_session("token_expired")

    async def _reauthenticate(self, frame: dict) -> None:
        """An `auth` frame on a signed-in socket: a fresh access token of the same user moves
        the socket's expiry to that token's. A bad one changes nothing (an error frame)."""
        auth = await authenticate_token(frame.get("token"))
        if auth is None:
            await self.send_error("token_not_valid", _("Token is invalid or expired"))
            return
        if auth.user.pk != self.user.pk:
            await self.send_error(
                "token_user_mismatch", _("The token belongs to another user than this socket's.")
            )
            return
        self.user = auth.user
        self._start_session_timer(auth.expires_at)
        await self.send_frame({"type": "auth.ok", "expires_at": iso_datetime(auth.expires_at)})

    async def session_end(self, message):
        """The user's sessions were revoked (config/realtime.end_sessions): close at once."""
        if self._closed:
            return
        self._stop_session_timer()
        await self._end_session(str(message.get("event", {}).get("reason") or "revoked"))

    # -- after a channel layer outage (chat/layer.py) --------------------------------------------
    def membership_lost(self) -> None:
        """The channel layer failed: revocations sent meanwhile may never arrive."""
        self._session_unverified = True

    def membership_restored(self) -> None:
        """The socket is in its group again: from now on it would hear a revocation, so look
        for one it may have missed (after the join, as at sign-in, so none slips between)."""
        if self._closed or not self._session_unverified:
            return
        # Kept referenced: asyncio holds tasks weakly.
        self._session_check = asyncio.create_task(self._session_still_valid())

    async def _session_still_valid(self) -> bool:
        """True when the session is known to be alive (checked once after an outage). A revoked
        one closes the socket (4001 after `session.ended`); with the database away the answer
        is False and the check is made again next time."""
        if self._session_lock is None:
            self._session_lock = asyncio.Lock()
        async with self._session_lock:  # one check at a time: a close is sent once
            if self._closed:
                return False
            if not self._session_unverified:
                return True
            # Cleared before asking: a layer failure during the query sets it again.
            self._session_unverified = False
            try:
                reason = await _session_end_reason(self.user.pk, self.user.token_generation)
            except DATABASE_ERRORS as exc:
                database_log.failed(exc)
                self._session_unverified = True
                return False
            if reason is None:
                return True
            logger.info("socket of user %s closed: session ended during an outage", self.user.pk)
            self._stop_session_timer()
            await self._end_session(reason)
            return False

    async def _end_session(self, reason: str) -> None:
        # The reason travels in a frame: Daphne drops the reason of a close.
        await self.send_frame({"type": "session.ended", "reason": reason})
        self._closed = True
        await self.close(code=CLOSE_UNAUTHENTICATED, reason=reason)

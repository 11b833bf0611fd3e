"""A websocket lives as long as the session it signed in with, and no longer.

Mixed into the chat consumer (chat/consumers.py), which calls `_start_session_timer` once the
socket is signed in and `_stop_session_timer` on disconnect, and sends `auth` frames on a
signed-in socket to `_reauthenticate`:

- the socket closes with 4001 (after a `session.ended` frame) when the access token it signed
  in with expires, unless an `auth` frame brought a fresh token of the same user first;
- a revocation of the user's sessions (accounts/sessions.py) reaches every socket of the user,
  in every process, as a `session.end` channel-layer message (config/realtime.end_sessions):
  the socket closes the same way at once.

The consumer provides `user`, `_closed`, `send_frame`, `send_error` and `close`.
"""

import asyncio
import logging
from datetime import UTC, datetime

from django.utils.translation import gettext as _

from config.fields import iso_datetime
from config.ws_auth import CLOSE_UNAUTHENTICATED, authenticate_token

logger = logging.getLogger(__name__)


class SessionLifetime:
    _session_timer: asyncio.Task | None = None

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

    async def _end_session(self, reason: str) -> None:
        # The reason travels in a frame: Daphne drops the reason of a close.
        await self.send_frame({"type": "session.ended", "reason": reason})
        self._closed = True
        await self.close(code=CLOSE_UNAUTHENTICATED, reason=reason)

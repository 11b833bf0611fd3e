"""What the app does while a part underneath it (PostgreSQL, Redis) is away.

- Database: every request that needs it answers 503 `service_unavailable` with `Retry-After`
  (config/exceptions.py for DRF views, `DatabaseUnavailableMiddleware` for the others, the chat
  consumer and `WebsocketDatabaseGuard` for sockets). `DATABASE_ERRORS` is what counts: an
  OperationalError is the server gone, unreachable, restarting or refusing (also a deadlock or
  a lock timeout, which are worth retrying too); an InterfaceError is a connection that already
  broke. Broken connections are replaced by Django (CONN_HEALTH_CHECKS) and by the pool's check
  (config/settings.py), so the app recovers by itself when PostgreSQL is back.
- Redis: throttles fail open (`FailOpenCache`), live updates are dropped (config/realtime.py),
  sockets stay open and join their groups again when it is back (chat/layer.py), then check
  that their session was not revoked meanwhile (chat/ws_session.py).

Each part logs through an `OutageLog`: a warning now and then while it fails, a line when it
works again, never one line per request.
"""

import json
import logging
import threading
import time

from django.db import InterfaceError, OperationalError
from django.utils.translation import gettext_lazy

logger = logging.getLogger(__name__)

DATABASE_ERRORS = (OperationalError, InterfaceError)
# What a client is told to wait before retrying a request refused for an outage. PostgreSQL
# restarts in a few seconds; clients should still back off if the next try fails too.
RETRY_AFTER_SECONDS = 5
# The close code of a socket that could not be signed in because the database is away: reconnect
# later. An application code (4000-4999, like 4001 for "log in again"), modelled on HTTP 503;
# the standard 1013 "Try Again Later" is refused by Daphne's websocket library, which only lets
# applications send 1000 and 3000-4999.
CLOSE_UNAVAILABLE = 4503
UNAVAILABLE_MESSAGE = gettext_lazy("The service is temporarily unavailable. Try again shortly.")


class OutageLog:
    """Warnings about one failing part, at most one per `every` seconds, each saying how many
    failures it covers; and one line when the part answers again."""

    def __init__(self, part: str, consequence: str, *, every: float = 10.0):
        self.part = part
        self.consequence = consequence
        self.every = every
        self._lock = threading.Lock()
        self._failing = False
        self._unlogged = 0
        self._logged_at = float("-inf")

    @property
    def failing(self) -> bool:
        return self._failing

    def failed(self, exc: BaseException) -> None:
        with self._lock:
            self._failing = True
            self._unlogged += 1
            now = time.monotonic()
            if now - self._logged_at < self.every:
                return
            count, self._unlogged, self._logged_at = self._unlogged, 0, now
        # The exception's class and text name the cause (refused, timed out, restarting)
        # without a traceback per failure; neither carries credentials.
        logger.warning(
            "%s unavailable (%s: %s); %s [%d failure(s) since the last line]",
            self.part,
            type(exc).__name__,
            exc,
            self.consequence,
            count,
        )

    def recovered(self) -> None:
        if not self._failing:  # the common case: one attribute read, no lock
            return
        with self._lock:
            if not self._failing:
                return
            self._failing = False
            self._unlogged = 0
            self._logged_at = float("-inf")
        logger.warning("%s available again", self.part)


class FailOpenCache:
    """The throttles' view of a cache: when the cache (Redis) fails, a read finds nothing and a
    write is skipped, so every request is let through instead of answering 500.

    Throttles exist to slow down guessing and abuse; refusing every login because Redis is away
    would turn a Redis outage into a full outage. After a failure the cache is not asked again
    for `retry_seconds`: with Redis unreachable (not refusing), each attempt would otherwise
    cost a request the socket timeout.
    """

    retry_seconds = 2.0

    def __init__(self, cache, log: OutageLog):
        self._cache = cache
        self._log = log
        self._skip_until = float("-inf")

    def get(self, key, default=None):
        if time.monotonic() < self._skip_until:
            return default
        try:
            value = self._cache.get(key, default)
        except Exception as exc:  # any backend error: redis-py's, a socket's, a timeout
            self._failed(exc)
            return default
        self._log.recovered()
        return value

    def set(self, key, value, timeout=None):
        if time.monotonic() < self._skip_until:
            return
        try:
            self._cache.set(key, value, timeout)
        except Exception as exc:
            self._failed(exc)

    def run(self, operation, *args, default=None):
        """`operation(*args)`, several cache commands at once (the throttles' counters):
        `default` when the cache fails or is being skipped."""
        if time.monotonic() < self._skip_until:
            return default
        try:
            result = operation(*args)
        except Exception as exc:
            self._failed(exc)
            return default
        self._log.recovered()
        return result

    def _failed(self, exc: BaseException) -> None:
        self._skip_until = time.monotonic() + self.retry_seconds
        self._log.failed(exc)


class WebsocketDatabaseGuard:
    """ASGI middleware for websockets: a database error before the socket was accepted (the
    handshake's token lookup) accepts it, sends a `service_unavailable` error frame and closes
    with CLOSE_UNAVAILABLE, instead of failing the handshake with a bare HTTP 500. Errors after
    the accept are the consumer's (chat/consumers.py)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        state = {"connect_received": False, "accepted": False}

        async def tracking_receive():
            message = await receive()
            if message.get("type") == "websocket.connect":
                state["connect_received"] = True
            return message

        async def tracking_send(message):
            if message.get("type") in {"websocket.accept", "websocket.close"}:
                state["accepted"] = True  # answered: whatever follows is not ours to answer
            await send(message)

        try:
            return await self.app(scope, tracking_receive, tracking_send)
        except DATABASE_ERRORS as exc:
            if state["accepted"]:
                raise
            database_log.failed(exc)
            if not state["connect_received"]:
                await receive()  # the client's websocket.connect
            frame = {"type": "error", "code": "service_unavailable"}
            frame["message"] = str(UNAVAILABLE_MESSAGE)
            await send({"type": "websocket.accept"})
            await send({"type": "websocket.send", "text": json.dumps(frame)})
            await send({"type": "websocket.close", "code": CLOSE_UNAVAILABLE})


throttle_cache_log = OutageLog("throttle cache (Redis)", "throttles are off (failing open)")
database_log = OutageLog("database", "requests that need it answer 503")

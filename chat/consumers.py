"""The chat websocket (`/ws/chat/`): one authenticated user, the assistant's streamed replies and
live updates of that user's data. The protocol, for client developers: docs/websocket.md.

A socket authenticates by the handshake's `Authorization: Bearer` header (checked by
`config.ws_auth.JWTAuthMiddleware`) or by a first `auth` frame. Until then it receives nothing.
It lives as long as its session: it closes with 4001 when its access token expires, unless an
`auth` frame with a fresh token of the same user came first, and when the user's sessions are
revoked (a `session.end` message from any process).
The assistant runs as a task of its own so that the socket keeps answering pings and forwarding
live updates while a reply streams; one reply at a time per socket.

Outages do not close a signed-in socket: channel layer (Redis) errors are ridden out by
chat/layer.py (after one, the session is checked again before live updates flow), and a
database error while handling a frame becomes a `service_unavailable` error frame
(config/outage.py).
"""

import asyncio
import json
import logging
import math
import time

import orjson
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.contrib.auth import get_user_model
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import translation
from django.utils.translation import gettext as _
from rest_framework.exceptions import Throttled, ValidationError

from chat import layer
from chat.agent import run_turn
from chat.serializers import MessageCreateSerializer
from chat.ws_session import SessionLifetime
from config.exceptions import DomainError, exception_handler
from config.metrics.series import WS_FRAMES_RECEIVED, WS_FRAMES_SENT, WS_OPEN, WS_OPENED
from config.observability import context as log_context
from config.observability.middleware import handshake_request_id
from config.outage import CLOSE_UNAVAILABLE, DATABASE_ERRORS, UNAVAILABLE_MESSAGE, database_log
from config.parsers import MAX_JSON_DEPTH, contains_nul, json_depth
from config.realtime import bind_loop, user_group
from config.renderers import dumps
from config.throttling import UserThrottle
from config.ws_auth import CLOSE_UNAUTHENTICATED, authenticate_token

logger = logging.getLogger(__name__)


class ChatConsumer(SessionLifetime, AsyncWebsocketConsumer):
    # How long a socket without an Authorization header may take to send its `auth` frame.
    auth_timeout_seconds: float = 10.0
    # How long a disconnect waits for a cancelled reply to store what it had completed.
    cancel_grace_seconds: float = 10.0

    async def connect(self):
        self.user = None
        self._closed = False
        self._group: str | None = None
        self._auth_timer: asyncio.Task | None = None
        self._generation: asyncio.Task | None = None
        # Every line this socket logs names it; each turn adds a request id of its own.
        log_context.start(connection_id=handshake_request_id(self.scope))
        # Live updates published by request threads of this process are sent on this loop,
        # where the in-memory channel layer can wake this consumer (config/realtime.py).
        bind_loop(asyncio.get_running_loop())
        # Accept first in every case: a close before accepting is a bare HTTP 403 to the client,
        # which could not tell "log in again" (4001) from any other refusal.
        await self.accept()
        WS_OPEN.inc()
        WS_OPENED.inc()
        self._counted = True
        auth_header = self.scope.get("auth_header")
        if auth_header == "valid":
            await self._authenticated(self.scope["user"], self.scope.get("auth_expires_at"))
        elif auth_header == "invalid":
            await self._close_unauthenticated()
        else:
            self._auth_timer = asyncio.create_task(self._expire_unauthenticated())

    async def disconnect(self, code):
        if getattr(self, "_counted", False):
            self._counted = False
            WS_OPEN.dec()
        self._closed = True
        self._stop_session_timer()
        if self._auth_timer is not None:
            self._auth_timer.cancel()
            self._auth_timer = None
        if self._group is not None:
            self._group = None
            await layer.leave(self)
        generation = self._generation
        if generation is not None and not generation.done():
            # Cancelling closes the model's HTTP stream (the model stops generating for us);
            # run_turn stores what was completed. Wait for it so the connection's last database
            # writes finish before the consumer goes away.
            generation.cancel()
            await asyncio.wait([generation], timeout=self.cancel_grace_seconds)

    # -- the channel layer and outages ---------------------------------------------------------
    @property
    def channel_receive(self):
        """What channels' dispatch loop awaits for layer messages: the layer's receive, made
        to ride out layer errors (chat/layer.py) instead of ending the consumer."""
        layer_receive = self._layer_receive
        return lambda: layer.receive(layer_receive)

    @channel_receive.setter
    def channel_receive(self, layer_receive):
        # Set by AsyncConsumer.__call__ to `partial(channel_layer.receive, channel_name)`.
        self._layer_receive = layer_receive

    async def dispatch(self, message):
        try:
            await super().dispatch(message)
        except DATABASE_ERRORS as exc:
            database_log.failed(exc)
            language = self.user.language if self.user is not None else None
            with translation.override(language):
                await self.send_error("service_unavailable", UNAVAILABLE_MESSAGE)
            if self.user is None and not self._closed:
                # Not signed in yet (its `auth` frame could not be checked): nothing else to do.
                self._closed = True
                await self.close(code=CLOSE_UNAVAILABLE)

    # -- frames from the client ----------------------------------------------------------------
    async def receive(self, text_data=None, bytes_data=None):
        WS_FRAMES_RECEIVED.inc()
        if self._closed:
            return
        if self.user is None:
            await self._receive_auth(text_data)
            return
        with translation.override(self.user.language):
            await self._receive_frame(text_data)

    async def _receive_auth(self, text_data):
        # The first frame decides: it authenticates the socket or closes it.
        if self._auth_timer is not None:
            self._auth_timer.cancel()
            self._auth_timer = None
        frame = _parse(text_data)
        token = (
            frame.get("token") if isinstance(frame, dict) and frame.get("type") == "auth" else None
        )
        auth = await authenticate_token(token) if isinstance(token, str) else None
        if auth is None:
            await self._close_unauthenticated()
        else:
            await self._authenticated(auth.user, auth.expires_at)

    async def _receive_frame(self, text_data):
        # The codes are those of a REST body that is not JSON or holds NUL characters.
        if text_data is None:
            await self.send_error("malformed_json", _("Frames must be JSON text, not binary."))
            return
        frame = _parse(text_data)
        if frame is _MALFORMED:
            await self.send_error("malformed_json", _("The frame is not valid JSON."))
            return
        if contains_nul(frame):
            # PostgreSQL cannot store NUL in text; refused at the edge, as REST does.
            await self.send_error("null_character", _("Text may not contain NUL characters."))
            return
        if not isinstance(frame, dict) or not isinstance(frame.get("type"), str):
            await self.send_error(
                "invalid_frame", _('A frame must be a JSON object with a "type" field.')
            )
            return
        kind = frame["type"]
        if kind == "ping":
            await self.send_frame({"type": "pong"})
        elif kind == "message":
            await self._receive_message(frame)
        elif kind == "auth":
            await self._reauthenticate(frame)
        else:
            await self.send_error("unknown_frame_type", _("Unknown frame type."))

    async def _receive_message(self, frame: dict):
        if self._generation is not None and not self._generation.done():
            await self.send_error(
                "generation_in_progress",
                _("Wait for the assistant to finish its reply before sending another message."),
            )
            return
        serializer = MessageCreateSerializer(
            data={key: value for key, value in frame.items() if key != "type"},
            context={"user": self.user},
        )
        # One hop on the thread pool, not three on channels' single database thread: 50
        # messages arriving together are checked side by side.
        valid, user, wait = await database_sync_to_async(_admit_message, thread_sensitive=False)(
            serializer, self.user
        )
        if not valid:
            await self.send_frame(_error_frame(ValidationError(serializer.errors)))
            return
        if user is None:
            await self._close_unauthenticated()
            return
        self.user = user
        if wait is not None:
            await self.send_frame(_error_frame(Throttled(wait=wait)))
            return
        data = serializer.validated_data
        self._generation = asyncio.create_task(
            self._generate(content=data["content"], conversation_id=data.get("conversation_id"))
        )

    async def _generate(self, *, content: str, conversation_id):
        """One assistant turn; `run_turn` sends message.accepted, deltas, actions and done.
        A domain error (no model configured, model failed or too slow, unknown conversation)
        becomes an `error` frame; the socket stays open for the next message. Its lines (and
        its jobs') carry its own request id; it ends with one line, as a request does."""
        log_context.start(**{**log_context.current(), "request_id": log_context.new_request_id()})
        started = time.perf_counter()
        outcome = "cancelled"
        with translation.override(self.user.language):
            try:
                outcome = await self._run_turn(content, conversation_id)
            finally:
                duration_ms = round((time.perf_counter() - started) * 1000, 1)
                logger.info(
                    "websocket turn %s %.1fms",
                    outcome,
                    duration_ms,
                    extra={"route": "chat-turn", "status": outcome, "duration_ms": duration_ms},
                )

    async def _run_turn(self, content: str, conversation_id) -> str:
        """The turn's outcome: `done`, or the code of the error frame it ended with."""
        try:
            await run_turn(
                user=self.user,
                content=content,
                conversation_id=conversation_id,
                source="text",
                emit=self.send_frame,
                # This consumer's turn setup on the thread pool (see run_turn).
                thread_sensitive=False,
            )
        except DomainError as exc:
            await self.send_frame({"type": "error", **exc.as_dict()})
            return exc.code
        except DATABASE_ERRORS as exc:
            database_log.failed(exc)
            await self.send_error("service_unavailable", UNAVAILABLE_MESSAGE)
            return "service_unavailable"
        except Exception:
            logger.exception("assistant turn failed on the websocket")
            await self.send_error(
                "internal_error", _("Something went wrong while answering. Try again.")
            )
            return "internal_error"
        return "done"

    # -- frames to the client ------------------------------------------------------------------
    async def send_frame(self, frame: dict) -> None:
        """Send one frame now. Lazy translations, UUIDs and datetimes become JSON strings."""
        if self._closed:
            return
        try:
            # orjson: a streamed reply is hundreds of frames, and the stdlib encoder with a
            # Python `default` was a visible share of the event loop's time per delta.
            text = dumps(frame).decode()
        except (orjson.JSONEncodeError, UnicodeDecodeError):
            # What orjson refuses (a lone surrogate, an integer beyond 64 bits): ASCII-only
            # JSON, which can hold any text.
            text = json.dumps(frame, cls=DjangoJSONEncoder)
        await self.send(text_data=text)
        # Live updates relayed from the channel layer (task.updated, …), the assistant's frames
        # and control frames: types this server writes, a closed set.
        WS_FRAMES_SENT.labels(type=str(frame.get("type", "other"))).inc()

    async def send_error(self, code: str, message: str) -> None:
        await self.send_frame({"type": "error", "code": code, "message": str(message)})

    async def realtime_event(self, message):
        """A live update published through config.realtime for this socket's user. After a
        channel layer outage, not before the session is known to have survived it
        (chat/ws_session.py): a revocation sent meanwhile was lost."""
        if self._session_unverified and not await self._session_still_valid():
            return  # closed, or the database could not say: the update is dropped
        await self.send_frame(message["event"])

    # -- authentication ------------------------------------------------------------------------
    async def _authenticated(self, user, expires_at=None):
        self.user = user
        log_context.bind(user_id=user.pk)
        group = user_group(user.id)
        # Not in self.groups: the base class would join and leave without the gate and die on
        # a layer error. With Redis away the socket is ready now and joins when it is back.
        self._group = group
        await layer.join(self, self.channel_layer, group, self.channel_name)
        # A revocation committed after the token was checked and before the group was joined
        # sent its close to nobody: look once more, now that this socket would hear it.
        if await _active_user(user.pk, user.token_generation) is None:
            await self._close_unauthenticated()
            return
        self._start_session_timer(expires_at)
        await self.send_frame({"type": "ready"})

    async def _expire_unauthenticated(self):
        await asyncio.sleep(self.auth_timeout_seconds)
        if self.user is None and not self._closed:
            await self._close_unauthenticated()

    async def _close_unauthenticated(self):
        self._closed = True
        await self.close(code=CLOSE_UNAUTHENTICATED)


_MALFORMED = object()


def _error_frame(exc) -> dict:
    """A DRF error as the same object a REST response carries in its envelope (code, message
    and, for validation errors, `fields`), made by the one exception handler."""
    response = exception_handler(exc, context={})
    return {"type": "error", **response.data["error"]}


def _active_user_now(user_id, token_generation: int):
    """The user, unless deactivated or their sessions were revoked since the socket signed in."""
    return (
        get_user_model()
        .objects.filter(pk=user_id, is_active=True, token_generation=token_generation)
        .first()
    )


_active_user = database_sync_to_async(_active_user_now)


def _admit_message(serializer, user):
    """(valid, user, wait) for a `message` frame: the serializer's verdict, then the user as they
    are now (None when deactivated or signed out since the handshake: a socket lives for hours,
    and the prompt needs the current name, language and timezone), then the chat throttle's
    wait (None when allowed). Each step runs only when the previous one passed."""
    if not serializer.is_valid():
        return False, None, None
    current = _active_user_now(user.pk, user.token_generation)
    if current is None:
        return True, None, None
    return True, current, _chat_throttle_wait(current)


class _ThrottleView:
    throttle_scope = "chat"


class _ThrottleRequest:
    META: dict = {}

    def __init__(self, user):
        self.user = user


def _chat_throttle_wait(user) -> float | None:
    """Seconds to wait when the user has used up the chat rate, else None. The budget is the
    REST endpoint's (`THROTTLE_RATES["chat_user"]`, same cache key): switching transport does
    not buy more messages."""
    throttle = UserThrottle()
    if throttle.allow_request(_ThrottleRequest(user), _ThrottleView()):
        return None
    return throttle.wait() or 1.0


def _parse(text_data):
    """The frame's JSON value, or _MALFORMED, by the rules of a REST body (config.parsers):
    binary frames, invalid JSON (NaN, Infinity and numbers too large for a float included),
    nesting deeper than MAX_JSON_DEPTH; also escaped lone surrogates ("\\ud800"), which neither
    PostgreSQL nor a UTF-8 frame can carry."""
    if text_data is None:
        return _MALFORMED
    try:
        frame = json.loads(text_data, parse_constant=_reject_constant, parse_float=_finite_float)
    except (ValueError, RecursionError):
        return _MALFORMED
    if json_depth(frame) > MAX_JSON_DEPTH:
        return _MALFORMED
    try:
        json.dumps(frame, ensure_ascii=False).encode()
    except UnicodeEncodeError:
        return _MALFORMED
    return frame


def _reject_constant(name: str):
    raise ValueError(f"{name} is not valid JSON")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text} is out of range")
    return value

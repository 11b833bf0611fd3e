"""Talking to `/ws/chat/` in-process: `WebsocketCommunicator` on the real ASGI application
(origin check, JWT middleware, routing, consumer, the configured channel layer)."""

import json

from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import transaction

from config.asgi import application
from config.realtime import publish

PATH = "/ws/chat/"
# Generous: these are waits for a frame that should come, not assertions about speed.
WAIT = 5


def communicator(
    *, token: str | None = None, origin: str | None = None, path: str = PATH
) -> WebsocketCommunicator:
    headers = []
    if token is not None:
        headers.append((b"authorization", f"Bearer {token}".encode()))
    if origin is not None:
        headers.append((b"origin", origin.encode()))
    return WebsocketCommunicator(application, path, headers=headers)


async def open_ready(token: str, **kwargs) -> WebsocketCommunicator:
    """A socket authenticated by its handshake header, past its `ready` frame."""
    socket = communicator(token=token, **kwargs)
    connected, _ = await socket.connect(timeout=WAIT)
    assert connected
    assert await receive(socket) == {"type": "ready"}
    return socket


async def receive(socket: WebsocketCommunicator, timeout: float = WAIT) -> dict:
    return json.loads(await socket.receive_from(timeout=timeout))


async def receive_until(socket: WebsocketCommunicator, frame_type: str) -> list[dict]:
    """Every frame up to and including the first of `frame_type`."""
    frames = []
    while True:
        frame = await receive(socket)
        frames.append(frame)
        if frame["type"] == frame_type:
            return frames


async def receive_close(socket: WebsocketCommunicator, timeout: float = WAIT) -> int | None:
    """The code of the close the server sends next (fails on any other output)."""
    output = await socket.receive_output(timeout=timeout)
    assert output["type"] == "websocket.close", output
    return output.get("code")


@database_sync_to_async
def publish_committed(user_id, event_type: str, payload: dict, *, rollback: bool = False):
    """Announce a change the way the services do: inside a transaction, sent on commit."""

    class _Rollback(Exception):
        pass

    try:
        with transaction.atomic():
            publish(user_id, event_type, payload)
            if rollback:
                raise _Rollback
    except _Rollback:
        pass

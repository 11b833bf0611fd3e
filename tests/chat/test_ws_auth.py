# ruff: noqa: F811  (pytest fixtures imported from tests.ws.fixtures, used as arguments)
"""Authenticating `/ws/chat/`: the handshake header, the first `auth` frame, close code 4001,
and the origin check."""

import json
from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

from chat.consumers import CLOSE_UNAUTHENTICATED
from tests.ws.client import WAIT, communicator, open_ready, receive, receive_close
from tests.ws.fixtures import short_auth_timeout, token  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


async def test_valid_header_is_ready_at_once(token):
    socket = await open_ready(token)
    assert await socket.receive_nothing()
    await socket.disconnect()


async def test_invalid_header_is_accepted_then_closed_4001(token):
    socket = communicator(token=token[:-4] + "abcd")
    connected, _ = await socket.connect(timeout=WAIT)
    assert connected
    assert await receive_close(socket) == CLOSE_UNAUTHENTICATED
    await socket.disconnect()


@pytest.mark.parametrize("header", [b"Token abc", b"Bearer", b"Bearer a b", b"Basic dXNlcg=="])
async def test_malformed_authorization_header_closes_4001(header):
    socket = communicator()
    socket.scope["headers"] = [(b"authorization", header)]
    connected, _ = await socket.connect(timeout=WAIT)
    assert connected
    assert await receive_close(socket) == CLOSE_UNAUTHENTICATED
    await socket.disconnect()


async def test_expired_access_token_closes_4001(user):
    expired = AccessToken.for_user(user)
    expired.set_exp(lifetime=-timedelta(seconds=1))
    socket = communicator(token=str(expired))
    await socket.connect(timeout=WAIT)
    assert await receive_close(socket) == CLOSE_UNAUTHENTICATED
    await socket.disconnect()


async def test_refresh_token_is_not_an_access_token(user):
    refresh = await database_sync_to_async(RefreshToken.for_user)(user)
    socket = communicator(token=str(refresh))
    await socket.connect(timeout=WAIT)
    assert await receive_close(socket) == CLOSE_UNAUTHENTICATED
    await socket.disconnect()


async def test_inactive_user_header_closes_4001(user, token):
    user.is_active = False
    await database_sync_to_async(user.save)()
    socket = communicator(token=token)
    await socket.connect(timeout=WAIT)
    assert await receive_close(socket) == CLOSE_UNAUTHENTICATED
    await socket.disconnect()


async def test_auth_frame_authenticates_a_socket_without_header(token):
    socket = communicator()
    connected, _ = await socket.connect(timeout=WAIT)
    assert connected
    assert await socket.receive_nothing()  # waiting for the auth frame, nothing sent yet
    await socket.send_json_to({"type": "auth", "token": token})
    assert await receive(socket) == {"type": "ready"}
    await socket.send_json_to({"type": "ping"})
    assert await receive(socket) == {"type": "pong"}
    await socket.disconnect()


async def test_auth_frame_with_bad_token_closes_4001(token):
    socket = communicator()
    await socket.connect(timeout=WAIT)
    await socket.send_json_to({"type": "auth", "token": token + "x"})
    assert await receive_close(socket) == CLOSE_UNAUTHENTICATED
    await socket.disconnect()


async def test_auth_frame_for_inactive_user_closes_4001(user, token):
    user.is_active = False
    await database_sync_to_async(user.save)()
    socket = communicator()
    await socket.connect(timeout=WAIT)
    await socket.send_json_to({"type": "auth", "token": token})
    assert await receive_close(socket) == CLOSE_UNAUTHENTICATED
    await socket.disconnect()


@pytest.mark.parametrize(
    "first_frame",
    [
        json.dumps({"type": "ping"}),
        json.dumps({"type": "message", "content": "hola", "conversation_id": None}),
        json.dumps({"type": "auth"}),
        json.dumps({"type": "auth", "token": 123}),
        json.dumps({"type": "auth", "token": ""}),
        json.dumps({"token": "abc"}),
        json.dumps(["auth"]),
        "{not json",
    ],
)
async def test_anything_but_a_valid_auth_frame_first_closes_4001(first_frame, token):
    socket = communicator()
    await socket.connect(timeout=WAIT)
    await socket.send_to(text_data=first_frame)
    assert await receive_close(socket) == CLOSE_UNAUTHENTICATED
    await socket.disconnect()


async def test_binary_first_frame_closes_4001(token):
    socket = communicator()
    await socket.connect(timeout=WAIT)
    await socket.send_to(bytes_data=json.dumps({"type": "auth", "token": token}).encode())
    assert await receive_close(socket) == CLOSE_UNAUTHENTICATED
    await socket.disconnect()


async def test_no_auth_frame_in_time_closes_4001(short_auth_timeout):
    socket = communicator()
    connected, _ = await socket.connect(timeout=WAIT)
    assert connected
    assert await receive_close(socket) == CLOSE_UNAUTHENTICATED
    await socket.disconnect()


async def test_a_valid_header_is_not_subject_to_the_auth_timeout(short_auth_timeout, token):
    socket = await open_ready(token)
    assert await socket.receive_nothing(timeout=0.5)
    await socket.send_json_to({"type": "ping"})
    assert await receive(socket) == {"type": "pong"}
    await socket.disconnect()


async def test_token_in_the_query_string_is_ignored(short_auth_timeout, token):
    socket = communicator(path=f"/ws/chat/?token={token}&access_token={token}")
    connected, _ = await socket.connect(timeout=WAIT)
    assert connected
    assert await receive_close(socket) == CLOSE_UNAUTHENTICATED
    await socket.disconnect()


async def test_path_without_trailing_slash_is_served(token):
    socket = await open_ready(token, path="/ws/chat")
    await socket.disconnect()


async def test_origin_of_an_allowed_host_is_accepted(token):
    socket = await open_ready(token, origin="http://localhost:8000")
    await socket.disconnect()


async def test_foreign_origin_is_rejected_before_the_consumer(token):
    socket = communicator(token=token, origin="https://evil.example")
    connected, _ = await socket.connect(timeout=WAIT)
    # Rejected without accepting: over a real server this is an HTTP 403 on the handshake
    # (see test_ws_daphne.py).
    assert not connected
    await socket.disconnect()


async def test_null_origin_is_rejected(token):
    socket = communicator(token=token, origin="null")
    connected, _ = await socket.connect(timeout=WAIT)
    assert not connected
    await socket.disconnect()

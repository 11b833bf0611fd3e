# ruff: noqa: F811  (pytest fixtures imported from tests.ws.fixtures, used as arguments)
"""Frames an authenticated client sends that are not chat messages: ping, and every kind of
bad frame (answered with an `error` frame; the socket stays open)."""

import json

import pytest

from tests.ws.client import open_ready, receive
from tests.ws.fixtures import token  # noqa: F401

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


async def assert_still_open(socket):
    await socket.send_json_to({"type": "ping"})
    assert await receive(socket) == {"type": "pong"}


async def test_ping_is_answered_with_pong(token):
    socket = await open_ready(token)
    for _ in range(3):
        await socket.send_json_to({"type": "ping"})
        assert await receive(socket) == {"type": "pong"}
    await socket.disconnect()


async def test_ping_with_extra_fields_is_still_a_ping(token):
    socket = await open_ready(token)
    await socket.send_json_to({"type": "ping", "id": 7})
    assert await receive(socket) == {"type": "pong"}
    await socket.disconnect()


@pytest.mark.parametrize(
    "text",
    [
        "{not json",
        "{'type': 'ping'}",
        '{"type": "ping"',
        "NaN]",
        '{"type": "ping", "n": NaN}',
        '{"type": "ping", "n": -Infinity}',
        "[" * 100_000 + "]" * 100_000,
        '{"type": "ping", "n": ' + "[" * 65 + "]" * 65 + "}",
        '{"type": "ping", "n": 1e999}',
        '{"type": "message", "content": "\\ud800"}',
    ],
    ids=[
        "garbage",
        "single-quotes",
        "truncated",
        "bare-nan",
        "nan",
        "infinity",
        "deep",
        "deeper-than-64",
        "float-overflow",
        "surrogate",
    ],
)
async def test_malformed_json_is_an_error_frame(token, text):
    socket = await open_ready(token)
    await socket.send_to(text_data=text)
    frame = await receive(socket)
    assert frame["type"] == "error"
    assert frame["code"] == "malformed_json"
    assert frame["message"]
    await assert_still_open(socket)
    await socket.disconnect()


async def test_binary_frame_is_an_error_frame(token):
    socket = await open_ready(token)
    await socket.send_to(bytes_data=json.dumps({"type": "ping"}).encode())
    frame = await receive(socket)
    assert frame["code"] == "malformed_json"
    await assert_still_open(socket)
    await socket.disconnect()


@pytest.mark.parametrize(
    "frame",
    [
        {"type": "ping\u0000"},
        {"type": "message", "content": "ho\u0000la"},
        {"type": "message", "content": "hola", "extra": ["\u0000"]},
        {"type": "ping", "\u0000": 1},
    ],
)
async def test_nul_character_anywhere_is_an_error_frame(token, frame):
    socket = await open_ready(token)
    await socket.send_json_to(frame)
    error = await receive(socket)
    assert error["code"] == "null_character"
    await assert_still_open(socket)
    await socket.disconnect()


@pytest.mark.parametrize(
    "value", [[], ["ping"], "ping", 42, None, {}, {"type": 1}, {"type": None}, {"kind": "ping"}]
)
async def test_frame_that_is_not_an_object_with_a_type_is_an_error_frame(token, value):
    socket = await open_ready(token)
    await socket.send_to(text_data=json.dumps(value))
    frame = await receive(socket)
    assert frame["type"] == "error"
    assert frame["code"] == "invalid_frame"
    await assert_still_open(socket)
    await socket.disconnect()


@pytest.mark.parametrize("kind", ["pong", "subscribe", "MESSAGE", "", "realtime.event"])
async def test_unknown_frame_type_is_an_error_frame(token, kind):
    socket = await open_ready(token)
    await socket.send_json_to({"type": kind})
    frame = await receive(socket)
    assert frame["type"] == "error"
    assert frame["code"] == "unknown_frame_type"
    await assert_still_open(socket)
    await socket.disconnect()


async def test_error_frames_follow_the_users_language(user, token):
    user.language = "en"
    await user.asave(update_fields=["language"])
    socket = await open_ready(token)
    await socket.send_to(text_data="{not json")
    english = (await receive(socket))["message"]
    await socket.disconnect()

    user.language = "es"
    await user.asave(update_fields=["language"])
    socket = await open_ready(token)
    await socket.send_to(text_data="{not json")
    spanish = (await receive(socket))["message"]
    await socket.disconnect()

    assert english == "The frame is not valid JSON."
    assert spanish != english

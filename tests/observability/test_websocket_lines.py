"""A websocket's lines name the socket (`connection_id`, from its handshake's X-Request-Id or
new) and its user; each assistant turn on it adds a request id of its own, carried by every line
of the turn, and ends with one line, as an HTTP request ends with its access line."""

import pytest
from channels.testing import WebsocketCommunicator

from config.asgi import application
from tests.ws.client import PATH, WAIT, receive, receive_until

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


async def open_socket(token: str, request_id: str | None = None) -> WebsocketCommunicator:
    headers = [(b"authorization", f"Bearer {token}".encode())]
    if request_id is not None:
        headers.append((b"x-request-id", request_id.encode()))
    socket = WebsocketCommunicator(application, PATH, headers=headers)
    connected, _ = await socket.connect(timeout=WAIT)
    assert connected
    assert await receive(socket) == {"type": "ready"}
    return socket


async def test_each_turn_has_its_own_request_id_on_the_sockets_connection_id(
    token, user, fake_openai, json_logs
):
    fake_openai.add_text("Hola, ", "Ana.")
    fake_openai.add_text("Otra vez.")
    socket = await open_socket(token, request_id="sock-handshake-1")

    for content in ("hola", "otra"):
        await socket.send_json_to({"type": "message", "content": content})
        await receive_until(socket, "assistant.done")
    await socket.disconnect()

    turns = json_logs.where(logger="chat.consumers", route="chat-turn")
    assert [(line["status"], line["message"].split()[2]) for line in turns] == [
        ("done", "done"),
        ("done", "done"),
    ]
    assert {line["connection_id"] for line in turns} == {"sock-handshake-1"}
    assert {line["user_id"] for line in turns} == {str(user.pk)}
    first, second = (line["request_id"] for line in turns)
    assert first != second
    assert "sock-handshake-1" not in (first, second)


async def test_every_line_of_a_turn_carries_the_turns_request_id(token, fake_openai, json_logs):
    fake_openai.add_http_error(500, "upstream broke")
    socket = await open_socket(token)

    await socket.send_json_to({"type": "message", "content": "hola"})
    frames = await receive_until(socket, "error")
    await socket.disconnect()

    assert frames[-1]["code"] == "assistant_upstream_error"
    [model_error] = json_logs.where(logger="chat.agent")
    [turn] = json_logs.where(logger="chat.consumers", route="chat-turn")
    assert turn["status"] == "assistant_upstream_error"
    assert model_error["request_id"] == turn["request_id"]
    assert model_error["connection_id"] == turn["connection_id"]


async def test_an_unsafe_handshake_id_is_replaced(token, fake_openai, json_logs):
    fake_openai.add_text("ok")
    socket = await open_socket(token, request_id="bad id\r\nforged: yes")

    await socket.send_json_to({"type": "message", "content": "hola"})
    await receive_until(socket, "assistant.done")
    await socket.disconnect()

    [turn] = json_logs.where(logger="chat.consumers", route="chat-turn")
    assert len(turn["connection_id"]) == 32
    assert "forged" not in json_logs.text

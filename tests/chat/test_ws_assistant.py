# ruff: noqa: F811  (pytest fixtures imported from tests.ws.fixtures, used as arguments)
"""Talking to the assistant over `/ws/chat/`, with the real agent loop and the real `openai`
SDK streaming from the fake model server (tests/fakes/openai_server.py)."""

import asyncio
import json
import uuid

import pytest
from channels.db import database_sync_to_async

from chat.models import Conversation, Message
from tests.ws.client import open_ready, receive, receive_until
from tests.ws.fixtures import other_token, token  # noqa: F401

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

ASSISTANT_FRAMES = {"message.accepted", "assistant.delta", "assistant.action", "assistant.done"}


def message_frame(content="hola", conversation_id=None) -> dict:
    return {"type": "message", "content": content, "conversation_id": conversation_id}


def assistant_frames(frames: list[dict]) -> list[dict]:
    """The turn's own frames, without live updates that may interleave with them."""
    return [f for f in frames if f["type"] in ASSISTANT_FRAMES]


@database_sync_to_async
def stored_messages(conversation_id) -> list[dict]:
    return list(
        Message.objects.filter(conversation_id=conversation_id, tool_call_id="")
        .exclude(role="assistant", tool_calls__isnull=False)
        .order_by("created_at", "id")
        .values("role", "content", "status")
    )


async def wait_for(event, seconds: float = 5) -> bool:
    """Wait for a threading.Event set by the fake server without blocking the loop."""
    return await asyncio.to_thread(event.wait, seconds)


async def test_message_streams_accepted_deltas_and_done_in_order(token, fake_openai):
    fake_openai.add_text("Buenos ", "días, ", "Ana.")
    socket = await open_ready(token)
    await socket.send_json_to(message_frame("hola"))

    frames = await receive_until(socket, "assistant.done")

    assert [f["type"] for f in frames] == [
        "message.accepted",
        "assistant.delta",
        "assistant.delta",
        "assistant.delta",
        "assistant.done",
    ]
    conversation_id = frames[0]["conversation_id"]
    assert all(f["conversation_id"] == conversation_id for f in frames)
    assert frames[0]["message"]["role"] == "user"
    assert frames[0]["message"]["content"] == "hola"
    assert [f["delta"] for f in frames[1:4]] == ["Buenos ", "días, ", "Ana."]
    done = frames[-1]["message"]
    assert done["role"] == "assistant"
    assert done["content"] == "Buenos días, Ana."
    assert done["status"] == "complete"
    assert await stored_messages(conversation_id) == [
        {"role": "user", "content": "hola", "status": "complete"},
        {"role": "assistant", "content": "Buenos días, Ana.", "status": "complete"},
    ]
    await socket.disconnect()


async def test_deltas_reach_the_client_while_the_model_is_still_writing(token, fake_openai):
    # The model sends its first words and then keeps the response open: the client must
    # already have them (nothing is buffered until the end).
    fake_openai.add_hang("Estoy ", "pensando")
    socket = await open_ready(token)
    await socket.send_json_to(message_frame())

    frames = [await receive(socket) for _ in range(3)]

    assert [f["type"] for f in frames] == ["message.accepted", "assistant.delta", "assistant.delta"]
    assert [f["delta"] for f in frames[1:]] == ["Estoy ", "pensando"]
    # The fake sets `hanging` just after flushing the last fragment, which can be a moment
    # after the client has it; what matters is that the response is still open (no [DONE]).
    assert await asyncio.to_thread(fake_openai.hanging.wait, 5)
    assert not fake_openai.client_disconnected.is_set()
    await socket.disconnect()


async def test_disconnect_mid_stream_keeps_the_text_so_far_and_frees_the_model(token, fake_openai):
    fake_openai.add_hang("Primera parte, ", "segunda")
    socket = await open_ready(token)
    await socket.send_json_to(message_frame("cuéntame algo"))
    accepted = await receive(socket)
    await receive(socket)
    await receive(socket)

    await socket.disconnect()

    assert await wait_for(fake_openai.client_disconnected), "the model call was not closed"
    assert await stored_messages(accepted["conversation_id"]) == [
        {"role": "user", "content": "cuéntame algo", "status": "complete"},
        {"role": "assistant", "content": "Primera parte, segunda", "status": "interrupted"},
    ]


async def test_socket_stays_responsive_while_a_reply_streams(token, fake_openai):
    fake_openai.add_hang("Un momento")
    socket = await open_ready(token)
    await socket.send_json_to(message_frame())
    await receive(socket)  # message.accepted
    await receive(socket)  # the delta

    await socket.send_json_to({"type": "ping"})
    assert await receive(socket) == {"type": "pong"}
    await socket.disconnect()


async def test_second_message_during_a_reply_is_refused(token, fake_openai):
    fake_openai.add_hang("Un momento")
    socket = await open_ready(token)
    await socket.send_json_to(message_frame("primero"))
    accepted = await receive(socket)
    await receive(socket)  # the delta

    await socket.send_json_to(message_frame("segundo"))
    error = await receive(socket)

    assert error["type"] == "error"
    assert error["code"] == "generation_in_progress"
    assert error["message"]
    await socket.disconnect()
    # Only the first message was stored and only one model call was made.
    stored = await stored_messages(accepted["conversation_id"])
    assert [m["content"] for m in stored if m["role"] == "user"] == ["primero"]
    assert len(fake_openai.requests) == 1


async def test_next_message_after_done_continues_the_conversation(token, fake_openai):
    fake_openai.add_text("Hola, Ana.")
    fake_openai.add_text("Son las diez.")
    socket = await open_ready(token)
    await socket.send_json_to(message_frame("hola"))
    first = await receive_until(socket, "assistant.done")
    conversation_id = first[0]["conversation_id"]

    await socket.send_json_to(message_frame("¿qué hora es?", conversation_id))
    second = await receive_until(socket, "assistant.done")

    assert {f["conversation_id"] for f in second} == {conversation_id}
    assert second[-1]["message"]["content"] == "Son las diez."
    history = [(m["role"], m.get("content")) for m in fake_openai.requests[1].messages[1:]]
    assert history == [
        ("user", "hola"),
        ("assistant", "Hola, Ana."),
        ("user", "¿qué hora es?"),
    ]
    await socket.disconnect()


async def test_tool_run_is_reported_as_an_action_frame(user, token, fake_openai):
    fake_openai.add_tool_calls(("create_task", {"title": "Preparar informe"}))
    fake_openai.add_text("He creado la tarea ", "Preparar informe.")
    socket = await open_ready(token)
    await socket.send_json_to(message_frame("crea la tarea Preparar informe"))

    frames = await receive_until(socket, "assistant.done")

    turn = assistant_frames(frames)
    assert [f["type"] for f in turn] == [
        "message.accepted",
        "assistant.action",
        "assistant.delta",
        "assistant.delta",
        "assistant.done",
    ]
    action = turn[1]["action"]
    assert action["tool"] == "create_task"
    assert action["arguments"] == {"title": "Preparar informe"}
    assert action["result"]["task"]["title"] == "Preparar informe"
    assert turn[-1]["message"]["content"] == "He creado la tarea Preparar informe."
    assert turn[-1]["message"]["actions"] == [action]
    # The same socket also hears about the new task as a live update.
    updates = [f for f in frames if f["type"] == "task.updated"]
    if not updates:
        updates = [await receive(socket)]
    assert updates[0]["task"]["id"] == action["result"]["task"]["id"]
    await socket.disconnect()


async def test_assistant_change_reaches_the_users_other_socket_only(
    user, token, other_token, fake_openai
):
    fake_openai.add_tool_calls(("create_task", {"title": "Preparar informe"}))
    fake_openai.add_text("Hecho.")
    phone = await open_ready(token)
    laptop = await open_ready(token)
    stranger = await open_ready(other_token)

    await phone.send_json_to(message_frame("crea la tarea Preparar informe"))
    await receive_until(phone, "assistant.done")

    update = await receive(laptop)
    assert update["type"] == "task.updated"
    assert update["task"]["title"] == "Preparar informe"
    assert await laptop.receive_nothing(timeout=0.2)  # no assistant frames on the other socket
    assert await stranger.receive_nothing(timeout=0.2)
    for socket in (phone, laptop, stranger):
        await socket.disconnect()


async def test_without_a_model_configured_the_message_is_kept_and_an_error_sent(token, settings):
    settings.OPENAI_API_KEY = None
    socket = await open_ready(token)
    await socket.send_json_to(message_frame("hola"))

    accepted = await receive(socket)
    error = await receive(socket)

    assert accepted["type"] == "message.accepted"
    assert error["type"] == "error"
    assert error["code"] == "assistant_unavailable"
    assert error["message"]
    assert await stored_messages(accepted["conversation_id"]) == [
        {"role": "user", "content": "hola", "status": "complete"}
    ]
    await socket.send_json_to({"type": "ping"})
    assert await receive(socket) == {"type": "pong"}
    await socket.disconnect()


@pytest.mark.parametrize(
    ("script", "code"),
    [
        (lambda fake: fake.add_http_error(500), "assistant_upstream_error"),
        (lambda fake: fake.add_http_error(429, "Rate limit"), "assistant_upstream_error"),
        (lambda fake: fake.add_stream_error("boom", "Empiezo a "), "assistant_upstream_error"),
        (lambda fake: fake.add_slow(5), "assistant_timeout"),
    ],
    ids=["http-500", "http-429", "error-mid-stream", "timeout"],
)
async def test_model_failure_is_an_error_frame_and_no_finished_answer(
    token, fake_openai, settings, script, code
):
    settings.OPENAI_TIMEOUT_SECONDS = 0.5
    script(fake_openai)
    socket = await open_ready(token)
    await socket.send_json_to(message_frame("hola"))

    frames = await receive_until(socket, "error")

    assert frames[0]["type"] == "message.accepted"
    assert "assistant.done" not in [f["type"] for f in frames]
    assert frames[-1]["code"] == code
    assert frames[-1]["message"]
    stored = await stored_messages(frames[0]["conversation_id"])
    assert stored[0] == {"role": "user", "content": "hola", "status": "complete"}
    assert all(m["status"] != "complete" for m in stored if m["role"] == "assistant")
    # The socket is still usable and the generation slot is free again.
    fake_openai.add_text("Ahora sí.")
    await socket.send_json_to(message_frame("otra vez", frames[0]["conversation_id"]))
    again = await receive_until(socket, "assistant.done")
    assert again[-1]["message"]["content"] == "Ahora sí."
    await socket.disconnect()


async def test_unknown_or_other_users_conversation_is_not_found(token, other_user, fake_openai):
    theirs = await database_sync_to_async(Conversation.objects.create)(
        user=other_user, title="Privada"
    )
    socket = await open_ready(token)
    for conversation_id in (str(theirs.id), str(uuid.uuid4())):
        await socket.send_json_to(message_frame("hola", conversation_id))
        error = await receive(socket)
        assert error["type"] == "error"
        assert error["code"] == "not_found"
    await socket.disconnect()
    assert fake_openai.requests == []
    assert await database_sync_to_async(Message.objects.count)() == 0


@pytest.mark.parametrize(
    ("frame", "field"),
    [
        ({"type": "message"}, "content"),
        ({"type": "message", "content": ""}, "content"),
        ({"type": "message", "content": "   "}, "content"),
        ({"type": "message", "content": "x" * 4001}, "content"),
        ({"type": "message", "content": 42}, "content"),
        ({"type": "message", "content": ["hola"]}, "content"),
        ({"type": "message", "content": "hola", "conversation_id": "nope"}, "conversation_id"),
        ({"type": "message", "content": "hola", "conversation_id": ["x"]}, "conversation_id"),
    ],
)
async def test_invalid_message_is_a_validation_error_frame(token, fake_openai, frame, field):
    socket = await open_ready(token)
    await socket.send_to(text_data=json.dumps(frame))

    error = await receive(socket)

    assert error["type"] == "error"
    assert error["code"] == "validation_error"
    assert list(error["fields"]) == [field]
    assert all(isinstance(m, str) for m in error["fields"][field])
    await socket.send_json_to({"type": "ping"})
    assert await receive(socket) == {"type": "pong"}
    await socket.disconnect()
    assert fake_openai.requests == []


async def test_messages_share_the_chat_rate_limit(token, fake_openai, settings):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "chat_user": "1/min"}
    fake_openai.add_text("Hola.")
    socket = await open_ready(token)
    await socket.send_json_to(message_frame("hola"))
    await receive_until(socket, "assistant.done")

    await socket.send_json_to(message_frame("otra"))
    error = await receive(socket)

    assert error["type"] == "error"
    assert error["code"] == "throttled"
    await socket.disconnect()
    assert len(fake_openai.requests) == 1


async def test_user_deactivated_after_the_handshake_is_signed_out(user, token, fake_openai):
    socket = await open_ready(token)
    user.is_active = False
    await database_sync_to_async(user.save)()

    await socket.send_json_to(message_frame("hola"))

    output = await socket.receive_output(timeout=5)
    assert output == {"type": "websocket.close", "code": 4001}
    await socket.disconnect()
    assert fake_openai.requests == []


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "The assistant is not available"),
        ("es", "El asistente no está disponible"),
    ],
)
async def test_assistant_error_frame_is_in_the_users_language(
    user, token, settings, language, expected
):
    settings.OPENAI_API_KEY = None
    user.language = language
    await database_sync_to_async(user.save)()
    socket = await open_ready(token)
    await socket.send_json_to(message_frame("hola"))

    frames = await receive_until(socket, "error")

    assert frames[-1]["code"] == "assistant_unavailable"
    assert frames[-1]["message"].startswith(expected)
    await socket.disconnect()

# ruff: noqa: F811  (pytest fixtures imported from tests.ws, used as arguments)
"""`/ws/chat/` over the wire: a real Daphne process and a real websocket client. Covers what
the in-process communicator cannot show (the 403 of a refused handshake, close codes as a
client receives them) and live updates crossing processes through Redis."""

import asyncio
import json

import pytest
from channels.db import database_sync_to_async
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from chat.models import Message
from tests.ws import client as in_process
from tests.ws.client import WAIT, publish_committed
from tests.ws.daphne import daphne_url, daphne_url_with_model  # noqa: F401
from tests.ws.fixtures import other_token, token  # noqa: F401

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


def client(url: str, *, token: str | None = None, origin: str | None = None):
    headers = {"Authorization": f"Bearer {token}"} if token else None
    return connect(
        f"{url}/ws/chat/",
        additional_headers=headers,
        origin=origin,
        proxy=None,
        open_timeout=WAIT,
    )


async def receive(ws) -> dict:
    return json.loads(await asyncio.wait_for(ws.recv(), WAIT))


async def close_code(ws) -> int | None:
    with pytest.raises(ConnectionClosed) as closed:
        await asyncio.wait_for(ws.recv(), WAIT)
    return closed.value.rcvd.code if closed.value.rcvd else None


async def test_foreign_origin_is_refused_with_403(daphne_url):
    with pytest.raises(InvalidStatus) as refused:
        async with client(daphne_url, origin="https://evil.example"):
            pass
    assert refused.value.response.status_code == 403


async def test_bad_header_token_is_closed_4001_on_the_wire(daphne_url):
    async with client(daphne_url, token="not-a-jwt") as ws:
        assert await close_code(ws) == 4001


async def test_bad_auth_frame_is_closed_4001_on_the_wire(daphne_url):
    async with client(daphne_url, origin="http://localhost") as ws:
        await ws.send(json.dumps({"type": "auth", "token": "not-a-jwt"}))
        assert await close_code(ws) == 4001


@pytest.mark.postgres
async def test_header_and_frame_auth_then_ping_over_the_wire(daphne_url, token):
    async with client(daphne_url, token=token) as ws:
        assert await receive(ws) == {"type": "ready"}
        await ws.send(json.dumps({"type": "ping"}))
        assert await receive(ws) == {"type": "pong"}
    async with client(daphne_url) as ws:
        await ws.send(json.dumps({"type": "auth", "token": token}))
        assert await receive(ws) == {"type": "ready"}


@pytest.mark.postgres
@pytest.mark.redis
async def test_update_published_here_reaches_a_socket_on_the_other_process(
    daphne_url, user, token, other_token
):
    async with (
        client(daphne_url, token=token) as mine,
        client(daphne_url, token=other_token) as theirs,
    ):
        assert await receive(mine) == {"type": "ready"}
        assert await receive(theirs) == {"type": "ready"}
        task = {"id": "5f0c6b1e-8a0e-4c55-9a4e-1c2b3d4e5f60", "status": "running"}
        await publish_committed(user.id, "task.updated", {"task": task})
        assert await receive(mine) == {"type": "task.updated", "task": task}
        # The other user's socket gets nothing: its next frame is the pong to its own ping.
        await theirs.send(json.dumps({"type": "ping"}))
        assert await receive(theirs) == {"type": "pong"}


async def receive_until(ws, frame_type: str) -> list[dict]:
    frames = []
    while not frames or frames[-1]["type"] != frame_type:
        frames.append(await receive(ws))
    return frames


@pytest.mark.postgres
@pytest.mark.redis
async def test_reply_streams_to_one_device_while_the_change_reaches_the_other(
    daphne_url_with_model, fake_openai, user, token
):
    # The "done means": the phone talks to the assistant on one server process; the
    # laptop's socket lives in another process (this one) and sees the task appear.
    fake_openai.add_tool_calls(("create_task", {"title": "Preparar informe"}))
    fake_openai.add_text("He creado ", "la tarea ", "Preparar informe.")
    laptop = await in_process.open_ready(token)
    async with client(daphne_url_with_model, token=token) as phone:
        assert await receive(phone) == {"type": "ready"}
        message = {"type": "message", "content": "crea la tarea Preparar informe"}
        await phone.send(json.dumps(message))
        frames = await receive_until(phone, "assistant.done")

    turn = [f for f in frames if f["type"].startswith(("message.", "assistant."))]
    assert [f["type"] for f in turn] == [
        "message.accepted",
        "assistant.action",
        "assistant.delta",
        "assistant.delta",
        "assistant.delta",
        "assistant.done",
    ]
    assert turn[-1]["message"]["content"] == "He creado la tarea Preparar informe."
    task = turn[1]["action"]["result"]["task"]
    update = await in_process.receive(laptop)
    assert update["type"] == "task.updated"
    assert update["task"]["id"] == task["id"]
    assert update["task"]["title"] == "Preparar informe"
    await laptop.disconnect()


@pytest.mark.postgres
async def test_closing_the_socket_mid_reply_stops_the_model_and_keeps_the_text(
    daphne_url_with_model, fake_openai, token
):
    fake_openai.add_hang("Primera parte")
    async with client(daphne_url_with_model, token=token) as phone:
        assert await receive(phone) == {"type": "ready"}
        await phone.send(json.dumps({"type": "message", "content": "cuéntame algo"}))
        accepted = await receive(phone)
        # Over the wire too, the words arrive while the model is still writing.
        assert await receive(phone) == {
            "type": "assistant.delta",
            "conversation_id": accepted["conversation_id"],
            "delta": "Primera parte",
        }

    freed = await asyncio.to_thread(fake_openai.client_disconnected.wait, WAIT)
    assert freed, "the model call was not closed"
    stored = await stored_reply(accepted["conversation_id"])
    assert stored == {"content": "Primera parte", "status": "interrupted"}


async def stored_reply(conversation_id) -> dict | None:
    """The assistant message the server process stores after the cancellation (waits for it:
    the other process commits it shortly after the model call is closed)."""
    query = Message.objects.filter(conversation_id=conversation_id, role="assistant")
    for _ in range(100):
        found = await database_sync_to_async(query.values("content", "status").first)()
        if found:
            return found
        await asyncio.sleep(0.05)
    return None

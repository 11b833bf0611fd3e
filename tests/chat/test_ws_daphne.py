# ruff: noqa: F811  (pytest fixtures imported from tests.ws, used as arguments)
"""`/ws/chat/` over the wire: a real Daphne process and a real websocket client. Covers what
the in-process communicator cannot show (the 403 of a refused handshake, close codes as a
client receives them) and live updates crossing processes through Redis."""

import asyncio
import json

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from tests.ws.client import WAIT, publish_committed
from tests.ws.daphne import daphne_url  # noqa: F401
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

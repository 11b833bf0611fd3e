# ruff: noqa: F811  (pytest fixtures imported from tests.ws.fixtures, used as arguments)
"""Live updates: what a service publishes through config.realtime after commit reaches every
open socket of that user, and only that user's."""

import pytest
from channels.db import database_sync_to_async

from tests.ws.client import communicator, open_ready, publish_committed, receive
from tests.ws.fixtures import other_token, short_auth_timeout, token  # noqa: F401

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

TASK = {"task": {"id": "5f0c6b1e-8a0e-4c55-9a4e-1c2b3d4e5f60", "title": "Informe"}}


async def test_published_change_arrives_as_a_frame_after_commit(user, token):
    socket = await open_ready(token)
    await publish_committed(user.id, "task.updated", TASK)
    assert await receive(socket) == {"type": "task.updated", **TASK}
    await socket.disconnect()


async def test_rolled_back_change_is_not_sent(user, token):
    socket = await open_ready(token)
    await publish_committed(user.id, "task.updated", TASK, rollback=True)
    assert await socket.receive_nothing(timeout=0.3)
    await socket.disconnect()


async def test_every_socket_of_the_user_receives_it(user, token):
    phone = await open_ready(token)
    laptop = await open_ready(token)
    await publish_committed(user.id, "goal.updated", {"goal": {"id": 1, "current_value": 3}})
    expected = {"type": "goal.updated", "goal": {"id": 1, "current_value": 3}}
    assert await receive(phone) == expected
    assert await receive(laptop) == expected
    await phone.disconnect()
    await laptop.disconnect()


async def test_another_users_socket_receives_nothing(user, token, other_token):
    mine = await open_ready(token)
    theirs = await open_ready(other_token)
    await publish_committed(user.id, "checkin.created", {"check_in": {"mood": 4}})
    assert await receive(mine) == {"type": "checkin.created", "check_in": {"mood": 4}}
    assert await theirs.receive_nothing(timeout=0.3)
    await mine.disconnect()
    await theirs.disconnect()


async def test_socket_authenticated_by_frame_receives_updates(user, token):
    socket = communicator()
    await socket.connect()
    await socket.send_json_to({"type": "auth", "token": token})
    assert await receive(socket) == {"type": "ready"}
    await publish_committed(user.id, "task.updated", TASK)
    assert await receive(socket) == {"type": "task.updated", **TASK}
    await socket.disconnect()


async def test_unauthenticated_socket_receives_nothing(user, short_auth_timeout):
    socket = communicator()
    await socket.connect()
    await publish_committed(user.id, "task.updated", TASK)
    # The only thing it gets is the 4001 close when its auth time runs out.
    output = await socket.receive_output(timeout=5)
    assert output == {"type": "websocket.close", "code": 4001}
    await socket.disconnect()


async def test_updates_interleave_with_other_frames(user, token):
    socket = await open_ready(token)
    await socket.send_json_to({"type": "ping"})
    await publish_committed(user.id, "task.updated", TASK)
    received = [await receive(socket), await receive(socket)]
    assert {"type": "pong"} in received
    assert {"type": "task.updated", **TASK} in received
    await socket.disconnect()


async def test_rest_change_to_a_task_reaches_the_users_sockets_only(
    user, token, other_token, api_client
):
    socket = await open_ready(token)
    stranger = await open_ready(other_token)

    created = await database_sync_to_async(api_client.post)(
        "/api/v1/tasks", {"title": "Preparar informe"}, format="json"
    )
    assert created.status_code == 201, created.content
    task_id = created.json()["id"]
    started = await database_sync_to_async(api_client.post)(f"/api/v1/tasks/{task_id}/start")
    assert started.status_code == 200, started.content

    first, second = await receive(socket), await receive(socket)
    assert first["type"] == second["type"] == "task.updated"
    assert first["task"]["id"] == second["task"]["id"] == task_id
    assert first["task"]["title"] == "Preparar informe"
    assert second["task"]["status"] == started.json()["status"] == "in_progress"
    assert await stranger.receive_nothing(timeout=0.2)
    await socket.disconnect()
    await stranger.disconnect()


@pytest.mark.parametrize(
    ("path", "body", "event_type", "key"),
    [
        (
            "/api/v1/goals",
            {"title": "Correr", "target_value": "20", "unit": "km"},
            "goal.updated",
            "goal",
        ),
        ("/api/v1/checkins", {"mood": 4, "energy": 3}, "checkin.created", "check_in"),
    ],
    ids=["goal", "check-in"],
)
async def test_rest_created_goal_or_check_in_arrives_as_a_frame(
    token, api_client, path, body, event_type, key
):
    socket = await open_ready(token)

    created = await database_sync_to_async(api_client.post)(path, body, format="json")
    assert created.status_code == 201, created.content

    frame = await receive(socket)
    assert frame["type"] == event_type
    assert frame[key]["id"] == created.json()["id"]
    assert frame["source"] == "api"
    await socket.disconnect()

# ruff: noqa: F811  (pytest fixtures imported from tests.ws.fixtures, used as arguments)
"""A nudge answered over `/ws/chat/`: the same turn as REST, with and without a model."""

import pytest
from channels.db import database_sync_to_async

from chat.models import Nudge
from tasks.models import TaskEvent
from tests.chat.test_nudges import ask, local_clock
from tests.ws.client import open_ready, receive_until
from tests.ws.fixtures import token  # noqa: F401

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


@database_sync_to_async
def settled(nudge) -> Nudge:
    nudge.refresh_from_db()
    return nudge


@database_sync_to_async
def corrections() -> list:
    return list(TaskEvent.objects.filter(type="corrected").values_list("segment_end", flat=True))


async def test_without_a_model_the_socket_settles_it_with_a_time(user, token, settings):
    settings.OPENAI_API_KEY = None
    nudge = await database_sync_to_async(ask)(user)
    at = local_clock(user, nudge.proposed_stopped_at)
    socket = await open_ready(token)

    await socket.send_json_to(
        {"type": "message", "content": at, "conversation_id": str(nudge.conversation_id)}
    )
    frames = await receive_until(socket, "assistant.done")

    kinds = [f["type"] for f in frames if f["type"] != "task.updated"]
    assert kinds == ["message.accepted", "assistant.action", "assistant.delta", "assistant.done"]
    assert frames[-1]["message"]["content"].startswith(f"Hecho: «Informe» quedó parado a las {at}")
    assert await corrections() == [nudge.proposed_stopped_at]
    assert (await settled(nudge)).answer == "stopped"
    await socket.disconnect()


async def test_with_the_model_the_socket_settles_it_through_the_tool(user, token, fake_openai):
    nudge = await database_sync_to_async(ask)(user)
    fake_openai.add_tool_calls(
        ("correct_timer", {"task_id": str(nudge.task_id), "still_working": True})
    )
    fake_openai.add_text("Sigue en marcha.")
    socket = await open_ready(token)

    await socket.send_json_to(
        {"type": "message", "content": "sigo", "conversation_id": str(nudge.conversation_id)}
    )
    frames = await receive_until(socket, "assistant.done")

    action = next(f for f in frames if f["type"] == "assistant.action")["action"]
    assert action["tool"] == "correct_timer" and action["result"]["still_working"] is True
    assert (await settled(nudge)).answer == "continue"
    await socket.disconnect()

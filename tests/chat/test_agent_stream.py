"""chat.agent.run_turn as the websocket consumer uses it: frames in order, cancellation."""

import asyncio
import json

import pytest
from channels.db import database_sync_to_async

from chat.agent import run_turn
from chat.models import Message
from tasks.models import Task

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


class Frames(list):
    async def __call__(self, frame):
        json.dumps(frame)  # every frame must be plain JSON
        self.append(frame)


def messages_of(conversation_id):
    return list(
        Message.objects.filter(conversation_id=conversation_id)
        .order_by("created_at", "id")
        .values("role", "content", "status", "tool_calls")
    )


async def test_frames_arrive_in_order_with_each_fragment(user, fake_openai):
    fake_openai.add_text("Buenos ", "días, ", "Ana.")
    frames = Frames()

    result = await run_turn(user=user, content="hola", emit=frames)

    assert [f["type"] for f in frames] == [
        "message.accepted",
        "assistant.delta",
        "assistant.delta",
        "assistant.delta",
        "assistant.done",
    ]
    assert all(f["conversation_id"] == result.conversation_id for f in frames)
    assert frames[0]["message"] == result.user_message
    assert frames[0]["message"]["content"] == "hola"
    assert [f["delta"] for f in frames[1:4]] == ["Buenos ", "días, ", "Ana."]
    assert frames[-1]["message"] == result.assistant_message
    assert result.assistant_message["content"] == "Buenos días, Ana."


async def test_deltas_are_emitted_while_the_model_is_still_writing(user, fake_openai):
    fake_openai.add_hang("Empiezo")
    frames = Frames()
    task = asyncio.create_task(run_turn(user=user, content="hola", emit=frames))

    for _ in range(200):
        if any(f["type"] == "assistant.delta" for f in frames):
            break
        await asyncio.sleep(0.02)
    assert [f["type"] for f in frames] == ["message.accepted", "assistant.delta"]

    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def test_cancelling_keeps_partial_text_as_interrupted_and_closes_the_stream(
    user, fake_openai
):
    fake_openai.add_hang("Voy a ", "revisar")
    frames = Frames()
    task = asyncio.create_task(run_turn(user=user, content="¿qué tengo hoy?", emit=frames))
    for _ in range(200):
        if len(frames) >= 3:
            break
        await asyncio.sleep(0.02)

    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    assert await asyncio.to_thread(fake_openai.client_disconnected.wait, 5)
    conversation_id = frames[0]["conversation_id"]
    rows = await database_sync_to_async(messages_of)(conversation_id)
    assert [(r["role"], r["content"], r["status"]) for r in rows] == [
        ("user", "¿qué tengo hoy?", "complete"),
        ("assistant", "Voy a revisar", "interrupted"),
    ]
    assert not any(f["type"] == "assistant.done" for f in frames)


async def test_cancelling_before_any_text_keeps_only_the_user_message(user, fake_openai):
    fake_openai.add_hang()
    frames = Frames()
    task = asyncio.create_task(run_turn(user=user, content="hola", emit=frames))
    assert await asyncio.to_thread(fake_openai.hanging.wait, 5)

    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    rows = await database_sync_to_async(messages_of)(frames[0]["conversation_id"])
    assert [r["role"] for r in rows] == ["user"]


async def test_cancelling_after_a_tool_ran_keeps_the_action(user, fake_openai):
    fake_openai.add_tool_calls(("create_task", {"title": "Informe"}))
    fake_openai.add_hang("Creada, ahora")
    frames = Frames()
    task = asyncio.create_task(run_turn(user=user, content="crea Informe", emit=frames))
    assert await asyncio.to_thread(fake_openai.hanging.wait, 5)
    for _ in range(200):
        if any(f["type"] == "assistant.delta" for f in frames):
            break
        await asyncio.sleep(0.02)

    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    assert [f["type"] for f in frames[:2]] == ["message.accepted", "assistant.action"]
    rows = await database_sync_to_async(messages_of)(frames[0]["conversation_id"])
    assert [(r["role"], r["status"]) for r in rows] == [
        ("user", "complete"),
        ("assistant", "complete"),  # the round that asked for the tool
        ("tool", "complete"),
        ("assistant", "interrupted"),
    ]
    final = await database_sync_to_async(
        lambda: Message.objects.filter(role="assistant", tool_calls__isnull=True).get()
    )()
    assert final.content == "Creada, ahora"
    assert [a["tool"] for a in final.actions] == ["create_task"]
    assert await database_sync_to_async(Task.objects.filter(user=user, title="Informe").exists)()


async def test_emit_receives_the_action_with_its_result(user, fake_openai):
    fake_openai.add_tool_calls(("create_check_in", {"mood": 4, "energy": 3}))
    fake_openai.add_text("Anotado.")
    frames = Frames()

    result = await run_turn(user=user, content="ánimo 4 energía 3", emit=frames)

    assert [f["type"] for f in frames] == [
        "message.accepted",
        "assistant.action",
        "assistant.delta",
        "assistant.done",
    ]
    action = frames[1]["action"]
    assert action["tool"] == "create_check_in"
    assert action["arguments"] == {"mood": 4, "energy": 3}
    assert action["result"]["check_in"]["mood"] == 4
    assert result.actions == [action]
    assert frames[-1]["message"]["actions"] == [action]

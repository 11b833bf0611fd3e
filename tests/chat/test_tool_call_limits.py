# ruff: noqa: F811  (pytest fixtures imported from tests.ws, used as arguments)
"""The assistant's tool-call limits: at most ASSISTANT_MAX_TOOL_CALLS_PER_ROUND calls of one
model response run, at most ASSISTANT_MAX_TOOL_CALLS_PER_TURN in a whole turn; the calls past
them are not run and the model is told so in each of their results."""

import json

import pytest

from chat.models import Message
from tasks.models import Task
from tests.ws.client import open_ready, receive_until
from tests.ws.fixtures import token  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def limits(settings):
    settings.ASSISTANT_MAX_TOOL_CALLS_PER_ROUND = 8
    settings.ASSISTANT_MAX_TOOL_CALLS_PER_TURN = 20


def tool_messages(request) -> list[dict]:
    return [m for m in request.messages if m["role"] == "tool"]


def test_a_hundred_calls_in_one_round_run_at_most_the_round_limit(say, user, fake_openai):
    calls = [("create_task", {"title": f"Tarea {n}"}) for n in range(100)]
    fake_openai.add_tool_calls(*calls)
    fake_openai.add_text("He creado ocho; dime si sigo.")

    body = say("crea cien tareas")

    assert sorted(Task.objects.filter(user=user).values_list("title", flat=True)) == sorted(
        f"Tarea {n}" for n in range(8)
    )
    assert [a["result"]["task"]["title"] for a in body["actions"]] == [
        f"Tarea {n}" for n in range(8)
    ]
    # Every call got an answer (the API requires it); the 92 not run say why.
    results = tool_messages(fake_openai.requests[1])
    assert len(results) == 100
    refused = [json.loads(m["content"]) for m in results[8:]]
    assert all(r["error"]["code"] == "tool_call_limit" for r in refused)
    assert "8" in refused[0]["error"]["message"]
    assert all("task" in json.loads(m["content"]) for m in results[:8])
    # Stored for the replay, but not as actions of the turn.
    stored = Message.objects.filter(role="tool", conversation_id=body["conversation_id"])
    assert stored.count() == 100
    assert sum(len(m.actions) for m in stored) == 8
    assert len(body["assistant_message"]["actions"]) == 8


def test_refused_calls_are_replayed_with_their_refusal_on_the_next_turn(say, fake_openai):
    fake_openai.add_tool_calls(*[("list_categories", {}) for _ in range(10)])
    fake_openai.add_text("Listo.")
    first = say("hola")
    fake_openai.add_text("Sigo.")

    say("sigue", conversation_id=first["conversation_id"])

    history = tool_messages(fake_openai.requests[2])
    assert len(history) == 10
    codes = [json.loads(m["content"]).get("error", {}).get("code") for m in history]
    assert codes == [None] * 8 + ["tool_call_limit"] * 2


def test_the_turn_limit_counts_calls_across_rounds_then_asks_for_a_closing_answer(
    say, user, fake_openai
):
    for round_number in range(3):
        fake_openai.add_tool_calls(
            *[("create_task", {"title": f"R{round_number}-{n}"}) for n in range(8)]
        )
    fake_openai.add_text("He creado veinte; el resto en otro mensaje.")

    body = say("crea muchas tareas")

    assert Task.objects.filter(user=user).count() == 20
    assert len(body["actions"]) == 20
    third_results = [json.loads(m["content"]) for m in tool_messages(fake_openai.requests[3])]
    assert [r.get("error", {}).get("code") for r in third_results[-8:]] == [None] * 4 + [
        "tool_call_limit"
    ] * 4
    assert "20" in third_results[-1]["error"]["message"]
    # The allowance is spent: the last call offers no tools and says why.
    closing = fake_openai.requests[3]
    assert closing.tools == []
    assert closing.messages[-1]["role"] == "system"
    assert len(fake_openai.requests) == 4
    assert body["assistant_message"]["content"] == "He creado veinte; el resto en otro mensaje."


def test_the_limits_are_settings(say, user, fake_openai, settings):
    settings.ASSISTANT_MAX_TOOL_CALLS_PER_ROUND = 2
    settings.ASSISTANT_MAX_TOOL_CALLS_PER_TURN = 3
    fake_openai.add_tool_calls(*[("create_task", {"title": f"A{n}"}) for n in range(5)])
    fake_openai.add_tool_calls(*[("create_task", {"title": f"B{n}"}) for n in range(5)])
    fake_openai.add_text("Hecho.")

    body = say("crea")

    assert [a["arguments"]["title"] for a in body["actions"]] == ["A0", "A1", "B0"]
    assert Task.objects.filter(user=user).count() == 3


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_over_the_websocket_only_the_calls_run_are_sent_as_actions(token, fake_openai):
    fake_openai.add_tool_calls(*[("create_task", {"title": f"T{n}"}) for n in range(30)])
    fake_openai.add_text("Ocho creadas.")
    socket = await open_ready(token)
    await socket.send_json_to({"type": "message", "content": "crea treinta"})

    frames = await receive_until(socket, "assistant.done")

    actions = [f for f in frames if f["type"] == "assistant.action"]
    assert len(actions) == 8
    assert len(frames[-1]["message"]["actions"]) == 8
    await socket.disconnect()

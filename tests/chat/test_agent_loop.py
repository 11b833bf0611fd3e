"""The agent loop: tool rounds, the round limit, the prompt and the conversation history."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from chat import agent
from chat.models import Message
from tasks import services as task_services
from tasks.models import Task
from tests.chat.conftest import tool_result
from tests.fakes.openai_server import ToolCall

pytestmark = pytest.mark.django_db


def test_several_tools_in_one_round_and_a_second_round(say, user, fake_openai):
    fake_openai.add_tool_calls(
        ("create_task", {"title": "Preparar informe"}),
        ("create_check_in", {"mood": 3, "energy": 4}),
    )
    fake_openai.add_tool_calls(("list_tasks", {}), text="Ahora la empiezo.")
    fake_openai.add_text("Listo: creé la tarea y anoté tu estado.")

    body = say("crea la tarea Preparar informe y anota ánimo 3 energía 4")

    assert [a["tool"] for a in body["actions"]] == ["create_task", "create_check_in", "list_tasks"]
    assert len(fake_openai.requests) == 3
    second = fake_openai.requests[1]
    assert [m["role"] for m in second.messages[-3:]] == ["assistant", "tool", "tool"]
    third = fake_openai.requests[2]
    assert third.messages[-2]["content"] == "Ahora la empiezo."
    assert [t["title"] for t in tool_result(third)["tasks"]] == ["Preparar informe"]
    assert body["assistant_message"]["content"] == (
        "Ahora la empiezo.\n\nListo: creé la tarea y anoté tu estado."
    )


def test_the_tools_offered_are_exactly_the_contract(say, fake_openai):
    fake_openai.add_text("hola")
    say("hola")
    request = fake_openai.requests[0]
    assert sorted(request.tool_names) == sorted(
        [
            "list_tasks",
            "create_task",
            "update_task",
            "start_task",
            "pause_task",
            "complete_task",
            "log_time",
            "correct_timer",
            "list_categories",
            "list_goals",
            "create_goal",
            "log_goal_progress",
            "pause_goal",
            "create_check_in",
            "get_summary",
            "get_insights",
            "remember",
            "list_memories",
            "forget",
            "plan_today",
            "get_plan",
            "update_plan",
        ]
    )
    for tool in request.tools:
        parameters = tool["function"]["parameters"]
        assert parameters["type"] == "object"
        assert parameters["additionalProperties"] is False
        assert set(parameters["required"]) <= set(parameters["properties"])


def test_round_limit_stops_tools_and_asks_for_a_closing_answer(say, user, fake_openai):
    for n in range(agent.MAX_TOOL_ROUNDS):
        fake_openai.add_tool_calls(("create_task", {"title": f"Tarea {n}"}))
    fake_openai.add_text("Creé cinco tareas; dime si sigo.")

    body = say("crea muchas tareas")

    assert Task.objects.filter(user=user).count() == agent.MAX_TOOL_ROUNDS
    assert len(fake_openai.requests) == agent.MAX_TOOL_ROUNDS + 1
    last = fake_openai.requests[-1]
    assert last.tools == []
    assert last.messages[-1]["role"] == "system"
    assert body["assistant_message"]["content"] == "Creé cinco tareas; dime si sigo."
    assert len(body["actions"]) == agent.MAX_TOOL_ROUNDS


def test_a_server_that_keeps_asking_for_tools_gets_a_polite_stop(say, user, fake_openai):
    for n in range(agent.MAX_TOOL_ROUNDS + 1):
        fake_openai.add_tool_calls(("create_task", {"title": f"Tarea {n}"}))

    body = say("crea muchas tareas")

    assert Task.objects.filter(user=user).count() == agent.MAX_TOOL_ROUNDS
    assert body["assistant_message"]["status"] == "complete"
    assert "límite" in body["assistant_message"]["content"]


def test_system_prompt_has_the_users_time_zone_local_time_and_weekday(say, user, fake_openai):
    fake_openai.add_text("hola")
    say("hola")

    prompt = fake_openai.requests[0].system_prompt
    now = timezone.now().astimezone(user.tz)
    weekdays = ["lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"]
    assert "Europe/Madrid" in prompt
    assert now.date().isoformat() in prompt
    assert weekdays[now.weekday()] in prompt
    assert "Ana" in prompt
    assert "español" in prompt
    assert "Ningún temporizador" in prompt or "No hay ningún temporizador" in prompt


def test_system_prompt_in_english_for_an_english_user(say, user, fake_openai):
    user.language = "en"
    user.timezone = "America/New_York"
    user.save()
    fake_openai.add_text("hi")
    say("hi")

    prompt = fake_openai.requests[0].system_prompt
    now = timezone.now().astimezone(user.tz)
    assert "America/New_York" in prompt
    assert now.strftime("%A") in prompt
    assert "English" in prompt
    assert now.strftime("%H:") in prompt or (now - timedelta(minutes=1)).strftime("%H:") in prompt


def test_system_prompt_names_the_running_timer(say, user, fake_openai):
    task = task_services.task_create(user=user, source="api", title="Informe Q3")
    task_services.task_start(user=user, task=task, source="api")
    fake_openai.add_text("Sigues con el informe.")

    say("¿en qué estoy?")

    prompt = fake_openai.requests[0].system_prompt
    assert "Informe Q3" in prompt
    assert str(task.pk) in prompt


def test_second_turn_sends_the_history_with_tool_calls_and_results(say, user, fake_openai):
    fake_openai.add_tool_calls(ToolCall("create_task", {"title": "Informe"}, id="call_x"))
    fake_openai.add_text("Creada.")
    fake_openai.add_text("De nada.")
    first = say("crea Informe")

    say("gracias", conversation_id=first["conversation_id"])

    sent = fake_openai.requests[2].messages
    assert [m["role"] for m in sent] == [
        "system",
        "user",
        "assistant",
        "tool",
        "assistant",
        "user",
    ]
    assert sent[1]["content"] == "crea Informe"
    assert sent[2]["tool_calls"][0]["id"] == "call_x"
    assert sent[3]["tool_call_id"] == "call_x"
    assert json.loads(sent[3]["content"])["task"]["title"] == "Informe"
    assert sent[4] == {"role": "assistant", "content": "Creada."}
    assert sent[5] == {"role": "user", "content": "gracias"}


def test_history_is_trimmed_to_the_budget_by_whole_turns(say, settings, fake_openai):
    settings.CHAT_HISTORY_TOKEN_BUDGET = 300
    conversation_id = None
    for n in range(6):
        fake_openai.add_text(f"respuesta {n} " + "x" * 200)
        body = say(f"mensaje {n} " + "y" * 200, conversation_id=conversation_id)
        conversation_id = body["conversation_id"]
    fake_openai.add_text("fin")

    say("último", conversation_id=conversation_id)

    sent = fake_openai.requests[-1].messages
    assert sent[0]["role"] == "system"
    assert sent[-1] == {"role": "user", "content": "último"}
    history = sent[1:-1]
    assert 0 < len(history) < 12
    assert history[0]["role"] == "user"
    assert history[-1]["content"].startswith("respuesta 5")
    assert not any("mensaje 0" in (m.get("content") or "") for m in history)


def test_history_of_an_interrupted_tool_round_answers_every_call(say, user, fake_openai):
    first = say_with_dangling_tool_call(say, user, fake_openai)
    fake_openai.add_text("ok")

    say("sigue", conversation_id=first)

    sent = fake_openai.requests[-1].messages
    tool_messages = [m for m in sent if m["role"] == "tool"]
    assert [m["tool_call_id"] for m in tool_messages] == ["call_lost"]
    assert json.loads(tool_messages[0]["content"])["error"]["code"] == "interrupted"


def say_with_dangling_tool_call(say, user, fake_openai):
    fake_openai.add_text("hola")
    body = say("hola")
    Message.objects.create(
        conversation_id=body["conversation_id"],
        user=user,
        role="user",
        content="crea algo",
    )
    Message.objects.create(
        conversation_id=body["conversation_id"],
        user=user,
        role="assistant",
        tool_calls=[
            {
                "id": "call_lost",
                "type": "function",
                "function": {"name": "create_task", "arguments": "{}"},
            }
        ],
    )
    return body["conversation_id"]


def test_new_conversation_title_comes_from_the_first_message(say, fake_openai):
    fake_openai.add_text("ok")
    long = "Necesito   organizar la semana:\n informe, reuniones, gimnasio y la compra del sábado"

    body = say(long)

    from chat.models import Conversation

    title = Conversation.objects.get(pk=body["conversation_id"]).title
    assert title.startswith("Necesito organizar la semana: informe")
    assert len(title) <= 60
    assert title.endswith("…")
    assert len(fake_openai.requests) == 1  # no extra model call for the title

"""Task tools through the agent: the model asks, the tool runs, data changes, the model gets
the result in its next request, and the reply comes back."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tasks import services as task_services
from tasks.models import Task, TaskEvent
from tests.chat.conftest import tool_result
from tests.fakes.openai_server import ToolCall

pytestmark = pytest.mark.django_db


def make_task(user, title="Informe", **kwargs):
    return task_services.task_create(user=user, source="api", title=title, **kwargs)


def test_create_task(say, user, fake_openai):
    fake_openai.add_tool_calls(
        ToolCall("create_task", {"title": "Preparar informe", "priority": "high"}, id="c1")
    )
    fake_openai.add_text("Creé la tarea «Preparar informe».")

    body = say("crea la tarea Preparar informe, prioridad alta")

    task = Task.objects.get(user=user)
    assert (task.title, task.priority, task.status) == ("Preparar informe", "high", "pending")
    assert TaskEvent.objects.get(task=task, type="created").source == "assistant"
    second = fake_openai.requests[1]
    assistant_turn = second.messages[-2]
    assert assistant_turn["role"] == "assistant"
    assert assistant_turn["tool_calls"][0]["id"] == "c1"
    assert assistant_turn["tool_calls"][0]["function"]["name"] == "create_task"
    assert second.messages[-1]["tool_call_id"] == "c1"
    assert tool_result(second)["task"]["id"] == str(task.pk)
    assert body["assistant_message"]["content"] == "Creé la tarea «Preparar informe»."
    assert body["actions"] == [
        {
            "tool": "create_task",
            "arguments": {"title": "Preparar informe", "priority": "high"},
            "result": tool_result(second),
        }
    ]
    assert body["assistant_message"]["actions"] == body["actions"]


def test_create_task_with_a_category_by_name(say, user, fake_openai):
    category = task_services.category_create(user=user, name="Trabajo")
    fake_openai.add_tool_calls(("create_task", {"title": "Informe", "category": "trabajo"}))
    fake_openai.add_text("Hecho.")

    say("crea Informe en Trabajo")

    assert Task.objects.get(user=user).category == category


def test_list_tasks_filters_and_sees_only_own_tasks(say, user, other_user, fake_openai):
    make_task(user, "Informe mensual")
    done = make_task(user, "Informe viejo")
    task_services.task_complete(user=user, task=done, source="api")
    make_task(other_user, "Informe ajeno")
    fake_openai.add_tool_calls(("list_tasks", {"search": "informe", "status": "pending"}))
    fake_openai.add_text("Tienes una tarea pendiente.")

    say("¿qué informes tengo pendientes?")

    result = tool_result(fake_openai.requests[1])
    assert [t["title"] for t in result["tasks"]] == ["Informe mensual"]


def test_update_task(say, user, fake_openai):
    task = make_task(user)
    fake_openai.add_tool_calls(
        ("update_task", {"task_id": str(task.pk), "title": "Informe final", "priority": "low"})
    )
    fake_openai.add_text("Renombrada.")

    say("renombra la tarea")

    task.refresh_from_db()
    assert (task.title, task.priority) == ("Informe final", "low")
    event = TaskEvent.objects.get(task=task, type="updated")
    assert event.source == "assistant"


def test_start_task_pauses_the_running_one_and_says_so(say, user, fake_openai):
    running = make_task(user, "Correo")
    task_services.task_start(user=user, task=running, source="api")
    task = make_task(user)
    fake_openai.add_tool_calls(("start_task", {"task_id": str(task.pk)}))
    fake_openai.add_text("Empecé Informe y pausé Correo.")

    say("empieza el informe")

    task.refresh_from_db()
    running.refresh_from_db()
    assert task.running_since is not None
    assert running.running_since is None and running.status == "paused"
    result = tool_result(fake_openai.requests[1])
    assert "running_since" in result["task"]
    assert result["paused_task"]["id"] == str(running.pk)
    assert TaskEvent.objects.get(task=task, type="started").source == "assistant"


def test_pause_task(say, user, fake_openai):
    task = make_task(user)
    task_services.task_start(user=user, task=task, source="api")
    fake_openai.add_tool_calls(("pause_task", {"task_id": str(task.pk)}))
    fake_openai.add_text("Pausada.")

    say("pausa")

    task.refresh_from_db()
    assert task.status == "paused" and task.running_since is None
    assert TaskEvent.objects.get(task=task, type="paused").source == "assistant"


def test_pausing_a_task_that_is_not_running_is_an_error_for_the_model(say, user, fake_openai):
    task = make_task(user)
    fake_openai.add_tool_calls(("pause_task", {"task_id": str(task.pk)}))
    fake_openai.add_text("No estaba en marcha.")

    body = say("pausa")

    assert tool_result(fake_openai.requests[1])["error"]["code"] == "task_not_running"
    assert body["actions"][0]["result"]["error"]["code"] == "task_not_running"


def test_complete_task(say, user, fake_openai):
    task = make_task(user)
    fake_openai.add_tool_calls(("complete_task", {"task_id": str(task.pk)}))
    fake_openai.add_text("Completada.")

    say("terminé el informe")

    task.refresh_from_db()
    assert task.status == "completed"
    assert TaskEvent.objects.get(task=task, type="completed").source == "assistant"


def test_log_time(say, user, fake_openai):
    task = make_task(user)
    end = timezone.now().replace(microsecond=0) - timedelta(hours=1)
    start = end - timedelta(minutes=45)
    fake_openai.add_tool_calls(
        (
            "log_time",
            {
                "task_id": str(task.pk),
                "started_at": start.isoformat(),
                "ended_at": end.isoformat(),
            },
        )
    )
    fake_openai.add_text("Anoté 45 minutos.")

    say("trabajé 45 minutos en el informe")

    task.refresh_from_db()
    assert task.tracked_seconds == 45 * 60
    result = tool_result(fake_openai.requests[1])
    assert result["time_entry"]["duration_seconds"] == 45 * 60
    assert result["time_entry"]["source"] == "assistant"


def test_log_time_with_a_naive_datetime_is_a_field_error(say, user, fake_openai):
    task = make_task(user)
    fake_openai.add_tool_calls(
        (
            "log_time",
            {
                "task_id": str(task.pk),
                "started_at": "2026-01-01T09:00:00",
                "ended_at": "2026-01-01T10:00:00",
            },
        )
    )
    fake_openai.add_text("¿En qué zona horaria?")

    say("anota una hora")

    error = tool_result(fake_openai.requests[1])["error"]
    assert error["code"] == "validation_error"
    assert set(error["fields"]) == {"started_at", "ended_at"}
    assert not TaskEvent.objects.filter(type="time_logged").exists()


def test_list_categories(say, user, other_user, fake_openai):
    task_services.category_create(user=user, name="Trabajo")
    task_services.category_create(user=other_user, name="Ajena")
    fake_openai.add_tool_calls(("list_categories", {}))
    fake_openai.add_text("Tienes Trabajo.")

    say("¿qué categorías tengo?")

    result = tool_result(fake_openai.requests[1])
    assert [c["name"] for c in result["categories"]] == ["Trabajo"]

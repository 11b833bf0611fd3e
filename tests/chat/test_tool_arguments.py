"""Tool calls the model gets wrong are answered to it as errors; other users' ids do not
exist; nothing changes."""

from decimal import Decimal

import pytest

from checkins.models import CheckIn
from goals import services as goal_services
from goals.models import GoalProgress
from tasks import services as task_services
from tasks.models import Task, TaskEvent
from tests.chat.conftest import tool_result
from tests.fakes.openai_server import ToolCall

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("call", "code"),
    [
        (ToolCall("delete_everything", {}), "unknown_tool"),
        (ToolCall("create_task", '{"title": "Infor'), "invalid_arguments"),
        (ToolCall("create_task", "[1, 2]"), "invalid_arguments"),
        (ToolCall("create_task", {}), "invalid_arguments"),
        (ToolCall("create_task", {"title": "x", "owner": "alguien"}), "invalid_arguments"),
        (ToolCall("create_task", {"title": "x", "priority": "urgent"}), "validation_error"),
        (ToolCall("create_task", {"title": "x" * 201}), "validation_error"),
        (ToolCall("create_task", {"title": "x", "estimated_minutes": "mucho"}), "validation_error"),
        (ToolCall("create_task", {"title": "x", "due_at": "mañana"}), "validation_error"),
        (ToolCall("create_task", {"title": "x", "category": "Inexistente"}), "validation_error"),
        (ToolCall("start_task", {"task_id": "not-a-uuid"}), "not_found"),
        (ToolCall("start_task", {"task_id": "7d9f1d1e-0000-4000-8000-000000000000"}), "not_found"),
        (ToolCall("update_task", {"task_id": "x", "status": "completed"}), "invalid_arguments"),
        (ToolCall("log_goal_progress", {"goal_id": "nope", "value": 1}), "not_found"),
        (ToolCall("create_check_in", {"mood": "feliz", "energy": 3}), "validation_error"),
        (ToolCall("create_check_in", {"mood": True, "energy": 3}), "validation_error"),
        (ToolCall("list_tasks", {"status": "done"}), "validation_error"),
        (ToolCall("list_goals", {"status": "finished"}), "validation_error"),
    ],
)
def test_bad_calls_are_errors_for_the_model_and_change_nothing(say, user, fake_openai, call, code):
    fake_openai.add_tool_calls(call)
    fake_openai.add_text("Lo siento, no pude.")

    body = say("haz algo")

    result = tool_result(fake_openai.requests[1])
    assert set(result) == {"error"}
    assert result["error"]["code"] == code
    assert result["error"]["message"]
    assert body["actions"][0]["result"] == result
    assert body["assistant_message"]["content"] == "Lo siento, no pude."
    assert not Task.objects.exists()
    assert not CheckIn.objects.exists()


def test_malformed_arguments_are_shown_as_sent(say, fake_openai):
    fake_openai.add_tool_calls(ToolCall("create_task", '{"title": '))
    fake_openai.add_text("Perdón.")

    body = say("crea")

    assert body["actions"][0]["arguments"] == '{"title": '


@pytest.fixture
def theirs(other_user):
    task = task_services.task_create(user=other_user, source="api", title="Ajena")
    category = task_services.category_create(user=other_user, name="Suya")
    goal = goal_services.goal_create(
        user=other_user, source="api", title="Suya", target_value=Decimal(5), unit="km"
    )
    return {"task": str(task.pk), "category": str(category.pk), "goal": str(goal.pk)}


OTHER_USER_CALLS = [
    ("update_task", lambda t: {"task_id": t["task"], "title": "Mía"}, "not_found"),
    ("start_task", lambda t: {"task_id": t["task"]}, "not_found"),
    ("pause_task", lambda t: {"task_id": t["task"]}, "not_found"),
    ("complete_task", lambda t: {"task_id": t["task"]}, "not_found"),
    (
        "log_time",
        lambda t: {
            "task_id": t["task"],
            "started_at": "2026-01-01T09:00:00+01:00",
            "ended_at": "2026-01-01T10:00:00+01:00",
        },
        "not_found",
    ),
    ("log_goal_progress", lambda t: {"goal_id": t["goal"], "value": 1}, "not_found"),
    ("create_task", lambda t: {"title": "x", "category": t["category"]}, "validation_error"),
    ("list_tasks", lambda t: {"category": t["category"]}, "validation_error"),
]


@pytest.mark.parametrize(("tool", "arguments", "code"), OTHER_USER_CALLS)
def test_another_users_ids_behave_as_missing(
    say, user, other_user, fake_openai, theirs, tool, arguments, code
):
    fake_openai.add_tool_calls((tool, arguments(theirs)))
    fake_openai.add_text("No encuentro eso.")

    say("usa ese id")

    result = tool_result(fake_openai.requests[1])
    assert result["error"]["code"] == code
    task = Task.objects.get(pk=theirs["task"])
    assert (task.title, task.status, task.tracked_seconds) == ("Ajena", "pending", 0)
    assert not TaskEvent.objects.filter(source="assistant").exists()
    assert not GoalProgress.objects.exists()
    assert not Task.objects.filter(user=user).exists()


def test_unknown_category_and_another_users_category_get_the_same_answer(say, fake_openai, theirs):
    fake_openai.add_tool_calls(
        ("create_task", {"title": "x", "category": theirs["category"]}),
        ("create_task", {"title": "x", "category": "7d9f1d1e-0000-4000-8000-000000000000"}),
    )
    fake_openai.add_text("No existe.")

    say("crea")

    request = fake_openai.requests[1]
    assert tool_result(request, 0) == tool_result(request, 1)


def test_a_failing_tool_does_not_stop_the_others(say, user, fake_openai):
    fake_openai.add_tool_calls(
        ("start_task", {"task_id": "nope"}),
        ("create_task", {"title": "Buena"}),
    )
    fake_openai.add_text("Una sí, otra no.")

    body = say("dos cosas")

    assert [("error" in a["result"]) for a in body["actions"]] == [True, False]
    assert Task.objects.get(user=user).title == "Buena"

"""Goal, check-in and summary tools through the agent."""

from decimal import Decimal

import pytest

from checkins.models import CheckIn
from goals import services as goal_services
from goals.models import Goal, GoalProgress
from tasks import services as task_services
from tests.chat.conftest import tool_result

pytestmark = pytest.mark.django_db


def make_goal(user, title="Correr", target="10", unit="km", **kwargs):
    return goal_services.goal_create(
        user=user, source="api", title=title, target_value=Decimal(target), unit=unit, **kwargs
    )


def test_create_goal(say, user, fake_openai):
    fake_openai.add_tool_calls(
        ("create_goal", {"title": "Leer", "target_value": 12, "unit": "libros", "period": "none"})
    )
    fake_openai.add_text("Meta creada.")

    say("quiero leer 12 libros")

    goal = Goal.objects.get(user=user)
    assert (goal.title, goal.target_value, goal.unit) == ("Leer", Decimal("12"), "libros")
    assert tool_result(fake_openai.requests[1])["goal"]["id"] == str(goal.pk)


def test_create_goal_with_a_bad_target_is_an_error_for_the_model(say, user, fake_openai):
    fake_openai.add_tool_calls(("create_goal", {"title": "Leer", "target_value": -3, "unit": "x"}))
    fake_openai.add_text("La meta debe ser positiva.")

    say("meta rara")

    error = tool_result(fake_openai.requests[1])["error"]
    assert error["code"] == "validation_error"
    assert "target_value" in error["fields"]
    assert not Goal.objects.exists()


def test_list_goals(say, user, other_user, fake_openai):
    make_goal(user, "Correr")
    make_goal(other_user, "Ajena")
    fake_openai.add_tool_calls(("list_goals", {"status": "active"}))
    fake_openai.add_text("Una meta.")

    say("¿mis metas?")

    result = tool_result(fake_openai.requests[1])
    assert [g["title"] for g in result["goals"]] == ["Correr"]


def test_log_goal_progress(say, user, fake_openai):
    goal = make_goal(user)
    fake_openai.add_tool_calls(
        ("log_goal_progress", {"goal_id": str(goal.pk), "value": 2.5, "note": "parque"})
    )
    fake_openai.add_text("Sumé 2,5 km.")

    say("corrí 2,5 km")

    progress = GoalProgress.objects.get(goal=goal)
    assert (progress.value, progress.note, progress.source) == (
        Decimal("2.5"),
        "parque",
        "assistant",
    )
    result = tool_result(fake_openai.requests[1])
    assert result["goal"]["current_value"] == "2.50"


def test_create_check_in(say, user, fake_openai):
    fake_openai.add_tool_calls(("create_check_in", {"mood": 4, "energy": 4, "note": "bien"}))
    fake_openai.add_text("Anotado.")

    say("hoy me siento con energía 4 y ánimo 4")

    checkin = CheckIn.objects.get(user=user)
    assert (checkin.mood, checkin.energy, checkin.kind, checkin.source) == (
        4,
        4,
        "adhoc",
        "assistant",
    )
    assert tool_result(fake_openai.requests[1])["check_in"]["id"] == str(checkin.pk)


def test_check_in_out_of_scale_is_an_error_for_the_model(say, user, fake_openai):
    fake_openai.add_tool_calls(("create_check_in", {"mood": 7, "energy": 0}))
    fake_openai.add_text("De 1 a 5, por favor.")

    say("ánimo 7")

    error = tool_result(fake_openai.requests[1])["error"]
    assert set(error["fields"]) == {"mood", "energy"}
    assert not CheckIn.objects.exists()


def test_get_summary_of_today(say, user, fake_openai):
    task = task_services.task_create(user=user, source="api", title="Informe")
    task_services.task_complete(user=user, task=task, source="api")
    goal = make_goal(user)
    goal_services.goal_log_progress(user=user, goal=goal, value=Decimal("3"), source="api")
    fake_openai.add_tool_calls(("get_summary", {}))
    fake_openai.add_text("Hoy completaste una tarea.")

    say("¿cómo voy hoy?")

    summary = tool_result(fake_openai.requests[1])["summary"]
    assert summary["date"] == user.local_now().date().isoformat()
    assert summary["timezone"] == "Europe/Madrid"
    assert summary["tasks"] == {"created": 1, "completed": 1}
    assert summary["goal_progress"][0]["title"] == "Correr"
    assert Decimal(summary["goal_progress"][0]["total"]) == Decimal("3")
    assert summary["check_ins"]["count"] == 0


@pytest.mark.parametrize("value", ["ayer", "2999-01-01", "2026-02-30"])
def test_get_summary_bad_date_is_an_error_for_the_model(say, user, fake_openai, value):
    fake_openai.add_tool_calls(("get_summary", {"date": value}))
    fake_openai.add_text("Fecha inválida.")

    say("resumen")

    error = tool_result(fake_openai.requests[1])["error"]
    assert error["code"] == "validation_error"
    assert "date" in error["fields"]

"""The assistant's `pause_goal`: applied on the user's yes, offered by the system prompt."""

from datetime import timedelta
from decimal import Decimal

import pytest

from goals import services as goal_services
from goals.models import GoalPause
from tests.chat.conftest import tool_result

pytestmark = pytest.mark.django_db


def make_goal(user, **kwargs):
    return goal_services.goal_create(
        user=user, source="api", title="Meditar", target_value=Decimal(1), unit="sesión", **kwargs
    )


def test_the_tool_pauses_the_goal(say, user, fake_openai):
    goal = make_goal(user, period="daily")
    today = user.local_now().date()
    until = today + timedelta(days=4)
    fake_openai.add_tool_calls(
        (
            "pause_goal",
            {
                "goal_id": str(goal.pk),
                "from": today.isoformat(),
                "to": until.isoformat(),
                "reason": "gripe",
            },
        )
    )
    fake_openai.add_text("Pausada hasta el viernes.")

    say("sí, páusala hasta el viernes")

    pause = GoalPause.objects.get(goal=goal)
    assert (pause.date_from, pause.date_to, pause.reason, pause.source) == (
        today,
        until,
        "gripe",
        "assistant",
    )
    result = tool_result(fake_openai.requests[1])
    assert result["goal"]["paused_until"] == until.isoformat()
    assert result["pause"]["id"] == str(pause.pk)


def test_another_users_goal_is_not_found_for_the_model(say, user, other_user, fake_openai):
    goal = make_goal(other_user, period="daily")
    today = user.local_now().date().isoformat()
    fake_openai.add_tool_calls(
        ("pause_goal", {"goal_id": str(goal.pk), "from": today, "to": today})
    )
    fake_openai.add_text("No encuentro esa meta.")

    say("sí")

    assert tool_result(fake_openai.requests[1])["error"]["code"] == "not_found"
    assert not GoalPause.objects.exists()


def test_bad_dates_are_an_error_for_the_model(say, user, fake_openai):
    goal = make_goal(user, period="weekly")
    fake_openai.add_tool_calls(
        ("pause_goal", {"goal_id": str(goal.pk), "from": "2026-12-10", "to": "2026-12-01"})
    )
    fake_openai.add_text("Las fechas no cuadran.")

    say("sí")

    error = tool_result(fake_openai.requests[1])["error"]
    assert error["code"] == "validation_error"
    assert "to" in error["fields"]


def test_the_tool_says_it_needs_a_yes_and_the_prompt_offers_it(say, fake_openai):
    fake_openai.add_text("hola")

    say("hola")

    request = fake_openai.requests[0]
    [tool] = [t for t in request.tools if t["function"]["name"] == "pause_goal"]
    assert "explicitly said yes" in tool["function"]["description"]
    system = request.messages[0]["content"]
    assert "pause_goal" in system
    assert "nunca pauses una meta" in system.lower()

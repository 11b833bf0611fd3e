"""The assistant's plan tools: plan_today, get_plan, update_plan."""

import pytest

from planning.models import DayPlan
from tasks import services as task_services
from tests.chat.conftest import tool_result

pytestmark = pytest.mark.django_db


@pytest.fixture
def all_day(user):
    user.preferences = {"working_hours": {"start": "00:00", "end": "23:59"}}
    user.save()
    return user


def test_plan_today_builds_the_plan(say, all_day, other_user, fake_openai):
    task_services.task_create(user=all_day, source="api", title="Informe", estimated_minutes=1)
    task_services.task_create(user=other_user, source="api", title="Ajena", estimated_minutes=1)
    fake_openai.add_tool_calls(("plan_today", {}))
    fake_openai.add_text("Tu plan de hoy está listo.")

    say("planifica mi día")

    plan = DayPlan.objects.get(user=all_day)
    assert plan.source == "assistant"
    result = tool_result(fake_openai.requests[1])
    assert result["created"] is True
    assert result["plan"]["id"] == str(plan.pk)
    assert {item["title"] for item in result["plan"]["items"]} <= {"Informe"}


def test_get_plan_answers_null_without_a_plan(say, user, fake_openai):
    fake_openai.add_tool_calls(("get_plan", {}))
    fake_openai.add_text("Aún no tienes plan.")

    say("¿qué tengo hoy?")

    result = tool_result(fake_openai.requests[1])
    assert result == {"date": user.local_now().date().isoformat(), "plan": None}


def test_update_plan_reorders_and_refuses_another_users_task(say, all_day, other_user, fake_openai):
    first = task_services.task_create(user=all_day, source="api", title="Primera")
    second = task_services.task_create(user=all_day, source="api", title="Segunda")
    theirs = task_services.task_create(user=other_user, source="api", title="Ajena")
    fake_openai.add_tool_calls(("plan_today", {}))
    fake_openai.add_tool_calls(("update_plan", {"task_ids": [str(second.pk), str(first.pk)]}))
    fake_openai.add_tool_calls(("update_plan", {"task_ids": [str(theirs.pk)]}))
    fake_openai.add_text("Hecho.")

    say("planifica y pon la segunda primero")

    reordered = tool_result(fake_openai.requests[2])
    assert [item["title"] for item in reordered["plan"]["items"]] == ["Segunda", "Primera"]
    refused = tool_result(fake_openai.requests[3])
    assert refused["error"]["code"] == "validation_error"
    assert "task_ids" in refused["error"]["fields"]
    plan = DayPlan.objects.get(user=all_day)
    assert [item.task_id for item in plan.items.order_by("position")] == [second.pk, first.pk]

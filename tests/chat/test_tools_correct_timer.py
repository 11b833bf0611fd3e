"""The correct_timer tool through the agent: a forgotten timer stopped when it really stopped."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from tasks import services as task_services
from tasks.models import TaskEvent
from tests.chat.conftest import tool_result

pytestmark = pytest.mark.django_db


@pytest.fixture
def running(user):
    task = task_services.task_create(user=user, source="api", title="Informe")
    started = timezone.now().replace(microsecond=0) - timedelta(hours=3)
    return task_services.task_start(user=user, task=task, source="api", now=started)


def test_a_time_of_day_stops_the_timer_then(say, user, running, fake_openai):
    stopped = (running.running_since + timedelta(minutes=70)).astimezone(ZoneInfo(user.timezone))
    fake_openai.add_tool_calls(
        ("correct_timer", {"task_id": str(running.pk), "stopped_at": stopped.strftime("%H:%M")})
    )
    fake_openai.add_text("Hecho.")

    say(f"paré a las {stopped:%H:%M}")

    event = TaskEvent.objects.get(task=running, type="corrected")
    assert event.source == "assistant"
    assert event.segment_end == stopped.replace(second=0)
    result = tool_result(fake_openai.requests[1])
    assert result["task"]["status"] == "paused"
    assert result["corrected"]["to"] == stopped.replace(second=0).isoformat()


def test_still_working_changes_nothing(say, running, fake_openai):
    fake_openai.add_tool_calls(
        ("correct_timer", {"task_id": str(running.pk), "still_working": True})
    )
    fake_openai.add_text("Sigo contando.")

    say("sigo con ello")

    running.refresh_from_db()
    assert running.is_running
    assert tool_result(fake_openai.requests[1])["still_working"] is True
    assert not TaskEvent.objects.filter(type="corrected").exists()


@pytest.mark.parametrize(
    ("arguments", "code"),
    [
        ({"stopped_at": "future"}, "validation_error"),
        ({"stopped_at": "before"}, "validation_error"),
        ({}, "invalid_arguments"),
    ],
)
def test_a_moment_outside_the_stretch_is_an_error_for_the_model(
    say, running, fake_openai, arguments, code
):
    moments = {
        "future": (timezone.now() + timedelta(hours=1)).isoformat(),
        "before": (running.running_since - timedelta(minutes=5)).isoformat(),
    }
    arguments = {k: moments.get(v, v) for k, v in arguments.items()}
    fake_openai.add_tool_calls(("correct_timer", {"task_id": str(running.pk), **arguments}))
    fake_openai.add_text("No pude.")

    say("corrígelo")

    assert tool_result(fake_openai.requests[1])["error"]["code"] == code
    running.refresh_from_db()
    assert running.is_running


def test_another_users_task_is_not_found(say, other_user, fake_openai):
    task = task_services.task_create(user=other_user, source="api", title="Ajena")
    task_services.task_start(user=other_user, task=task, source="api")
    fake_openai.add_tool_calls(
        ("correct_timer", {"task_id": str(task.pk), "stopped_at": timezone.now().isoformat()})
    )
    fake_openai.add_text("No la encuentro.")

    say("para la otra")

    assert tool_result(fake_openai.requests[1])["error"]["code"] == "not_found"
    task.refresh_from_db()
    assert task.is_running

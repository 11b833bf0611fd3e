"""POST /api/v1/tasks/{id}/correct: stop a forgotten timer at the moment it really stopped."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from tasks import services
from tasks.models import TaskEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def running(user, make_task):
    """A task of `user` (Europe/Madrid) whose timer started 3 hours ago."""
    task = make_task(user, title="Informe")
    started = timezone.now().replace(microsecond=0) - timedelta(hours=3)
    return services.task_start(user=user, task=task, source="api", now=started)


def correct(client, task, stopped_at, slash=""):
    return client.post(
        f"/api/v1/tasks/{task.pk}/correct{slash}", {"stopped_at": stopped_at}, format="json"
    )


def test_the_timer_stops_at_the_moment_given(api_client, running):
    stopped = running.running_since + timedelta(hours=1, minutes=10)

    response = correct(api_client, running, stopped.isoformat())

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["task"]["status"] == "paused" and body["task"]["is_running"] is False
    assert body["task"]["tracked_seconds"] == 70 * 60
    assert body["event"]["type"] == "corrected"
    assert body["event"]["duration_seconds"] == 70 * 60
    assert set(body["event"]["data"]) == {"from", "to"}


def test_a_time_of_day_is_read_on_the_users_clock(api_client, user, running):
    stopped = (running.running_since + timedelta(hours=2)).astimezone(ZoneInfo(user.timezone))

    response = correct(api_client, running, stopped.strftime("%H:%M"), slash="/")

    assert response.status_code == 200, response.content
    event = TaskEvent.objects.get(type="corrected")
    assert event.segment_end == stopped.replace(second=0)


@pytest.mark.parametrize("when", ["before", "future", "garbage", "naive"])
def test_a_moment_outside_the_running_stretch_is_400(api_client, running, when):
    value = {
        "before": (running.running_since - timedelta(minutes=1)).isoformat(),
        "future": (timezone.now() + timedelta(minutes=5)).isoformat(),
        "garbage": "ayer por la tarde",
        "naive": "2026-11-02T10:00:00",
    }[when]

    response = correct(api_client, running, value)

    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] == "validation_error"
    assert "stopped_at" in response.json()["error"]["fields"]
    assert not TaskEvent.objects.filter(type="corrected").exists()


def test_a_task_that_is_not_running_is_409(api_client, user, make_task):
    response = correct(api_client, make_task(user), timezone.now().isoformat())

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "task_not_running"


def test_another_users_task_is_404(other_client, running):
    response = correct(other_client, running, timezone.now().isoformat())

    assert response.status_code == 404
    assert not TaskEvent.objects.filter(type="corrected").exists()

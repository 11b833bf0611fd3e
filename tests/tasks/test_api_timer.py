"""POST /api/v1/tasks/{id}/start|pause|complete|reopen, GET /api/v1/tasks/current and
GET /api/v1/tasks/{id}/events."""

from datetime import timedelta

import pytest

from tasks import services
from tasks.models import Task, TaskEvent
from tests.tasks.conftest import assert_tracked_matches_log

pytestmark = pytest.mark.django_db


def post(client, task, verb, slash=""):
    return client.post(f"/api/v1/tasks/{task.pk}/{verb}{slash}")


def test_the_done_means_flow_start_switch_pause_complete(api_client, user, make_task):
    first, second = make_task(user, title="first"), make_task(user, title="second")

    started = post(api_client, first, "start")
    assert started.status_code == 200
    assert started.json()["is_running"] is True

    switched = post(api_client, second, "start", "/")
    assert switched.status_code == 200
    assert switched.json()["status"] == "in_progress"
    first.refresh_from_db()
    assert first.status == "paused"

    paused = post(api_client, second, "pause")
    assert paused.status_code == 200
    assert paused.json()["is_running"] is False
    assert paused.json()["status"] == "paused"

    completed = post(api_client, second, "complete")
    assert completed.status_code == 200
    assert completed.json()["status"] == "completed"
    assert completed.json()["completed_at"] is not None

    for task in (first, second):
        assert_tracked_matches_log(task)
    assert api_client.get("/api/v1/tasks/current").json() == {"task": None}


def test_start_on_the_running_task_is_an_idempotent_200(api_client, user, make_task):
    task = make_task(user)
    first = post(api_client, task, "start").json()
    again = post(api_client, task, "start")
    assert again.status_code == 200
    assert again.json()["running_since"] == first["running_since"]
    assert TaskEvent.objects.filter(task=task, type="started").count() == 1


def test_pause_when_not_running_is_409_task_not_running(api_client, user, make_task):
    response = post(api_client, make_task(user), "pause")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "task_not_running"


def test_start_or_complete_on_a_completed_task_is_409(api_client, user, make_task):
    task = make_task(user)
    post(api_client, task, "complete")
    for verb in ("complete", "start"):
        response = post(api_client, task, verb)
        assert response.status_code == 409
        assert response.json()["error"]["code"] == "task_already_completed"


def test_reopen_returns_pending_or_paused(api_client, user, make_task):
    never_ran = make_task(user)
    post(api_client, never_ran, "complete")
    assert post(api_client, never_ran, "reopen").json()["status"] == "pending"

    ran = make_task(user)
    post(api_client, ran, "start")
    post(api_client, ran, "complete")
    body = post(api_client, ran, "reopen").json()
    assert body["status"] == "paused"
    assert body["completed_at"] is None


def test_reopen_of_an_open_task_is_409(api_client, user, make_task):
    response = post(api_client, make_task(user), "reopen")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "task_not_completed"


def test_actions_only_accept_post(api_client, user, make_task):
    assert api_client.get(f"/api/v1/tasks/{make_task(user).pk}/start").status_code == 405


def test_current_returns_the_running_task(api_client, user, make_task):
    task = make_task(user)
    post(api_client, task, "start")

    for path in ("/api/v1/tasks/current", "/api/v1/tasks/current/"):
        response = api_client.get(path)
        assert response.status_code == 200
        assert response.json()["task"]["id"] == str(task.pk)
        assert response.json()["task"]["is_running"] is True


def test_current_ignores_other_users_timers(api_client, other_user, make_task):
    services.task_start(user=other_user, task=make_task(other_user), source="api")
    assert api_client.get("/api/v1/tasks/current").json() == {"task": None}


def test_events_list_the_log_newest_first_and_paginated(api_client, user, make_task):
    task = make_task(user)
    base = task.created_at + timedelta(seconds=1)
    services.task_start(user=user, task=task, source="api", now=base)
    services.task_pause(user=user, task=task, source="assistant", now=base + timedelta(minutes=5))
    services.task_complete(user=user, task=task, source="api", now=base + timedelta(minutes=6))

    response = api_client.get(f"/api/v1/tasks/{task.pk}/events/?page_size=2")

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 4
    assert [e["type"] for e in body["results"]] == ["completed", "paused"]
    paused = body["results"][1]
    assert paused["source"] == "assistant"
    assert paused["duration_seconds"] == 300
    assert paused["task_id"] == str(task.pk)
    assert body["next"] is not None
    rest = api_client.get(body["next"]).json()
    assert [e["type"] for e in rest["results"]] == ["started", "created"]


def test_switching_tasks_over_http_keeps_one_running_and_the_log_consistent(
    api_client, user, make_task
):
    tasks = [make_task(user, title=f"t{i}") for i in range(4)]
    for task in tasks * 2:
        assert post(api_client, task, "start").status_code == 200
    assert Task.objects.filter(user=user, running_since__isnull=False).count() == 1
    assert TaskEvent.objects.filter(user=user, type="started").count() == 8
    assert TaskEvent.objects.filter(user=user, type="paused").count() == 7
    for task in tasks:
        assert_tracked_matches_log(task)

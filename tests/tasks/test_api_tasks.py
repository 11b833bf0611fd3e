"""GET|POST /api/v1/tasks and GET|PATCH|DELETE /api/v1/tasks/{id}."""

import pytest

from tasks import services
from tasks.models import Task, TaskEvent

pytestmark = pytest.mark.django_db


def test_create_returns_the_task_with_timer_fields(api_client, user, make_category):
    category = make_category(user, name="Work")

    response = api_client.post(
        "/api/v1/tasks",
        {
            "title": "  Write the report  ",
            "description": "Q3 numbers",
            "category": str(category.pk),
            "priority": "high",
            "due_at": "2026-12-01T10:00:00+01:00",
            "estimated_minutes": 90,
        },
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["title"] == "Write the report"
    assert body["status"] == "pending"
    assert body["category"] == {
        "id": str(category.pk),
        "name": "Work",
        "color": category.color,
        "icon": "",
    }
    assert body["due_at"] == "2026-12-01T09:00:00Z"
    assert (body["tracked_seconds"], body["is_running"], body["running_since"]) == (0, False, None)
    task = Task.objects.get(pk=body["id"])
    assert task.user == user
    assert TaskEvent.objects.get(task=task).source == "api"


def test_create_with_only_a_title_uses_the_defaults(api_client):
    body = api_client.post("/api/v1/tasks/", {"title": "x"}).json()
    assert (body["priority"], body["category"], body["description"]) == ("medium", None, "")


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "title"),
        ({"title": ""}, "title"),
        ({"title": "   "}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"title": "x", "description": "d" * 5001}, "description"),
        ({"title": "x", "priority": "urgent"}, "priority"),
        ({"title": "x", "estimated_minutes": 0}, "estimated_minutes"),
        ({"title": "x", "estimated_minutes": 10001}, "estimated_minutes"),
        ({"title": "x", "estimated_minutes": 2.5}, "estimated_minutes"),
        ({"title": "x", "estimated_minutes": True}, "estimated_minutes"),
        ({"title": "x", "due_at": "2026-12-01T10:00:00"}, "due_at"),
        ({"title": "x", "due_at": "2026-12-01"}, "due_at"),
        ({"title": "x", "due_at": "tomorrow"}, "due_at"),
        ({"title": "x", "category": "not-a-uuid"}, "category"),
        ({"title": "x", "category": "00000000-0000-0000-0000-000000000000"}, "category"),
        ({"title": "x", "category": 12}, "category"),
    ],
)
def test_bad_input_is_a_400_with_field_errors_and_creates_nothing(api_client, payload, field):
    response = api_client.post("/api/v1/tasks", payload)
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert field in error["fields"]
    assert not Task.objects.exists()


def test_another_users_category_in_the_body_is_a_400(api_client, other_user, make_category):
    theirs = make_category(other_user)
    response = api_client.post("/api/v1/tasks", {"title": "x", "category": str(theirs.pk)})
    assert response.status_code == 400
    assert "category" in response.json()["error"]["fields"]


def test_retrieve_shows_the_running_time_up_to_now(api_client, user, make_task):
    from datetime import timedelta

    from django.utils import timezone

    task = make_task(user)
    services.task_start(
        user=user, task=task, source="api", now=timezone.now() - timedelta(minutes=10)
    )

    body = api_client.get(f"/api/v1/tasks/{task.pk}").json()

    assert body["is_running"] is True
    assert body["status"] == "in_progress"
    assert body["tracked_seconds"] >= 600
    assert body["running_since"] is not None


def test_patch_changes_fields_and_logs_the_change(api_client, user, make_task, make_category):
    task = make_task(user, title="Old", description="keep")
    category = make_category(user)

    response = api_client.patch(
        f"/api/v1/tasks/{task.pk}/",
        {"title": "New", "category": str(category.pk), "due_at": None},
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["title"], body["description"], body["category"]["id"]) == (
        "New",
        "keep",
        str(category.pk),
    )
    event = TaskEvent.objects.get(task=task, type="updated")
    assert set(event.data["changes"]) == {"title", "category"}


def test_patch_can_clear_the_category(api_client, user, make_task, make_category):
    task = make_task(user, category=make_category(user))
    body = api_client.patch(f"/api/v1/tasks/{task.pk}", {"category": None}).json()
    assert body["category"] is None


@pytest.mark.parametrize(
    "payload",
    [
        {"status": "completed"},
        {"tracked_seconds": 99},
        {"running_since": "2026-11-01T10:00:00Z"},
        {"title": None},
        {"title": ""},
        {"priority": "urgent"},
    ],
)
def test_patch_refuses_bad_or_read_only_fields(api_client, user, make_task, payload):
    task = make_task(user, title="Same")
    response = api_client.patch(f"/api/v1/tasks/{task.pk}", payload)
    assert response.status_code == 400
    assert set(payload) <= set(response.json()["error"]["fields"])
    task.refresh_from_db()
    assert (task.title, task.status, task.tracked_seconds) == ("Same", "pending", 0)


def test_put_is_not_allowed(api_client, user, make_task):
    response = api_client.put(f"/api/v1/tasks/{make_task(user).pk}", {"title": "x"})
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"


def test_delete_removes_the_task(api_client, user, make_task):
    task = make_task(user)
    response = api_client.delete(f"/api/v1/tasks/{task.pk}/")
    assert response.status_code == 204
    assert not Task.objects.filter(pk=task.pk).exists()
    assert api_client.get(f"/api/v1/tasks/{task.pk}").status_code == 404


def test_a_malformed_task_id_is_a_404(api_client):
    response = api_client.get("/api/v1/tasks/not-a-uuid")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_tasks_need_authentication(anon_client, user, make_task):
    task = make_task(user)
    assert anon_client.get("/api/v1/tasks").status_code == 401
    assert anon_client.post(f"/api/v1/tasks/{task.pk}/start").status_code == 401
    assert anon_client.get("/api/v1/tasks/report?from=2026-11-01&to=2026-11-02").status_code == 401


def test_messages_come_out_in_the_users_language(api_client, make_task, user):
    task = make_task(user)
    user.language = "es"
    user.save()
    response = api_client.post(f"/api/v1/tasks/{task.pk}/pause")
    assert response.status_code == 409
    assert response.json()["error"]["message"] == "El cronómetro de la tarea no está en marcha."


def test_patch_reports_read_only_and_invalid_fields_together(api_client, user, make_task):
    task = make_task(user)
    response = api_client.patch(f"/api/v1/tasks/{task.pk}", {"status": "completed", "title": ""})
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"status", "title"}


def test_patch_with_a_non_object_body_is_a_400(api_client, user, make_task):
    response = api_client.patch(f"/api/v1/tasks/{make_task(user).pk}", ["title"], format="json")
    assert response.status_code == 400


@pytest.mark.parametrize("body", [{"title": "mía"}, {"title": ""}, {"status": "completed"}])
def test_patching_another_users_task_is_a_404_whatever_the_body(
    api_client, other_user, make_task, body
):
    task = make_task(other_user, title="ajena")

    response = api_client.patch(f"/api/v1/tasks/{task.pk}", body, format="json")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    task.refresh_from_db()
    assert task.title == "ajena"
    assert not TaskEvent.objects.filter(task=task, type=TaskEvent.Type.UPDATED).exists()

"""Another user's task or category is a 404 on every route, exactly like a missing one,
and nothing of theirs changes."""

import uuid

import pytest

from tasks.models import Category, Task, TaskEvent

pytestmark = pytest.mark.django_db

TASK_ROUTES = [
    ("get", "/api/v1/tasks/{id}", None),
    ("patch", "/api/v1/tasks/{id}", {"title": "hijacked"}),
    ("delete", "/api/v1/tasks/{id}", None),
    ("post", "/api/v1/tasks/{id}/start", None),
    ("post", "/api/v1/tasks/{id}/pause", None),
    ("post", "/api/v1/tasks/{id}/complete", None),
    ("post", "/api/v1/tasks/{id}/reopen", None),
    ("get", "/api/v1/tasks/{id}/events", None),
    (
        "post",
        "/api/v1/tasks/{id}/time-entries",
        {"started_at": "2026-11-01T10:00:00Z", "ended_at": "2026-11-01T11:00:00Z"},
    ),
]
CATEGORY_ROUTES = [
    ("get", "/api/v1/categories/{id}", None),
    ("patch", "/api/v1/categories/{id}", {"name": "hijacked"}),
    ("put", "/api/v1/categories/{id}", {"name": "hijacked"}),
    ("delete", "/api/v1/categories/{id}", None),
]


def call(client, method, path, body):
    return (
        getattr(client, method)(path, body) if body is not None else getattr(client, method)(path)
    )


@pytest.mark.parametrize(("method", "path", "body"), TASK_ROUTES)
@pytest.mark.parametrize("slash", ["", "/"])
def test_another_users_task_is_404_on_every_route(
    api_client, other_user, make_task, method, path, body, slash
):
    theirs = make_task(other_user, title="theirs")
    events_before = TaskEvent.objects.filter(task=theirs).count()

    response = call(api_client, method, path.format(id=theirs.pk) + slash, body)

    assert response.status_code == 404, response.content
    assert response.json()["error"]["code"] == "not_found"
    theirs.refresh_from_db()
    assert (theirs.title, theirs.status, theirs.tracked_seconds) == ("theirs", "pending", 0)
    assert TaskEvent.objects.filter(task=theirs).count() == events_before


@pytest.mark.parametrize(("method", "path", "body"), TASK_ROUTES)
@pytest.mark.parametrize("task_id", [uuid.uuid4(), "not-a-uuid", "12345"])
def test_missing_or_malformed_task_ids_are_404(api_client, method, path, body, task_id):
    response = call(api_client, method, path.format(id=task_id), body)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize(("method", "path", "body"), CATEGORY_ROUTES)
def test_another_users_category_is_404_on_every_route(
    api_client, other_user, make_category, method, path, body
):
    theirs = make_category(other_user, name="theirs")
    response = call(api_client, method, path.format(id=theirs.pk), body)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert Category.objects.get(pk=theirs.pk).name == "theirs"


def test_another_users_category_in_a_patch_body_is_a_400(
    api_client, user, other_user, make_task, make_category
):
    task = make_task(user)
    theirs = make_category(other_user)
    response = api_client.patch(f"/api/v1/tasks/{task.pk}", {"category": str(theirs.pk)})
    assert response.status_code == 400
    assert "category" in response.json()["error"]["fields"]
    assert Task.objects.get(pk=task.pk).category is None

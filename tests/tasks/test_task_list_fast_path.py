"""GET /api/v1/tasks in the plain case is answered without DRF's dispatch; the answer must be
byte for byte the one TaskViewSet.list gives, and every other case must go to the viewset."""

import pytest
from django.test import RequestFactory

from tasks.views import TaskViewSet
from tasks.views import fast as views
from tests.conftest import access_token_for

pytestmark = pytest.mark.django_db

factory = RequestFactory()
drf_list = TaskViewSet.as_view({"get": "list", "post": "create"})


def _get(path, token, **headers):
    return factory.get(path, HTTP_AUTHORIZATION=f"Bearer {token}", **headers)


def test_the_shipped_viewset_lets_the_fast_path_run():
    views._viewset_checks_unchanged.cache_clear()
    assert views._viewset_checks_unchanged()


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/tasks",
        "/api/v1/tasks/",
        "/api/v1/tasks?page=2&page_size=3",
        "/api/v1/tasks?page=3&page_size=3",
        "/api/v1/tasks?page_size=500",
        "/api/v1/tasks?page=1&page_size=7",
        "/api/v1/tasks?page_size=abc",
        "/api/v1/tasks?page_size=0",
    ],
)
def test_plain_requests_get_exactly_the_viewsets_answer(path, token):
    fast = views.fast_task_list(_get(path, token))
    slow = drf_list(_get(path, token))
    slow.render()

    assert fast is not None
    assert fast.status_code == slow.status_code == 200
    assert fast.content == slow.content
    assert fast["Content-Type"] == slow["Content-Type"]
    assert fast["Allow"] == slow["Allow"]


def test_an_empty_list_is_answered_as_the_viewset_does(other_user):
    token = access_token_for(other_user)
    fast = views.fast_task_list(_get("/api/v1/tasks", token))
    slow = drf_list(_get("/api/v1/tasks", token))
    slow.render()
    assert fast.content == slow.content


@pytest.mark.parametrize(
    ("path", "headers"),
    [
        ("/api/v1/tasks?status=pending", {}),
        ("/api/v1/tasks?page=0", {}),
        ("/api/v1/tasks?page=99", {}),
        ("/api/v1/tasks?page=two", {}),
        ("/api/v1/tasks?page=last&page_size=3", {}),
        ("/api/v1/tasks", {"HTTP_ACCEPT": "text/html"}),
    ],
)
def test_every_other_case_is_left_to_the_viewset(path, headers, token):
    assert views.fast_task_list(_get(path, token, **headers)) is None


def test_bad_or_missing_credentials_are_left_to_the_viewset(token, user):
    assert views.fast_task_list(_get("/api/v1/tasks", "not-a-token")) is None
    assert views.fast_task_list(factory.get("/api/v1/tasks")) is None
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert views.fast_task_list(_get("/api/v1/tasks", token)) is None


def test_through_the_stack_it_answers_in_the_users_language_in_one_query(
    api_client, token, django_assert_num_queries
):
    from django.db import connection

    # The user row, the page and its count together (PostgreSQL); apart elsewhere.
    with django_assert_num_queries(1 if connection.vendor == "postgresql" else 2):
        response = api_client.get("/api/v1/tasks?page_size=2")
    assert response.status_code == 200
    assert response.json()["count"] == 7
    assert response["Content-Language"] == "es"
    assert response["X-Frame-Options"] == "DENY"


def test_every_kind_of_value_renders_as_the_serializer_renders_it(user, make_task, monkeypatch):
    """Date-times and ids written by orjson (config.renderers.dumps_native) against DRF's:
    whole and fractional seconds, nulls, a running timer, a completed task, and the two line
    separators DRF escapes."""
    from datetime import UTC, datetime, timedelta

    from django.utils import timezone

    from tasks import services
    from tests.tasks.conftest import T0

    running = make_task(user, title="Corre\u2028ya", description='"comillas" \u2029 🚀')
    services.task_start(user=user, task=running, source="api", now=T0)
    done = make_task(user, title="Hecha", due_at=datetime(2026, 12, 24, 18, 0, tzinfo=UTC))
    services.task_complete(user=user, task=done, source="api", now=T0 + timedelta(minutes=5))
    make_task(
        user,
        title="Con minutos",
        estimated_minutes=45,
        due_at=datetime(2026, 12, 31, 23, 59, 59, 123456, tzinfo=UTC),
    )
    later = T0 + timedelta(hours=1, seconds=7, microseconds=250)
    monkeypatch.setattr(timezone, "now", lambda: later)
    token = access_token_for(user)

    fast = views.fast_task_list(_get("/api/v1/tasks", token))
    slow = drf_list(_get("/api/v1/tasks", token))
    slow.render()

    assert fast.content == slow.content
    assert b"\\u2028" in fast.content and b"\\u2029" in fast.content
    assert b'"tracked_seconds":3607' in fast.content


def test_in_another_current_timezone_it_still_renders_as_the_serializer(token, settings):
    from django.utils import timezone

    timezone.activate("America/Mexico_City")
    try:
        fast = views.fast_task_list(_get("/api/v1/tasks", token))
        slow = drf_list(_get("/api/v1/tasks", token))
        slow.render()
    finally:
        timezone.deactivate()

    assert fast.content == slow.content
    assert b"-06:00" in fast.content

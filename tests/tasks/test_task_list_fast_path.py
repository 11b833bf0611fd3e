"""GET /api/v1/tasks in the plain case is answered without DRF's dispatch; the answer must be
byte for byte the one TaskViewSet.list gives, and every other case must go to the viewset."""

import pytest
from django.test import RequestFactory

from tasks import views
from tests.conftest import access_token_for

pytestmark = pytest.mark.django_db

factory = RequestFactory()
drf_list = views.TaskViewSet.as_view({"get": "list", "post": "create"})


@pytest.fixture
def token(user, make_task, make_category):
    category = make_category(user, name="Trabajo")
    for n in range(7):
        make_task(user, title=f"Tarea {n}", category=category if n % 2 else None)
    return access_token_for(user)


def _get(path, token, **headers):
    return factory.get(path, HTTP_AUTHORIZATION=f"Bearer {token}", **headers)


def test_the_shipped_viewset_lets_the_fast_path_run():
    views._fast_list_applies.cache_clear()
    assert views._fast_list_applies()


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/tasks",
        "/api/v1/tasks/",
        "/api/v1/tasks?page=2&page_size=3",
        "/api/v1/tasks?page=3&page_size=3",
        "/api/v1/tasks?page_size=500",
        "/api/v1/tasks?page=1&page_size=7",
        "/api/v1/tasks?page=last&page_size=3",
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


def test_through_the_stack_it_answers_in_the_users_language_with_two_queries(
    api_client, token, django_assert_num_queries
):
    with django_assert_num_queries(2):  # the user, the page with its count
        response = api_client.get("/api/v1/tasks?page_size=2")
    assert response.status_code == 200
    assert response.json()["count"] == 7
    assert response["Content-Language"] == "es"
    assert response["X-Frame-Options"] == "DENY"

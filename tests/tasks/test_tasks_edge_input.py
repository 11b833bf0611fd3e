"""POST/PATCH /api/v1/tasks and GET /api/v1/tasks with edge-case date-times. Found by fuzzing
the running API: every case here was a 500."""

from datetime import UTC, datetime

import pytest
from rest_framework.test import APIClient

from tasks.models import Task
from tests.conftest import access_token_for

pytestmark = pytest.mark.django_db

# Shaped like ISO 8601, but no such instant: parse_datetime raises instead of returning None.
IMPOSSIBLE = [
    "2026-01-01T12:99:00Z",
    "2026-01-01T25:00:00Z",
    "0000-00-00T00:00:00Z",
    "2026-01-01T12:00:00+25:00",
    "2026-01-01T12:00:00+99:99",
]


@pytest.mark.parametrize("value", IMPOSSIBLE)
def test_create_with_an_impossible_due_at_is_a_400_and_creates_nothing(api_client, value):
    response = api_client.post("/api/v1/tasks", {"title": "T", "due_at": value})

    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] == "validation_error"
    assert "due_at" in response.json()["error"]["fields"]
    assert not Task.objects.exists()


@pytest.mark.parametrize("value", IMPOSSIBLE)
def test_update_with_an_impossible_due_at_is_a_400_and_changes_nothing(
    api_client, user, make_task, value
):
    due = datetime(2026, 12, 1, 9, tzinfo=UTC)
    task = make_task(user, due_at=due)

    response = api_client.patch(f"/api/v1/tasks/{task.pk}", {"due_at": value})

    assert response.status_code == 400, response.content
    assert "due_at" in response.json()["error"]["fields"]
    task.refresh_from_db()
    assert task.due_at == due


@pytest.mark.parametrize("param", ["due_after", "due_before"])
@pytest.mark.parametrize(
    "value",
    [
        *IMPOSSIBLE,
        # A date means that day's local midnight; the last day has no following midnight and
        # the first ones none at all in timezones east of UTC.
        "9999-12-31",
        "0001-01-01",
    ],
)
def test_list_with_an_impossible_due_bound_is_a_400_field_error(api_client, param, value):
    response = api_client.get("/api/v1/tasks", {param: value})

    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] == "validation_error"
    assert param in response.json()["error"]["fields"]


def test_list_with_the_first_day_in_a_timezone_east_of_utc_is_a_400(make_user):
    client = APIClient()
    client.credentials(
        HTTP_AUTHORIZATION=f"Bearer {access_token_for(make_user(timezone='Asia/Tokyo'))}"
    )

    response = client.get("/api/v1/tasks", {"due_after": "0001-01-01"})

    assert response.status_code == 400, response.content
    assert "due_after" in response.json()["error"]["fields"]

"""POST /api/v1/tasks/{id}/time-entries with date-times that look like ISO 8601 but name no
real instant. Found by fuzzing the running API: each was a 500 (Django's parse_datetime raises
ValueError for well-formed impossible values)."""

import pytest

from tasks.models import TaskEvent

pytestmark = pytest.mark.django_db

IMPOSSIBLE = [
    "2026-11-01T12:99:00Z",
    "2026-11-01T25:00:00Z",
    "2026-02-30T10:00:00Z",
    "0000-00-00T00:00:00Z",
    "2026-11-01T10:00:00+25:00",
    "2026-11-01T10:00:00+99:99",
]


@pytest.mark.parametrize("field", ["started_at", "ended_at"])
@pytest.mark.parametrize("value", IMPOSSIBLE)
def test_an_impossible_date_time_is_a_400_field_error(api_client, user, make_task, field, value):
    task = make_task(user)
    payload = {"started_at": "2026-11-01T10:00:00Z", "ended_at": "2026-11-01T10:30:00Z"}
    payload[field] = value

    response = api_client.post(f"/api/v1/tasks/{task.pk}/time-entries", payload)

    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert field in error["fields"]
    assert not TaskEvent.objects.filter(task=task, type="time_logged").exists()

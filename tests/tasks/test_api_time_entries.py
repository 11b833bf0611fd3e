"""POST /api/v1/tasks/{id}/time-entries."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tasks.models import TaskEvent

pytestmark = pytest.mark.django_db


def entry(client, task, start, end):
    return client.post(
        f"/api/v1/tasks/{task.pk}/time-entries",
        {"started_at": start.isoformat(), "ended_at": end.isoformat()},
    )


def test_a_time_entry_is_201_with_the_task_and_the_event(api_client, user, make_task):
    task = make_task(user)
    end = timezone.now().replace(microsecond=0) - timedelta(hours=1)

    response = entry(api_client, task, end - timedelta(minutes=30), end)

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["task"]["tracked_seconds"] == 1800
    assert body["task"]["status"] == "paused"
    assert body["event"]["type"] == "time_logged"
    assert body["event"]["duration_seconds"] == 1800


def test_the_route_works_with_a_trailing_slash(api_client, user, make_task):
    end = timezone.now() - timedelta(hours=1)
    response = api_client.post(
        f"/api/v1/tasks/{make_task(user).pk}/time-entries/",
        {"started_at": (end - timedelta(minutes=1)).isoformat(), "ended_at": end.isoformat()},
    )
    assert response.status_code == 201


def test_an_overlapping_entry_is_409_time_overlap(api_client, user, make_task):
    end = timezone.now() - timedelta(hours=1)
    assert entry(api_client, make_task(user), end - timedelta(hours=1), end).status_code == 201

    response = entry(
        api_client, make_task(user), end - timedelta(minutes=30), end + timedelta(minutes=30)
    )

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "time_overlap"
    assert TaskEvent.objects.filter(type="time_logged").count() == 1


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "started_at"),
        ({"started_at": "2026-11-01T10:00:00Z"}, "ended_at"),
        ({"started_at": "2026-11-01T10:00:00", "ended_at": "2026-11-01T11:00:00Z"}, "started_at"),
        ({"started_at": "yesterday", "ended_at": "2026-11-01T11:00:00Z"}, "started_at"),
        ({"started_at": "2026-11-01T11:00:00Z", "ended_at": "2026-11-01T10:00:00Z"}, "ended_at"),
        ({"started_at": "2026-11-01T11:00:00Z", "ended_at": "2026-11-01T11:00:00Z"}, "ended_at"),
        ({"started_at": "2099-11-01T10:00:00Z", "ended_at": "2099-11-01T11:00:00Z"}, "ended_at"),
        ({"started_at": "2026-11-01T10:00:00Z", "ended_at": "2026-11-02T10:00:01Z"}, "ended_at"),
    ],
)
def test_bad_time_entries_are_400_field_errors(api_client, user, make_task, payload, field):
    task = make_task(user)
    response = api_client.post(f"/api/v1/tasks/{task.pk}/time-entries", payload)
    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] == "validation_error"
    assert field in response.json()["error"]["fields"]
    task.refresh_from_db()
    assert task.tracked_seconds == 0

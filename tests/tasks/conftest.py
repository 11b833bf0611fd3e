"""Factories and helpers for the tasks tests. Rows are made through the services, as in
production, so every task starts with its `created` event."""

from datetime import UTC, datetime

import pytest
from django.db.models import Sum

from tasks import services
from tasks.models import Task, TaskEvent

# A fixed, past reference moment; timer services take `now` so tests never wait on the clock.
T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def make_task(db):
    def make(user, *, title="Write the report", source="api", **kwargs):
        return services.task_create(user=user, source=source, title=title, **kwargs)

    return make


@pytest.fixture
def make_category(db):
    counter = {"n": 0}

    def make(user, *, name=None, **kwargs):
        counter["n"] += 1
        return services.category_create(user=user, name=name or f"Cat {counter['n']}", **kwargs)

    return make


def closed_seconds(task: Task) -> int:
    """The sum of the task's closed segments in the event log."""
    total = TaskEvent.objects.filter(task=task).aggregate(total=Sum("duration_seconds"))["total"]
    return total or 0


def assert_tracked_matches_log(task: Task) -> None:
    task.refresh_from_db()
    assert task.tracked_seconds == closed_seconds(task)


def event_types(task: Task) -> list[str]:
    return list(
        TaskEvent.objects.filter(task=task)
        .order_by("occurred_at", "type")
        .values_list("type", flat=True)
    )


@pytest.fixture
def token(user, make_task, make_category):
    """An access token of `user`, who has seven tasks, every other one in a category."""
    from tests.conftest import access_token_for

    category = make_category(user, name="Trabajo")
    for n in range(7):
        make_task(user, title=f"Tarea {n}", category=category if n % 2 else None)
    return access_token_for(user)

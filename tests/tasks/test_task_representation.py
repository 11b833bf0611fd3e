"""TaskSerializer writes its fields out by hand for speed; it must say exactly what the
declared fields say, for model instances and for the list's rows alike."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework import serializers

from tasks import selectors, services
from tasks.serializers import CategorySerializer, TaskSerializer

pytestmark = pytest.mark.django_db


def declared_output(task) -> dict:
    """What DRF's field-by-field walk over TaskSerializer's declared fields gives."""
    return serializers.ModelSerializer.to_representation(TaskSerializer(), task)


@pytest.fixture
def tasks(user, make_task, make_category):
    category = make_category(user, name="Trabajo", color="#336699", icon="briefcase")
    plain = make_task(user, title="Sin categoría")
    due = make_task(
        user,
        title="Informe",
        description="Con «comillas»",
        category=category,
        priority="high",
        due_at=timezone.now() + timedelta(days=2),
        estimated_minutes=45,
    )
    services.task_log_time(
        user=user,
        task=due,
        source="api",
        started_at=timezone.now() - timedelta(hours=3),
        ended_at=timezone.now() - timedelta(hours=2),
    )
    done = make_task(user, title="Hecha")
    services.task_complete(user=user, task=done, source="api")
    return [plain, due, done]


def test_hand_written_output_equals_the_declared_fields(tasks):
    for task in tasks:
        task = selectors.task_get(user=task.user, task_id=task.pk)
        assert TaskSerializer(task).data == declared_output(task)


def test_list_rows_render_like_model_instances(user, tasks):
    rows, total = selectors.TaskRows(user=user).page_rows(0, 10)
    assert total == 3
    by_id = {row.pk: row for row in rows}
    for task in tasks:
        task = selectors.task_get(user=user, task_id=task.pk)
        assert TaskSerializer(by_id[task.pk]).data == declared_output(task)
        assert TaskSerializer(selectors.task_row(user=user, task_id=task.pk)).data == (
            declared_output(task)
        )


def test_a_running_task_counts_its_open_segment(user, make_task):
    task = make_task(user)
    services.task_start(user=user, task=task, source="api", now=timezone.now() - timedelta(10))
    row = selectors.task_row(user=user, task_id=task.pk)
    data = TaskSerializer(row).data
    assert data["is_running"] is True
    assert data["running_since"] is not None
    assert data["tracked_seconds"] >= 10 * 86400
    assert declared_output(selectors.task_get(user=user, task_id=task.pk))["tracked_seconds"] in {
        data["tracked_seconds"],
        data["tracked_seconds"] + 1,
    }


def test_filtered_and_unfiltered_pages_agree(user, tasks):
    every, _ = selectors.TaskRows(user=user).page_rows(0, 10)
    filtered, total = selectors.TaskRows(user=user, status=["pending", "completed"]).page_rows(
        0, 10
    )
    assert total == 2
    assert [r for r in every if r.status in {"pending", "completed"}] == filtered


def test_category_output_equals_the_declared_fields(user, make_category):
    category = make_category(user, name="Casa", color="#AA0000", icon="home")
    category.refresh_from_db()
    declared = serializers.ModelSerializer.to_representation(CategorySerializer(), category)
    assert list(CategorySerializer(category).data.items()) == list(declared.items())

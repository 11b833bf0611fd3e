"""Creating, updating and deleting tasks through the services, and what they log."""

from datetime import UTC, datetime

import pytest

from tasks import services
from tasks.errors import InvalidInput
from tasks.models import Task, TaskEvent

pytestmark = pytest.mark.django_db


def test_create_logs_a_created_event_with_the_initial_fields(user, make_category):
    category = make_category(user, name="Work")
    due = datetime(2026, 12, 1, 9, tzinfo=UTC)

    task = services.task_create(
        user=user,
        source="assistant",
        title="Plan",
        category=category,
        priority="high",
        due_at=due,
        estimated_minutes=45,
    )

    event = TaskEvent.objects.get(task=task)
    assert (event.type, event.source, event.user_id) == ("created", "assistant", user.pk)
    assert event.data == {
        "title": "Plan",
        "priority": "high",
        "category_id": str(category.pk),
        "due_at": due.isoformat(),
        "estimated_minutes": 45,
    }


def test_create_refuses_another_users_category(user, other_user, make_category):
    theirs = make_category(other_user)
    with pytest.raises(InvalidInput) as caught:
        services.task_create(user=user, source="api", title="x", category=theirs)
    assert "category" in caught.value.fields
    assert not Task.objects.exists()


def test_create_enforces_model_rules_for_callers_without_a_serializer(user):
    with pytest.raises(InvalidInput) as caught:
        services.task_create(user=user, source="admin", title="x" * 201, estimated_minutes=0)
    assert set(caught.value.fields) == {"title", "estimated_minutes"}


def test_update_logs_each_change_from_and_to(user, make_task, make_category):
    task = make_task(user, title="Old")
    category = make_category(user)

    task = services.task_update(
        user=user, task=task, source="api", title="New", category=category, priority="low"
    )

    assert (task.title, task.category, task.priority) == ("New", category, "low")
    event = TaskEvent.objects.get(task=task, type="updated")
    assert event.data == {
        "changes": {
            "title": {"from": "Old", "to": "New"},
            "category": {"from": None, "to": str(category.pk)},
            "priority": {"from": "medium", "to": "low"},
        }
    }


def test_update_without_changes_logs_nothing(user, make_task):
    task = make_task(user, title="Same")
    services.task_update(user=user, task=task, source="api", title="Same")
    assert not TaskEvent.objects.filter(task=task, type="updated").exists()


def test_update_cannot_touch_status_or_time(user, make_task):
    with pytest.raises(TypeError):
        services.task_update(user=user, task=make_task(user), source="api", status="completed")


def test_delete_removes_the_task_and_its_log(user, make_task):
    task = make_task(user)
    services.task_delete(user=user, task=task, source="api")
    assert not Task.objects.filter(pk=task.pk).exists()
    assert not TaskEvent.objects.filter(task_id=task.pk).exists()


def test_a_naive_due_date_is_refused(user, make_task):
    with pytest.raises(InvalidInput) as caught:
        services.task_create(user=user, source="assistant", title="x", due_at=datetime(2026, 12, 1))
    assert "due_at" in caught.value.fields
    with pytest.raises(InvalidInput):
        services.task_update(
            user=user, task=make_task(user), source="api", due_at=datetime(2026, 12, 1)
        )

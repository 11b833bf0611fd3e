"""Live updates of tasks and categories: their payloads, built from the models (no serializer:
services import this module), and their publishing through config/realtime.py.

The payloads are the REST representations to the byte: `TaskSerializer` and
`CategorySerializer` render with `task_data` and `category_data` too.
"""

from datetime import datetime, tzinfo

from django.utils import timezone

from config import realtime
from config.fields import iso_datetime
from tasks.models import Category, Task


def category_brief(category: Category | None) -> dict | None:
    """A task's category as the task shows it."""
    if category is None:
        return None
    return {
        "id": str(category.pk),
        "name": category.name,
        "color": category.color,
        "icon": category.icon,
    }


def category_data(category: Category, tz: tzinfo | None = None) -> dict:
    return {
        **category_brief(category),
        "created_at": iso_datetime(category.created_at, tz),
        "updated_at": iso_datetime(category.updated_at, tz),
    }


def task_data(task, *, now: datetime | None = None, tz: tzinfo | None = None) -> dict:
    """A task (or a selectors.TaskRow) as clients see it; `tracked_seconds` includes the running
    segment up to `now`. A page passes one `now` and `tz` for all its rows."""
    now = now or timezone.now()
    tz = tz or timezone.get_current_timezone()
    running_since = task.running_since
    return {
        "id": str(task.pk),
        "title": task.title,
        "description": task.description,
        "status": task.status,
        "priority": task.priority,
        "category": category_brief(task.category),
        "due_at": iso_datetime(task.due_at, tz),
        "estimated_minutes": task.estimated_minutes,
        "tracked_seconds": task.tracked_seconds_at(now),
        "is_running": running_since is not None,
        "running_since": iso_datetime(running_since, tz),
        "completed_at": iso_datetime(task.completed_at, tz),
        "created_at": iso_datetime(task.created_at, tz),
        "updated_at": iso_datetime(task.updated_at, tz),
    }


def publish_task(task: Task) -> None:
    realtime.publish(task.user_id, "task.updated", {"task": task_data(task)})


def publish_task_deleted(user_id, task_id) -> None:
    realtime.publish(user_id, "task.deleted", {"task_id": str(task_id)})


def publish_category(category: Category, event_type: str) -> None:
    """`event_type` is "category.created" or "category.updated"."""
    realtime.publish(category.user_id, event_type, {"category": category_data(category)})


def publish_category_deleted(user_id, category_id) -> None:
    realtime.publish(user_id, "category.deleted", {"category_id": str(category_id)})

"""Creating, changing and deleting tasks (not their status or time: see timer.py)."""

import logging
from datetime import datetime

from django.db import transaction

from config.sources import check_source
from config.sql import insert_all
from tasks.models import Category, Task
from tasks.realtime import publish_task, publish_task_deleted
from tasks.services.common import (
    TASK_UPDATABLE_FIELDS,
    EventType,
    _check_category,
    _check_category_kept,
    _check_due_at,
    _full_clean,
    _json_value,
    _lock_task,
    _lock_user,
    _now,
    _record,
    _save,
)

logger = logging.getLogger("tasks.services")


def task_create(
    *,
    user,
    source: str,
    actor=None,
    title: str,
    description: str = "",
    category: Category | None = None,
    priority: str = Task.Priority.MEDIUM,
    due_at: datetime | None = None,
    estimated_minutes: int | None = None,
) -> Task:
    check_source(source)
    _check_category(user=user, category=category)
    _check_due_at(due_at)
    task = Task(
        user=user,
        title=title,
        description=description or "",
        category=category,
        priority=priority,
        due_at=due_at,
        estimated_minutes=estimated_minutes,
    )
    _full_clean(task)
    with transaction.atomic():
        if category is not None:
            _lock_user(user.pk)
            task.category = category = _check_category_kept(user=user, category=category)
        insert_all([task])  # task.save() without compiling its INSERT (config/sql.py)
        _record(
            task=task,
            type=EventType.CREATED,
            source=source,
            actor=actor,
            occurred_at=task.created_at,
            data={
                "title": title,
                "priority": priority,
                "category_id": str(category.pk) if category else None,
                "due_at": _json_value(due_at),
                "estimated_minutes": estimated_minutes,
            },
        )
        publish_task(task)
    return task


def task_update(*, user, task: Task, source: str, actor=None, **fields) -> Task:
    """Change the task's own fields (not its status or time: those have their own services).
    Records one `updated` event with {"changes": {field: {"from", "to"}}}; no change, no event."""
    check_source(source)
    unknown = set(fields) - set(TASK_UPDATABLE_FIELDS)
    if unknown:
        raise TypeError(f"task_update() cannot change {sorted(unknown)}")
    if "category" in fields:
        _check_category(user=user, category=fields["category"])
    _check_due_at(fields.get("due_at"))
    with transaction.atomic():
        _lock_user(user.pk)
        task = _lock_task(user=user, task_id=task.pk)
        if fields.get("category") is not None:
            fields["category"] = _check_category_kept(user=user, category=fields["category"])
        changes = {}
        for name, value in fields.items():
            if name == "description" and value is None:
                value = ""
            current = getattr(task, name)
            if current != value:
                changes[name] = {"from": _json_value(current), "to": _json_value(value)}
                setattr(task, name, value)
        if not changes:
            return task
        _full_clean(task)
        _save(task, list(changes))
        _record(
            task=task,
            type=EventType.UPDATED,
            source=source,
            actor=actor,
            occurred_at=_now(),
            data={"changes": changes},
        )
        publish_task(task)
    return task


def task_delete(*, user, task: Task, source: str, actor=None) -> None:
    """Deletes the task and, with it, its event log (its time leaves the reports)."""
    check_source(source)
    with transaction.atomic():
        _lock_user(user.pk)
        task = _lock_task(user=user, task_id=task.pk)
        task_id = task.pk
        task.delete()
        publish_task_deleted(user.pk, task_id)
    # The task's events go with it: the log line keeps who deleted it.
    actor_id = actor.pk if actor is not None else None
    logger.info("task %s of %s deleted (source=%s, actor=%s)", task_id, user.pk, source, actor_id)

"""The assistant's task tools, and the compact shape they answer a task in.

The shape is not the REST representation. Every tool result goes into the model's context, and
is paid for on every later round of the turn and, through the history, on later turns. So a
task carries what the model needs to talk about it and act on it, and nothing else:

- `id`, `title`, `status`, `priority` always;
- `description` cut to `DESCRIPTION_CHARS` characters (with `"description_truncated": true`
  when it was longer; a task's description can hold 5,000);
- `category` as its name (tools accept names), `due_at`, `estimated_minutes`, `running_since`,
  `completed_at` only when set, date-times in the user's time zone (the offset the prompt asks
  the model to use);
- `tracked_minutes` (closed time plus the running segment, rounded down) instead of seconds.

Left out: colours and icons, `is_running` (`running_since` says it), `created_at`/`updated_at`.
How tools are written and run: `config/assistant_tools.py`, `chat/tools.py`.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from config.assistant_tools import LIST_LIMIT, SOURCE, Tool, ToolError, plain, validated
from config.fields import iso_datetime
from tasks import selectors as task_selectors
from tasks import services as task_services
from tasks.serializers import (
    TaskCreateSerializer,
    TaskEventSerializer,
    TaskListQuerySerializer,
    TaskUpdateSerializer,
    TimeEntrySerializer,
    TimerCorrectionSerializer,
)

DESCRIPTION_CHARS = 160


def cut(text: str, limit: int) -> tuple[str, bool]:
    """`text` shortened to at most `limit` characters at a word boundary, with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text, False
    head = text[: limit - 1]
    if " " in head[limit // 2 :]:
        head = head.rsplit(" ", 1)[0]
    return head.rstrip(" ,.;:-") + "…", True


def task_shape(task, *, user, now=None) -> dict:
    tz = user.tz
    now = now or timezone.now()
    data: dict = {
        "id": str(task.pk),
        "title": task.title,
        "status": task.status,
        "priority": task.priority,
    }
    if task.description:
        data["description"], truncated = cut(task.description, DESCRIPTION_CHARS)
        if truncated:
            data["description_truncated"] = True
    if task.category_id is not None:
        data["category"] = task.category.name
    if task.due_at is not None:
        data["due_at"] = iso_datetime(task.due_at, tz)
    if task.estimated_minutes is not None:
        data["estimated_minutes"] = task.estimated_minutes
    data["tracked_minutes"] = task.tracked_seconds_at(now) // 60
    if task.running_since is not None:
        data["running_since"] = iso_datetime(task.running_since, tz)
    if task.completed_at is not None:
        data["completed_at"] = iso_datetime(task.completed_at, tz)
    return data


def _category_id(user, value):
    """Categories are referred to by id; an exact name (any case) of one of the user's
    categories is accepted too, since that is how people say it. Anything else goes to the
    serializer unchanged and fails there as an unknown category."""
    if not isinstance(value, str) or value.strip().lower() == "none":
        return value
    try:
        uuid.UUID(value)
        return value
    except ValueError:
        pass
    match = task_selectors.category_list(user=user).filter(name__iexact=value.strip()).first()
    return str(match.pk) if match is not None else value


def _task_data(task, user) -> dict:
    # The compact shape (above): every tool result is paid for in the model's context.
    return task_shape(task, user=user)


def list_tasks(*, user, status=None, search=None, category=None) -> dict:
    query = {k: v for k, v in (("status", status), ("search", search)) if v is not None}
    if category is not None:
        query["category"] = _category_id(user, category)
    filters = validated(TaskListQuerySerializer, query, user=user)
    tasks = task_selectors.task_list(
        user=user,
        status=filters.get("status"),
        search=filters.get("search"),
        category_id=filters.get("category"),
    )
    rows = list(tasks[: LIST_LIMIT + 1])
    result = {"tasks": [_task_data(task, user) for task in rows[:LIST_LIMIT]]}
    if len(rows) > LIST_LIMIT:
        result["truncated"] = True
    return result


def create_task(*, user, **arguments) -> dict:
    if "category" in arguments:
        arguments["category"] = _category_id(user, arguments["category"])
    data = validated(TaskCreateSerializer, arguments, user=user)
    task = task_services.task_create(user=user, source=SOURCE, **data)
    return {"task": _task_data(task, user)}


def update_task(*, user, task_id, **arguments) -> dict:
    task = task_selectors.task_get(user=user, task_id=task_id)
    if "category" in arguments:
        arguments["category"] = _category_id(user, arguments["category"])
    data = validated(TaskUpdateSerializer, arguments, user=user, partial=True)
    task = task_services.task_update(user=user, task=task, source=SOURCE, **data)
    return {"task": _task_data(task_selectors.task_get(user=user, task_id=task.pk), user)}


def start_task(*, user, task_id) -> dict:
    task = task_selectors.task_get(user=user, task_id=task_id)
    previous = task_selectors.running_task(user=user)
    task = task_services.task_start(user=user, task=task, source=SOURCE)
    result = {"task": _task_data(task, user)}
    if previous is not None and previous.pk != task.pk:
        # Starting pauses the running task: say so, so the reply can tell the user.
        result["paused_task"] = _task_data(
            task_selectors.task_get(user=user, task_id=previous.pk), user
        )
    return result


def pause_task(*, user, task_id) -> dict:
    task = task_selectors.task_get(user=user, task_id=task_id)
    return {"task": _task_data(task_services.task_pause(user=user, task=task, source=SOURCE), user)}


def complete_task(*, user, task_id) -> dict:
    task = task_selectors.task_get(user=user, task_id=task_id)
    task = task_services.task_complete(user=user, task=task, source=SOURCE)
    return {"task": _task_data(task, user)}


def log_time(*, user, task_id, started_at, ended_at) -> dict:
    task = task_selectors.task_get(user=user, task_id=task_id)
    data = validated(
        TimeEntrySerializer, {"started_at": started_at, "ended_at": ended_at}, user=user
    )
    event = task_services.task_log_time(user=user, task=task, source=SOURCE, **data)
    return {
        "task": _task_data(task_selectors.task_get(user=user, task_id=task.pk), user),
        "time_entry": plain(TaskEventSerializer(event).data),
    }


def correct_timer(*, user, task_id, stopped_at=None, still_working=None) -> dict:
    """The answer to "did you stop at 18:10?": the time it really stopped, or that the person
    is still working (nothing changes; the answer is on record in the conversation)."""
    task = task_selectors.task_get(user=user, task_id=task_id)
    if still_working is True and stopped_at is None:
        return {"task": _task_data(task, user), "still_working": True}
    if stopped_at is None or still_working is True:
        raise ToolError(
            "invalid_arguments",
            _("Give either stopped_at or still_working: true."),
            {"stopped_at": [_("Give either stopped_at or still_working: true.")]},
        )
    data = validated(TimerCorrectionSerializer, {"stopped_at": stopped_at}, user=user)
    event = task_services.task_correct_timer(
        user=user, task=task, source=SOURCE, stopped_at=data["stopped_at"]
    )
    return {
        "task": _task_data(event.task, user),
        "corrected": {
            "from": iso_datetime(datetime.fromisoformat(event.data["from"]), user.tz),
            "to": iso_datetime(event.segment_end, user.tz),
        },
    }


def list_categories(*, user) -> dict:
    # Id and name are all the model uses (colours and icons are for screens).
    categories = task_selectors.category_list(user=user).values_list("pk", "name")
    return {"categories": [{"id": str(pk), "name": name} for pk, name in categories]}


_TASK_ID = {"type": "string", "description": "The task's id, as returned by list_tasks."}
_CATEGORY = {
    "type": "string",
    "description": "A category id from list_categories (or the category's exact name).",
}
_DATETIME = "ISO 8601 date-time with the user's UTC offset, e.g. 2026-03-01T09:30:00+01:00."
_TASK_FIELDS = {
    "title": {"type": "string", "maxLength": 200},
    "description": {"type": "string", "maxLength": 5000},
    "category": _CATEGORY,
    "priority": {"type": "string", "enum": ["low", "medium", "high"]},
    "due_at": {"type": "string", "description": "When it is due. " + _DATETIME},
    "estimated_minutes": {"type": "integer", "minimum": 1},
}

TOOLS = [
    Tool(
        "list_tasks",
        "List the user's tasks, newest first (at most 50), optionally filtered.",
        {
            "status": {
                "type": "string",
                "description": "pending, in_progress, paused or completed; several "
                "separated by commas.",
            },
            "search": {"type": "string", "description": "Text in title or description."},
            "category": _CATEGORY,
        },
        (),
        list_tasks,
    ),
    Tool(
        "create_task",
        "Create a task for the user. It starts as pending; use start_task to start it.",
        _TASK_FIELDS,
        ("title",),
        create_task,
    ),
    Tool(
        "update_task",
        "Change a task's title, description, category, priority, due date or estimate.",
        {"task_id": _TASK_ID, **_TASK_FIELDS},
        ("task_id",),
        update_task,
    ),
    Tool(
        "start_task",
        "Start the task's timer. A task already running is paused first (one timer).",
        {"task_id": _TASK_ID},
        ("task_id",),
        start_task,
    ),
    Tool(
        "pause_task",
        "Pause the task's running timer.",
        {"task_id": _TASK_ID},
        ("task_id",),
        pause_task,
    ),
    Tool(
        "complete_task",
        "Mark the task completed (stops its timer and keeps the time).",
        {"task_id": _TASK_ID},
        ("task_id",),
        complete_task,
    ),
    Tool(
        "log_time",
        "Add a finished stretch of work to a task (a timer the user forgot to run).",
        {
            "task_id": _TASK_ID,
            "started_at": {"type": "string", "description": _DATETIME},
            "ended_at": {"type": "string", "description": _DATETIME},
        },
        ("task_id", "started_at", "ended_at"),
        log_time,
    ),
    Tool(
        "correct_timer",
        "Stop a forgotten running timer at the moment the user says it really stopped, so "
        "only the time up to then counts; or, with still_working true, confirm it is right "
        "as it is. Use it to settle the user's answer to a question about their timer.",
        {
            "task_id": _TASK_ID,
            "stopped_at": {
                "type": "string",
                "description": "When it really stopped: " + _DATETIME + " Or a time of day on "
                "the user's clock such as 18:10 (the latest one that has passed).",
            },
            "still_working": {
                "type": "boolean",
                "description": "true when the user is still working on it: nothing changes.",
            },
        },
        ("task_id",),
        correct_timer,
    ),
    Tool("list_categories", "List the user's task categories.", {}, (), list_categories),
]

"""The assistant's tools: what the model may do with the user's data.

Names, arguments and results are a contract (DESIGN.md "The assistant"). Each tool validates
its arguments with the serializer the REST endpoint uses (`context={"user": user}`), calls
the same service with `source="assistant"`, touches only the requesting user's rows (another
user's id is simply "not found"), and answers JSON. Problems are answered to the model as
`{"error": {"code", "message", "fields"?}}` instead of raising, so it can correct itself.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils.translation import gettext as _
from rest_framework import serializers as drf

from chat import shapes
from checkins import services as checkin_services
from checkins.serializers import CheckInCreateSerializer, CheckInSerializer
from config.exceptions import DomainError
from config.parsers import contains_lone_surrogate, contains_nul
from goals import selectors as goal_selectors
from goals import services as goal_services
from goals.serializers import (
    GoalCreateSerializer,
    GoalListQuerySerializer,
    GoalProgressCreateSerializer,
    GoalProgressSerializer,
    GoalSerializer,
)
from summaries.selectors import day_stats, summary_find
from tasks import selectors as task_selectors
from tasks import services as task_services
from tasks.serializers import (
    TaskCreateSerializer,
    TaskEventSerializer,
    TaskListQuerySerializer,
    TaskUpdateSerializer,
    TimeEntrySerializer,
)

logger = logging.getLogger(__name__)

SOURCE = "assistant"
# A list answer is cut here (newest first) so one call cannot flood the model's context.
LIST_LIMIT = 50


class ToolError(Exception):
    def __init__(self, code: str, message: str, fields: dict | None = None) -> None:
        super().__init__(message)
        self.code, self.message, self.fields = code, message, fields

    def as_dict(self) -> dict:
        body = {"code": self.code, "message": self.message}
        if self.fields:
            body["fields"] = self.fields
        return body


@dataclass(frozen=True)
class Tool:
    name: str
    description: str
    properties: dict
    required: tuple[str, ...]
    handler: Callable[..., dict]

    def schema(self) -> dict:
        return {
            "type": "function",
            "function": {
                "name": self.name,
                "description": self.description,
                "parameters": {
                    "type": "object",
                    "properties": self.properties,
                    "required": list(self.required),
                    "additionalProperties": False,
                },
            },
        }


def _plain(data) -> dict:
    """Serializer output as plain JSON values (what the model and the frames get)."""
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


def _validated(serializer_class, data: dict, *, user, **kwargs) -> dict:
    serializer = serializer_class(data=data, context={"user": user}, **kwargs)
    if not serializer.is_valid():
        raise ToolError("validation_error", _("Invalid input."), _fields(serializer.errors))
    return serializer.validated_data


def _fields(errors) -> dict:
    if isinstance(errors, dict):
        return {
            key: [str(m) for m in value] if isinstance(value, list) else [str(value)]
            for key, value in errors.items()
        }
    return {"non_field_errors": [str(e) for e in errors]}


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
    # The compact shape (chat/shapes.py): every tool result is paid for in the model's context.
    return shapes.task(task, user=user)


# --- tasks ------------------------------------------------------------------------------


def list_tasks(*, user, status=None, search=None, category=None) -> dict:
    query = {k: v for k, v in (("status", status), ("search", search)) if v is not None}
    if category is not None:
        query["category"] = _category_id(user, category)
    filters = _validated(TaskListQuerySerializer, query, user=user)
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
    data = _validated(TaskCreateSerializer, arguments, user=user)
    task = task_services.task_create(user=user, source=SOURCE, **data)
    return {"task": _task_data(task, user)}


def update_task(*, user, task_id, **arguments) -> dict:
    task = task_selectors.task_get(user=user, task_id=task_id)
    if "category" in arguments:
        arguments["category"] = _category_id(user, arguments["category"])
    data = _validated(TaskUpdateSerializer, arguments, user=user, partial=True)
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
    data = _validated(
        TimeEntrySerializer, {"started_at": started_at, "ended_at": ended_at}, user=user
    )
    event = task_services.task_log_time(user=user, task=task, source=SOURCE, **data)
    return {
        "task": _task_data(task_selectors.task_get(user=user, task_id=task.pk), user),
        "time_entry": _plain(TaskEventSerializer(event).data),
    }


def list_categories(*, user) -> dict:
    # Id and name are all the model uses (colours and icons are for screens).
    categories = task_selectors.category_list(user=user).values_list("pk", "name")
    return {"categories": [{"id": str(pk), "name": name} for pk, name in categories]}


# --- goals and check-ins ------------------------------------------------------------------


def _goal_data(goal, *, user) -> dict:
    return _plain(GoalSerializer(goal, context={"user": user}).data)


def list_goals(*, user, status=None) -> dict:
    query = _validated(
        GoalListQuerySerializer, {} if status is None else {"status": status}, user=user
    )
    goals = list(goal_selectors.goal_list(user=user, **query)[: LIST_LIMIT + 1])
    data = GoalSerializer(goals[:LIST_LIMIT], many=True, context={"user": user}).data
    result = {"goals": _plain(data)}
    if len(goals) > LIST_LIMIT:
        result["truncated"] = True
    return result


def create_goal(*, user, **arguments) -> dict:
    data = _validated(GoalCreateSerializer, arguments, user=user)
    goal = goal_services.goal_create(user=user, source=SOURCE, **data)
    return {"goal": _goal_data(goal_selectors.goal_get(user=user, goal_id=goal.pk), user=user)}


def log_goal_progress(*, user, goal_id, value, note=None) -> dict:
    goal = goal_selectors.goal_get(user=user, goal_id=goal_id)
    payload = {"value": value} if note is None else {"value": value, "note": note}
    data = _validated(GoalProgressCreateSerializer, payload, user=user)
    progress = goal_services.goal_log_progress(user=user, goal=goal, source=SOURCE, **data)
    return {
        "progress": _plain(GoalProgressSerializer(progress).data),
        "goal": _goal_data(goal_selectors.goal_get(user=user, goal_id=goal.pk), user=user),
    }


def create_check_in(*, user, **arguments) -> dict:
    data = _validated(CheckInCreateSerializer, arguments, user=user)
    checkin = checkin_services.checkin_create(user=user, source=SOURCE, **data)
    return {"check_in": _plain(CheckInSerializer(checkin).data)}


class SummaryQuerySerializer(drf.Serializer):
    date = drf.DateField(required=False, input_formats=["iso-8601"])

    def validate_date(self, value: date) -> date:
        if value > self.context["user"].local_now().date():
            raise drf.ValidationError(_("The date cannot be in the future."))
        return value


def get_summary(*, user, date=None) -> dict:
    query = _validated(SummaryQuerySerializer, {} if date is None else {"date": date}, user=user)
    day = query.get("date") or user.local_now().date()
    stored = summary_find(user=user, day=day)
    if stored is not None:
        extra = {"text": stored.text, "generated_at": stored.generated_at.isoformat()}
        return {"summary": {**stored.stats, "stored": True, **extra}}
    return {"summary": {**day_stats(user=user, day=day), "stored": False, "text": None}}


# --- the registry -------------------------------------------------------------------------

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

TOOLS: dict[str, Tool] = {
    tool.name: tool
    for tool in [
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
        Tool("list_categories", "List the user's task categories.", {}, (), list_categories),
        Tool(
            "list_goals",
            "List the user's goals with their progress.",
            {"status": {"type": "string", "enum": ["active", "achieved", "archived"]}},
            (),
            list_goals,
        ),
        Tool(
            "create_goal",
            "Create a goal: reach target_value of unit (e.g. 10 km), optionally per period.",
            {
                "title": {"type": "string", "maxLength": 200},
                "target_value": {"type": "number", "exclusiveMinimum": 0},
                "unit": {"type": "string", "maxLength": 30},
                "period": {"type": "string", "enum": ["none", "daily", "weekly", "monthly"]},
                "due_date": {"type": "string", "description": "YYYY-MM-DD"},
            },
            ("title", "target_value", "unit"),
            create_goal,
        ),
        Tool(
            "log_goal_progress",
            "Add progress to a goal (a negative value corrects an earlier entry).",
            {
                "goal_id": {"type": "string", "description": "From list_goals."},
                "value": {"type": "number"},
                "note": {"type": "string", "maxLength": 2000},
            },
            ("goal_id", "value"),
            log_goal_progress,
        ),
        Tool(
            "create_check_in",
            "Record how the user feels now: mood and energy from 1 (low) to 5 (high).",
            {
                "mood": {"type": "integer", "minimum": 1, "maximum": 5},
                "energy": {"type": "integer", "minimum": 1, "maximum": 5},
                "note": {"type": "string", "maxLength": 2000},
                "kind": {"type": "string", "enum": ["morning", "evening", "adhoc"]},
            },
            ("mood", "energy"),
            create_check_in,
        ),
        Tool(
            "get_summary",
            "One day in the user's time zone (default today): its stored daily summary (text "
            "and figures) if there is one, otherwise the figures computed now: tasks created "
            "and completed, time tracked in total and per category, goal progress, check-ins, "
            "the running timer, and the 7 days before as a baseline.",
            {"date": {"type": "string", "description": "YYYY-MM-DD; default today."}},
            (),
            get_summary,
        ),
    ]
}


def schemas() -> list[dict]:
    """The tool definitions sent to the model with every request."""
    return [tool.schema() for tool in TOOLS.values()]


def _arguments(tool: Tool, raw: str) -> dict:
    try:
        arguments = json.loads(raw) if raw and raw.strip() else {}
    except ValueError:
        raise ToolError("invalid_arguments", _("The arguments are not valid JSON.")) from None
    if contains_nul(arguments) or contains_lone_surrogate(arguments):
        # Escapes such as "\\u0000" or a lone "\\ud800": text no column can store.
        raise ToolError("invalid_arguments", _("The arguments are not valid JSON."))
    if not isinstance(arguments, dict):
        raise ToolError("invalid_arguments", _("The arguments must be a JSON object."))
    unknown = sorted(set(arguments) - set(tool.properties))
    missing = [name for name in tool.required if arguments.get(name) in (None, "")]
    fields = {name: [_("Unknown argument.")] for name in unknown}
    fields.update({name: [_("This argument is required.")] for name in missing})
    if fields:
        raise ToolError("invalid_arguments", _("Invalid arguments."), fields)
    return arguments


def run_tool(*, user, name: str, arguments: str) -> dict:
    """Run one tool call; always answers an action `{"tool", "arguments", "result"}`."""
    try:
        shown = json.loads(arguments) if arguments and arguments.strip() else {}
    except ValueError:
        shown = arguments
    if contains_nul(shown) or contains_lone_surrogate(shown):
        shown = arguments  # as written, escapes and all: decoded, it could not be stored
    tool = TOOLS.get(name)
    try:
        if tool is None:
            raise ToolError("unknown_tool", _("There is no tool called %(name)s.") % {"name": name})
        parsed = _arguments(tool, arguments)
        # A savepoint per call: a failed tool leaves nothing half-done behind.
        with transaction.atomic():
            result = tool.handler(user=user, **parsed)
    except ToolError as exc:
        result = {"error": exc.as_dict()}
    except DomainError as exc:
        result = {"error": exc.as_dict()}
    except Exception:
        logger.exception("assistant tool %s failed", name)
        result = {"error": {"code": "tool_failed", "message": _("The action failed.")}}
    return {"tool": name, "arguments": shown, "result": result}

"""How each table of the Fastify service becomes this project's rows: old column -> new field.

One `TableMap` per table, in the order rows can be inserted (owners and parents first). The
tables have the seed's names on both sides and UUID ids on both sides, so every row keeps its
id: that is what makes a second run import nothing, and what keeps the ids the mobile app
holds valid. `required` columns must exist in the old table (the import refuses, naming them,
when one is missing); `optional` ones are read when they exist, and the builder says what
stands in for them otherwise. docs/legacy-import.md is the same mapping in prose, with the
reason for each decision.

A builder returns the new row's field values (attnames). It raises `RowError` for what no
column rule can decide (a row that points at another person's task, a hash that is not
bcrypt); the field validators of the models (choices, lengths, time zones, colours) are run on
what it returns by the importer, and the database's own constraints at insert.
"""

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from uuid import UUID

from django.contrib.auth.hashers import make_password
from rest_framework.exceptions import ValidationError as DRFValidationError

from accounts.models import normalize_email
from accounts.serializers import validate_preferences

# What Node's `bcrypt` (and bcryptjs) store: $2a$/$2b$/$2y$, a two-digit cost, 22 + 31 chars.
BCRYPT_HASH = re.compile(r"\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}")
KNOWN_PREFERENCES = ("summary_hour", "checkin_reminders", "quiet_hours", "notifications")


class RowError(Exception):
    def __init__(self, column: str, message: str):
        super().__init__(message)
        self.column = column
        self.message = message


@dataclass
class Context:
    """What later tables need to know about rows read before them (all read rows, imported
    or already there)."""

    now: dt.datetime
    # table -> old id -> the id of the user who owns that row
    owners: dict[str, dict[UUID, UUID]] = field(default_factory=dict)
    languages: dict[UUID, str] = field(default_factory=dict)

    def owner_of(self, table: str, row_id: UUID | None, column: str, user_id: UUID) -> None:
        """Refuse a reference to a row of another person (or to no row at all)."""
        if row_id is None:
            return
        owner = self.owners.get(table, {}).get(row_id)
        if owner is None:
            raise RowError(column, f"points at {table} {row_id}, which the old database lacks")
        if owner != user_id:
            raise RowError(column, f"points at {table} {row_id}, which belongs to another user")


@dataclass(frozen=True)
class TableMap:
    table: str
    model: str  # app_label.ModelName
    required_columns: str
    optional_columns: str
    build: Callable[[dict, Context], dict]

    @property
    def required(self) -> list[str]:
        return self.required_columns.split()

    @property
    def optional(self) -> list[str]:
        return self.optional_columns.split()


def aware(value: dt.datetime | None) -> dt.datetime | None:
    """The old columns are timestamptz (aware values). A `timestamp` column would give naive
    values: taken as UTC, the zone the seed's server and database ran in."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value


def _text(value) -> str:
    """NULL text becomes "" (the new text columns are NOT NULL, blank meaning none)."""
    return "" if value is None else value


def _user(row: dict, ctx: Context) -> dict:
    stored = row["password_hash"]
    if not stored:
        # No password (never set): the account comes over, its owner resets the password.
        password = make_password(None)
    elif BCRYPT_HASH.fullmatch(stored):
        # accounts.hashers.NodeBCryptPasswordHasher checks it; the next login rewrites it Argon2.
        password = "bcrypt$" + stored
    else:
        raise RowError("password_hash", "is not a bcrypt hash ($2a$, $2b$ or $2y$)")
    preferences = row.get("preferences")
    if preferences is None:
        preferences = {}
    if not isinstance(preferences, dict):
        raise RowError("preferences", "is not a JSON object")
    # Keys this project does not know (a client's own settings) are left behind.
    preferences = {key: preferences[key] for key in KNOWN_PREFERENCES if key in preferences}
    try:
        validate_preferences(preferences)
    except DRFValidationError as exc:
        raise RowError("preferences", str(exc.detail)) from exc
    created_at = aware(row.get("created_at")) or ctx.now
    ctx.languages[row["id"]] = row.get("language") or "es"
    return {
        "id": row["id"],
        "email": normalize_email(row["email"]),
        "name": _text(row.get("name")),
        "password": password,
        "timezone": row.get("timezone") or "UTC",
        "language": row.get("language") or "es",
        "preferences": preferences,
        "is_staff": False,
        "is_superuser": False,
        "is_active": True,
        "created_at": created_at,
        "updated_at": ctx.now,
        # Taken as verified, as the accounts that existed when verification came in
        # (accounts/migrations/0005, docs/accounts.md).
        "email_verified_at": ctx.now,
    }


def _category(row: dict, ctx: Context) -> dict:
    created_at = aware(row.get("created_at")) or ctx.now
    return {
        "id": row["id"],
        "user_id": row["user_id"],
        "name": row["name"],
        "color": row["color"],
        "icon": _text(row.get("icon")),
        "created_at": created_at,
        "updated_at": aware(row.get("updated_at")) or created_at,
    }


def _task(row: dict, ctx: Context) -> dict:
    ctx.owner_of("categories", row.get("category_id"), "category_id", row["user_id"])
    created_at = aware(row.get("created_at")) or ctx.now
    return {
        "id": row["id"],
        "user_id": row["user_id"],
        "category_id": row.get("category_id"),
        "title": row["title"],
        "description": _text(row.get("description")),
        "status": row["status"],
        "priority": row.get("priority") or "medium",
        "due_at": aware(row.get("due_at")),
        "estimated_minutes": row.get("estimated_minutes"),
        "tracked_seconds": row["tracked_seconds"],
        # A timer running at the freeze keeps running: the time of the cutover counts.
        "running_since": aware(row["running_since"]),
        "completed_at": aware(row["completed_at"]),
        "created_at": created_at,
        "updated_at": aware(row.get("updated_at")) or created_at,
    }


def _task_event(row: dict, ctx: Context) -> dict:
    owner = ctx.owners.get("tasks", {}).get(row["task_id"])
    if owner is None:
        raise RowError("task_id", f"points at tasks {row['task_id']}, which the old database lacks")
    user_id = row.get("user_id") or owner
    if user_id != owner:
        raise RowError("user_id", f"is not the owner of task {row['task_id']}")
    return {
        "id": row["id"],
        "task_id": row["task_id"],
        "user_id": owner,
        "type": row["type"],
        "source": row["source"],
        "actor_id": None,
        "occurred_at": aware(row["occurred_at"]),
        "segment_start": aware(row.get("segment_start")),
        "segment_end": aware(row.get("segment_end")),
        "duration_seconds": row.get("duration_seconds"),
        "data": row.get("data") or {},
    }


def _goal(row: dict, ctx: Context) -> dict:
    ctx.owner_of("categories", row.get("category_id"), "category_id", row["user_id"])
    created_at = aware(row.get("created_at")) or ctx.now
    return {
        "id": row["id"],
        "user_id": row["user_id"],
        "category_id": row.get("category_id"),
        "title": row["title"],
        "description": _text(row.get("description")),
        "target_value": row["target_value"],
        "unit": row["unit"],
        "period": row["period"],
        "start_date": row.get("start_date") or created_at.date(),
        "due_date": row.get("due_date"),
        "status": row["status"],
        "achieved_at": aware(row.get("achieved_at")),
        "source": row.get("source") or "api",
        "created_at": created_at,
        "updated_at": aware(row.get("updated_at")) or created_at,
    }


def _goal_progress(row: dict, ctx: Context) -> dict:
    owner = ctx.owners.get("goals", {}).get(row["goal_id"])
    if owner is None:
        raise RowError("goal_id", f"points at goals {row['goal_id']}, which the old database lacks")
    if row.get("user_id") not in (None, owner):
        raise RowError("user_id", f"is not the owner of goal {row['goal_id']}")
    actor = row.get("actor_id")
    recorded_at = aware(row["recorded_at"])
    return {
        "id": row["id"],
        "goal_id": row["goal_id"],
        "user_id": owner,
        "value": row["value"],
        "note": _text(row.get("note")),
        "recorded_at": recorded_at,
        "source": row.get("source") or "api",
        # Only a staff member of this import can be named; anyone else is forgotten.
        "actor_id": actor if actor in ctx.owners.get("users", {}) else None,
        "created_at": aware(row.get("created_at")) or recorded_at,
    }


def _check_in(row: dict, ctx: Context) -> dict:
    recorded_at = aware(row["recorded_at"])
    created_at = aware(row.get("created_at")) or recorded_at
    return {
        "id": row["id"],
        "user_id": row["user_id"],
        "kind": row.get("kind") or "adhoc",
        "mood": row["mood"],
        "energy": row["energy"],
        "note": _text(row.get("note")),
        "recorded_at": recorded_at,
        "source": row.get("source") or "api",
        "created_at": created_at,
        "updated_at": aware(row.get("updated_at")) or created_at,
    }


def _conversation(row: dict, ctx: Context) -> dict:
    created_at = aware(row.get("created_at")) or ctx.now
    return {
        "id": row["id"],
        "user_id": row["user_id"],
        "title": _text(row.get("title")),
        "created_at": created_at,
        "updated_at": aware(row.get("updated_at")) or created_at,
        "turn_token": None,
        "turn_lease_until": None,
    }


def _message(row: dict, ctx: Context) -> dict:
    owner = ctx.owners.get("conversations", {}).get(row["conversation_id"])
    if owner is None:
        raise RowError(
            "conversation_id",
            f"points at conversations {row['conversation_id']}, which the old database lacks",
        )
    return {
        "id": row["id"],
        "conversation_id": row["conversation_id"],
        "user_id": owner,  # the old table has no user: the conversation's
        "role": row["role"],
        "content": _text(row["content"]),
        "source": row.get("source") or "text",
        "status": "complete",
        # NULL means "called no tool" here (a client sees the message); [] meant the same.
        "tool_calls": row.get("tool_calls") or None,
        "tool_call_id": _text(row.get("tool_call_id")),
        "actions": [],
        "model": _text(row.get("model")),
        "prompt_tokens": row.get("prompt_tokens"),
        "completion_tokens": row.get("completion_tokens"),
        "created_at": aware(row.get("created_at")) or ctx.now,
    }


def _daily_summary(row: dict, ctx: Context) -> dict:
    generated_at = aware(row.get("generated_at")) or ctx.now
    return {
        "id": row["id"],
        "user_id": row["user_id"],
        "date": row["date"],
        "stats": row["stats"] if row["stats"] is not None else {},
        "text": _text(row["text"]),
        # The language it was written in: the old table does not say, the owner's is the guess.
        "language": row.get("language") or ctx.languages.get(row["user_id"], "es"),
        "model": row.get("model") or None,
        "prompt_tokens": row.get("prompt_tokens"),
        "completion_tokens": row.get("completion_tokens"),
        # The seed wrote summaries on its nightly schedule.
        "source": row.get("source") or "schedule",
        "llm_error": "",
        "llm_failures": 0,
        "generated_at": generated_at,
        "created_at": generated_at,
    }


# Columns are listed as space-separated names (required first, then optional).
TABLES: tuple[TableMap, ...] = (
    TableMap(
        "users",
        "accounts.User",
        "id email password_hash",
        "name timezone language preferences created_at",
        _user,
    ),
    TableMap(
        "categories",
        "tasks.Category",
        "id user_id name color",
        "icon created_at updated_at",
        _category,
    ),
    TableMap(
        "tasks",
        "tasks.Task",
        "id user_id title status tracked_seconds running_since completed_at",
        "category_id description priority due_at estimated_minutes created_at updated_at",
        _task,
    ),
    TableMap(
        "task_events",
        "tasks.TaskEvent",
        "id task_id type source occurred_at",
        "user_id segment_start segment_end duration_seconds data",
        _task_event,
    ),
    TableMap(
        "goals",
        "goals.Goal",
        "id user_id title target_value unit period status",
        "category_id description start_date due_date achieved_at source created_at updated_at",
        _goal,
    ),
    TableMap(
        "goal_progress",
        "goals.GoalProgress",
        "id goal_id value recorded_at",
        "user_id note source actor_id created_at",
        _goal_progress,
    ),
    TableMap(
        "check_ins",
        "checkins.CheckIn",
        "id user_id mood energy recorded_at",
        "kind note source created_at updated_at",
        _check_in,
    ),
    TableMap(
        "conversations",
        "chat.Conversation",
        "id user_id",
        "title created_at updated_at",
        _conversation,
    ),
    TableMap(
        "messages",
        "chat.Message",
        "id conversation_id role content",
        "source tool_calls tool_call_id model prompt_tokens completion_tokens created_at",
        _message,
    ),
    TableMap(
        "daily_summaries",
        "summaries.DailySummary",
        "id user_id date stats text",
        "language model prompt_tokens completion_tokens source generated_at",
        _daily_summary,
    ),
)

"""What the assistant's tools answer about tasks: a compact shape, not the REST representation.

Every tool result goes into the model's context, and is paid for on every later round of the
turn and, through the history, on later turns. So a task carries what the model needs to talk
about it and act on it, and nothing else:

- `id`, `title`, `status`, `priority` always;
- `description` cut to `DESCRIPTION_CHARS` characters (with `"description_truncated": true`
  when it was longer; a task's description can hold 5,000);
- `category` as its name (tools accept names), `due_at`, `estimated_minutes`, `running_since`,
  `completed_at` only when set, date-times in the user's time zone (the offset the prompt asks
  the model to use);
- `tracked_minutes` (closed time plus the running segment, rounded down) instead of seconds.

Left out: colours and icons, `is_running` (`running_since` says it), `created_at`/`updated_at`.
"""

from __future__ import annotations

from django.utils import timezone

from config.fields import iso_datetime

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


def task(task, *, user, now=None) -> dict:
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

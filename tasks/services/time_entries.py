"""Time entries: a finished stretch of work added by hand (a forgotten timer)."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from config.sources import check_source
from tasks.errors import InvalidInput, TimeOverlap
from tasks.models import Task, TaskEvent
from tasks.realtime import publish_task
from tasks.services.common import (
    TIME_ENTRY_MAX,
    EventType,
    Status,
    _lock_task,
    _lock_user,
    _now,
    _record,
    _save,
)


def task_log_time(
    *,
    user,
    task: Task,
    started_at: datetime,
    ended_at: datetime,
    source: str,
    now: datetime | None = None,
    actor=None,
) -> TaskEvent:
    """Add a finished stretch of work (a forgotten timer). It must end after it starts, not
    in the future, last at most 24 hours and not overlap any other time of the user: closed
    segments of any task, or the running timer. A pending task becomes paused."""
    check_source(source)
    now = _now(now)
    errors: dict[str, list] = {}
    for name, value in (("started_at", started_at), ("ended_at", ended_at)):
        if timezone.is_naive(value):
            errors[name] = [_("Include a timezone offset.")]
    if errors:
        raise InvalidInput(fields=errors)
    started_at = started_at.replace(microsecond=0)
    ended_at = ended_at.replace(microsecond=0)
    if ended_at <= started_at:
        errors["ended_at"] = [_("The end must be after the start.")]
    elif ended_at > now:
        errors["ended_at"] = [_("Time entries cannot be in the future.")]
    elif ended_at - started_at > TIME_ENTRY_MAX:
        errors["ended_at"] = [_("A time entry can last at most 24 hours.")]
    if errors:
        raise InvalidInput(fields=errors)

    with transaction.atomic():
        _lock_user(user.pk)
        task = _lock_task(user=user, task_id=task.pk)
        overlaps_closed = TaskEvent.objects.filter(
            user_id=user.pk,
            segment_start__lt=ended_at,
            segment_end__gt=started_at,
        ).exists()
        # The running segment is [running_since, now) and ended_at <= now.
        overlaps_running = Task.objects.filter(user_id=user.pk, running_since__lt=ended_at).exists()
        if overlaps_closed or overlaps_running:
            raise TimeOverlap()
        event = _record(
            task=task,
            type=EventType.TIME_LOGGED,
            source=source,
            actor=actor,
            occurred_at=now,
            segment=(started_at, ended_at),
        )
        task.tracked_seconds += event.duration_seconds
        fields = ["tracked_seconds"]
        if task.status == Status.PENDING:
            task.status = Status.PAUSED
            fields.append("status")
        _save(task, fields)
        publish_task(task)
    return event

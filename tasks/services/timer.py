"""The timer: start (switching from the running task), pause, complete, reopen, correcting a
forgotten timer, and the stale-timer job."""

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from config.exceptions import NotFound
from config.pipeline import pipeline
from config.sources import check_source
from config.sql import Statement, insert_all
from tasks.errors import InvalidInput, TaskAlreadyCompleted, TaskNotCompleted, TaskNotRunning
from tasks.models import Task, TaskEvent
from tasks.realtime import publish_task
from tasks.services.common import (
    EventType,
    Status,
    _close_segment,
    _event,
    _lock_task,
    _lock_user,
    _now,
    _record,
    _save,
    _second,
    locked_tasks,
    locked_tasks_sql,
)

logger = logging.getLogger("tasks.services")


def task_start(*, user, task: Task, source: str, now: datetime | None = None, actor=None) -> Task:
    """Start the task's timer. Another running task of the user is paused first, in the same
    transaction, both changes logged. Starting the running task changes nothing.

    Every timer switch of a user waits for the previous one (the user lock), so the time spent
    holding it bounds how many switches a second one user gets: one query locks both tasks, and
    both events are written by one INSERT."""
    check_source(source)
    # Pipelined (config/pipeline.py): BEGIN rides with the user lock, the writes with COMMIT.
    with pipeline(), transaction.atomic():
        _lock_user(user.pk)
        now = _now(now)  # read under the lock, so a user's timer events are in order
        # The task to start and the running one, locked together (the user lock orders us).
        locked = locked_tasks(_start_pair_lock, task_id=task.pk, user_id=user.pk)
        task = next((t for t in locked if t.pk == task.pk), None)
        if task is None:
            raise NotFound()
        if task.is_running:
            return task
        if task.status == Status.COMPLETED:
            raise TaskAlreadyCompleted()
        previous = next((t for t in locked if t.pk != task.pk), None)
        events = []
        if previous is not None:
            events.append(
                _close_segment(
                    previous,
                    end=now,
                    type=EventType.PAUSED,
                    source=source,
                    actor=actor,
                    occurred_at=now,
                    data={"reason": "switched", "next_task_id": str(task.pk)},
                    save=False,
                )
            )
            previous.status = Status.PAUSED
            # Before the start below: the partial unique index allows one running task.
            _save(previous, ["status", "running_since", "tracked_seconds"])
        task.status = Status.IN_PROGRESS
        task.running_since = _second(now)
        _save(task, ["status", "running_since"])
        events.append(
            _event(
                task=task,
                type=EventType.STARTED,
                source=source,
                actor=actor,
                occurred_at=now,
                data={"paused_task_id": str(previous.pk) if previous else None},
            )
        )
        insert_all(events)
        if previous is not None:
            publish_task(previous)
        publish_task(task)
    return task


# Rows are locked in the order returned: primary-key order.
_start_pair_lock = Statement(
    locked_tasks_sql(
        '("tasks"."id" = %s OR "tasks"."running_since" IS NOT NULL) AND "tasks"."user_id" = %s',
        order_by='"tasks"."id"',
    )
)


def task_pause(*, user, task: Task, source: str, now: datetime | None = None, actor=None) -> Task:
    check_source(source)
    with transaction.atomic():
        _lock_user(user.pk)
        now = _now(now)  # read under the lock, so a user's timer events are in order
        task = _lock_task(user=user, task_id=task.pk)
        if not task.is_running:
            raise TaskNotRunning()
        _close_segment(
            task,
            end=now,
            type=EventType.PAUSED,
            source=source,
            actor=actor,
            occurred_at=now,
            data={},
        )
        task.status = Status.PAUSED
        _save(task, ["status", "running_since", "tracked_seconds"])
        publish_task(task)
    return task


def task_correct_timer(
    *,
    user,
    task: Task,
    stopped_at: datetime,
    source: str,
    now: datetime | None = None,
    actor=None,
) -> TaskEvent:
    """Stop the running timer at `stopped_at`, an earlier moment than now: the person forgot
    it and says when they really stopped. The stretch closes there, so only the time up to
    `stopped_at` is tracked, and the `corrected` event keeps both ends (`from`: when it would
    have closed, now; `to`: `stopped_at`). The task is left paused.

    `stopped_at` must be after the start of the running stretch and not in the future (400
    on `stopped_at`); a task whose timer is not running is 409 `task_not_running`. Under the
    same locks as every timer write: the user's row, then the task's."""
    check_source(source)
    if timezone.is_naive(stopped_at):
        raise InvalidInput(fields={"stopped_at": [_("Include a timezone offset.")]})
    stopped_at = _second(stopped_at)
    with transaction.atomic():
        _lock_user(user.pk)
        now = _now(now)  # read under the lock, so a user's timer events are in order
        task = _lock_task(user=user, task_id=task.pk)
        if not task.is_running:
            raise TaskNotRunning()
        if stopped_at <= task.running_since:
            raise InvalidInput(fields={"stopped_at": [_("It must be after the timer started.")]})
        if stopped_at > now:
            raise InvalidInput(fields={"stopped_at": [_("It cannot be in the future.")]})
        event = _close_segment(
            task,
            end=stopped_at,
            type=EventType.CORRECTED,
            source=source,
            actor=actor,
            occurred_at=now,
            data={"from": _second(now).isoformat(), "to": stopped_at.isoformat()},
        )
        task.status = Status.PAUSED
        _save(task, ["status", "running_since", "tracked_seconds"])
        publish_task(task)
    event.task = task
    return event


def task_complete(
    *, user, task: Task, source: str, now: datetime | None = None, actor=None
) -> Task:
    """Complete the task; a running timer stops and its segment is added (the `completed`
    event then carries the segment)."""
    check_source(source)
    with transaction.atomic():
        _lock_user(user.pk)
        now = _now(now)  # read under the lock, so a user's timer events are in order
        task = _lock_task(user=user, task_id=task.pk)
        if task.status == Status.COMPLETED:
            raise TaskAlreadyCompleted()
        data = {"from_status": task.status}
        if task.is_running:
            _close_segment(
                task,
                end=now,
                type=EventType.COMPLETED,
                source=source,
                actor=actor,
                occurred_at=now,
                data=data,
            )
        else:
            _record(
                task=task,
                type=EventType.COMPLETED,
                source=source,
                actor=actor,
                occurred_at=now,
                data=data,
            )
        task.status = Status.COMPLETED
        task.completed_at = now
        _save(task, ["status", "running_since", "tracked_seconds", "completed_at"])
        publish_task(task)
    return task


def task_reopen(*, user, task: Task, source: str, now: datetime | None = None, actor=None) -> Task:
    """A completed task goes back to `paused` (it keeps its tracked time), or to `pending` if
    it never ran (never started and no time logged). The timer is not started."""
    check_source(source)
    with transaction.atomic():
        _lock_user(user.pk)
        now = _now(now)  # read under the lock, so a user's timer events are in order
        task = _lock_task(user=user, task_id=task.pk)
        if task.status != Status.COMPLETED:
            raise TaskNotCompleted()
        ran = (
            task.tracked_seconds > 0
            or task.events.filter(type__in=[EventType.STARTED, EventType.TIME_LOGGED]).exists()
        )
        task.status = Status.PAUSED if ran else Status.PENDING
        task.completed_at = None
        _save(task, ["status", "completed_at"])
        _record(
            task=task,
            type=EventType.REOPENED,
            source=source,
            actor=actor,
            occurred_at=now,
            data={"to_status": task.status},
        )
        publish_task(task)
    return task


def timers_pause_stale(*, older_than: timedelta, now: datetime | None = None) -> int:
    """Pause every timer that has run longer than `older_than`, cutting its segment at the
    threshold (running_since + older_than) and logging it with source "system".
    Each task is handled in its own transaction; returns how many were paused."""
    if older_than <= timedelta(0):
        raise ValueError("older_than must be positive")
    now = _now(now)
    cutoff = now - older_than
    candidates = list(Task.objects.filter(running_since__lte=cutoff).values_list("pk", "user_id"))
    paused = 0
    for task_id, user_id in candidates:
        with transaction.atomic():
            _lock_user(user_id)
            # Re-read under the lock: the user may have paused or switched meanwhile.
            task = (
                Task.objects.select_for_update(of=("self",))
                .select_related("category")
                .filter(pk=task_id, running_since__lte=cutoff)
                .first()
            )
            if task is None:
                continue
            _close_segment(
                task,
                end=task.running_since + older_than,
                type=EventType.PAUSED,
                source=TaskEvent.Source.SYSTEM,
                occurred_at=now,
                data={"reason": "stale", "threshold_seconds": int(older_than.total_seconds())},
            )
            task.status = Status.PAUSED
            _save(task, ["status", "running_since", "tracked_seconds"])
            publish_task(task)
            paused += 1
    if paused:
        logger.info("paused %d stale timer(s) older than %s", paused, older_than)
    return paused

"""Every write to categories, tasks and task events. REST views, the assistant's tools, the
admin and management commands all call these; there is one implementation of each rule.

Locking order, everywhere (accounts/locks.py): the user's row, then task rows in primary-key
order. Timer writes (start, pause, complete, reopen, log time, stale pausing), task updates and
deletes, category deletion, and a task created into a category all take the user's row lock
first, so a user's changes run one after another; that is what makes "one running task" and
"no overlapping time" hold under concurrent requests, keeps two multi-row writes from locking
the same tasks in opposite orders (a deadlock), and keeps a category from being deleted
between the check that it exists and the commit of a task moved into it. The partial unique
index `tasks_one_running_per_user` backs the first rule in the database.

Timestamps of segments are truncated to whole seconds, so `duration_seconds` is exact and
`tracked_seconds` is always the sum of the closed segments' durations.
"""

import logging
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.locks import lock_user
from config import realtime
from config.exceptions import NotFound
from config.prepared import PreparedQuery, insert_all, update_fields
from config.sources import check_source
from tasks.errors import (
    UNKNOWN_CATEGORY,
    CategoryExists,
    InvalidInput,
    TaskAlreadyCompleted,
    TaskNotCompleted,
    TaskNotRunning,
    TimeOverlap,
)
from tasks.models import Category, Task, TaskEvent

logger = logging.getLogger(__name__)

Status = Task.Status
EventType = TaskEvent.Type

TASK_UPDATABLE_FIELDS = (
    "title",
    "description",
    "category",
    "priority",
    "due_at",
    "estimated_minutes",
)
CATEGORY_UPDATABLE_FIELDS = ("name", "color", "icon")
TIME_ENTRY_MAX = timedelta(hours=24)


# --- helpers ---------------------------------------------------------------------------------


def _now(now: datetime | None = None) -> datetime:
    """The service clock. `now` is for callers that act "as of" a moment, such as the
    stale-timer job; requests use the real clock. Events keep the precise moment (their
    order), segment boundaries are cut to whole seconds by `_second`."""
    return now or timezone.now()


def _second(moment: datetime) -> datetime:
    return moment.replace(microsecond=0)


def _lock_user(user_id) -> None:
    # Serialises the writes of one user. Without it two concurrent `start`s both see "no task
    # running" and both try to start (one then fails on the unique index), a time entry could
    # pass the overlap check while a timer closes an overlapping segment, and a category could
    # be deleted under a task being moved into it.
    lock_user(user_id)


def _check_category_kept(*, user, category: Category | None) -> None:
    # Under the user lock: the category the serializer found may have been deleted since, and
    # a task pointing at it would break the foreign key at commit (a 500, not a 400).
    if (
        category is not None
        and not Category.objects.filter(pk=category.pk, user_id=user.pk).exists()
    ):
        raise InvalidInput(fields={"category": [UNKNOWN_CATEGORY]})


def _lock_task(*, user, task_id) -> Task:
    # The row lock makes the read-check-write of the task's state atomic (no lost update of
    # tracked_seconds between two pauses, no completing a task another request just deleted).
    task = _task_lock.first(task_id=task_id, user_id=user.pk)
    if task is None:
        raise NotFound()
    return task


# Compiled once, like the user lock: pause, complete and reopen run it under the user's lock.
_task_lock = PreparedQuery(
    lambda task_id, user_id: (
        Task.objects.select_for_update(of=("self",))
        .select_related("category")
        .filter(pk=task_id, user_id=user_id)
        .order_by()
    )
)


def _serialize_task(task: Task) -> dict:
    from tasks.serializers import TaskSerializer  # serializers import models; avoid a cycle

    return TaskSerializer(task).data


def _publish_task(task: Task) -> None:
    realtime.publish(task.user_id, "task.updated", {"task": _serialize_task(task)})


def _publish_category(category: Category, event_type: str) -> None:
    from tasks.serializers import CategorySerializer

    realtime.publish(category.user_id, event_type, {"category": CategorySerializer(category).data})


def _json_value(value):
    if isinstance(value, Category):
        return str(value.pk)
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def _event(
    *,
    task: Task,
    type: str,
    source: str,
    occurred_at: datetime,
    segment: tuple[datetime, datetime] | None = None,
    data: dict | None = None,
    actor=None,
) -> TaskEvent:
    """An unsaved event of the task; `_record` saves one, `task_start` saves two at once."""
    fields = {}
    if segment is not None:
        start, end = segment
        fields = {
            "segment_start": start,
            "segment_end": end,
            "duration_seconds": int((end - start).total_seconds()),
        }
    return TaskEvent(
        task=task,
        user_id=task.user_id,
        type=type,
        source=source,
        actor=actor,
        occurred_at=occurred_at,
        data=data or {},
        **fields,
    )


def _record(**kwargs) -> TaskEvent:
    event = _event(**kwargs)
    insert_all([event])
    return event


def _close_segment(
    task: Task,
    *,
    end: datetime,
    type: str,
    source: str,
    occurred_at: datetime,
    data: dict,
    save: bool = True,
    actor=None,
) -> TaskEvent:
    """Stop the task's timer at `end`: log the segment and add it to tracked_seconds.
    The caller sets the new status and saves the task (and the event, with `save=False`)."""
    start = task.running_since
    end = max(_second(end), start)  # a clock that stepped back never makes a negative segment
    event = (_record if save else _event)(
        task=task,
        type=type,
        source=source,
        actor=actor,
        occurred_at=occurred_at,
        segment=(start, end),
        data=data,
    )
    task.tracked_seconds += event.duration_seconds
    task.running_since = None
    return event


def _full_clean(task: Task) -> None:
    """Model-level rules (lengths, choices, ranges) for callers that skip the serializers,
    such as the admin or a management shell."""
    try:
        task.full_clean(
            exclude=["user", "category"], validate_unique=False, validate_constraints=False
        )
    except ValidationError as exc:
        raise InvalidInput(fields=exc.message_dict) from exc


def _check_category(*, user, category: Category | None) -> None:
    if category is not None and category.user_id != user.pk:
        raise InvalidInput(fields={"category": [UNKNOWN_CATEGORY]})


def _check_due_at(due_at: datetime | None) -> None:
    if due_at is not None and timezone.is_naive(due_at):
        raise InvalidInput(fields={"due_at": [_("Include a timezone offset.")]})


def _save(task: Task, fields: list[str]) -> None:
    # Model.save(update_fields=...) without compiling the UPDATE each time (config/prepared.py):
    # timer writes run it while holding the user's lock. updated_at is set as auto_now does.
    update_fields(task, fields)


# --- tasks -----------------------------------------------------------------------------------


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
            _check_category_kept(user=user, category=category)
        task.save()
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
        _publish_task(task)
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
            _check_category_kept(user=user, category=fields["category"])
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
        _publish_task(task)
    return task


def task_delete(*, user, task: Task, source: str, actor=None) -> None:
    """Deletes the task and, with it, its event log (its time leaves the reports)."""
    check_source(source)
    with transaction.atomic():
        _lock_user(user.pk)
        task = _lock_task(user=user, task_id=task.pk)
        task_id = task.pk
        task.delete()
        realtime.publish(user.pk, "task.deleted", {"task_id": str(task_id)})
    # The task's events go with it: the log line keeps who deleted it.
    actor_id = actor.pk if actor is not None else None
    logger.info("task %s of %s deleted (source=%s, actor=%s)", task_id, user.pk, source, actor_id)


def task_start(*, user, task: Task, source: str, now: datetime | None = None, actor=None) -> Task:
    """Start the task's timer. Another running task of the user is paused first, in the same
    transaction, both changes logged. Starting the running task changes nothing.

    Every timer switch of a user waits for the previous one (the user lock), so the time spent
    holding it bounds how many switches a second one user gets: one query locks both tasks, and
    both events are written by one INSERT."""
    check_source(source)
    with transaction.atomic():
        _lock_user(user.pk)
        now = _now(now)  # read under the lock, so a user's timer events are in order
        # The task to start and the running one, locked together (the user lock orders us).
        locked = _start_pair_lock.all(task_id=task.pk, user_id=user.pk)
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
            _publish_task(previous)
        _publish_task(task)
    return task


_start_pair_lock = PreparedQuery(
    lambda task_id, user_id: (
        Task.objects.select_for_update(of=("self",))
        .select_related("category")
        .filter(Q(pk=task_id) | Q(running_since__isnull=False), user_id=user_id)
        .order_by("pk")  # rows are locked in the order returned: primary-key order
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
        _publish_task(task)
    return task


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
        _publish_task(task)
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
        _publish_task(task)
    return task


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
        _publish_task(task)
    return event


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
            _publish_task(task)
            paused += 1
    if paused:
        logger.info("paused %d stale timer(s) older than %s", paused, older_than)
    return paused


# --- categories ------------------------------------------------------------------------------


def _category_name_taken(*, user, name: str, exclude_pk=None) -> bool:
    qs = Category.objects.filter(user_id=user.pk, name__iexact=name)
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    return qs.exists()


def _category_clean(category: Category) -> None:
    category.name = (category.name or "").strip()
    category.icon = (category.icon or "").strip()
    category.color = (category.color or "").upper()
    try:
        category.full_clean(exclude=["user"], validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        raise InvalidInput(fields=exc.message_dict) from exc


def _category_exists() -> CategoryExists:
    return CategoryExists(fields={"name": [CategoryExists.message]})


def category_create(*, user, name: str, color: str | None = None, icon: str = "") -> Category:
    """Names are unique per user ignoring case (`category_exists`); colors are stored as
    upper-case #RRGGBB."""
    category = Category(user=user, name=name, icon=icon or "")
    if color:
        category.color = color
    _category_clean(category)
    if _category_name_taken(user=user, name=category.name):
        raise _category_exists()
    try:
        with transaction.atomic():
            category.save()
            _publish_category(category, "category.created")
    except IntegrityError as exc:  # a concurrent create won the unique index
        raise _category_exists() from exc
    return category


def category_update(*, user, category: Category, **fields) -> Category:
    unknown = set(fields) - set(CATEGORY_UPDATABLE_FIELDS)
    if unknown:
        raise TypeError(f"category_update() cannot change {sorted(unknown)}")
    if category.user_id != user.pk:
        raise NotFound()
    for name, value in fields.items():
        setattr(category, name, value if value is not None else "")
    _category_clean(category)
    if "name" in fields and _category_name_taken(
        user=user, name=category.name, exclude_pk=category.pk
    ):
        raise _category_exists()
    try:
        with transaction.atomic():
            category.save()
            _publish_category(category, "category.updated")
    except IntegrityError as exc:
        raise _category_exists() from exc
    return category


def category_delete(*, user, category: Category) -> None:
    """Its tasks stay, uncategorised; each of them is announced as updated."""
    if category.user_id != user.pk:
        raise NotFound()
    with transaction.atomic():
        _lock_user(user.pk)
        task_ids = list(
            Task.objects.select_for_update()
            .filter(user_id=user.pk, category_id=category.pk)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        # Detach explicitly (rather than leaving it to SET_NULL) so updated_at moves too.
        Task.objects.filter(pk__in=task_ids).update(category=None, updated_at=timezone.now())
        category_id = category.pk
        category.delete()
        realtime.publish(user.pk, "category.deleted", {"category_id": str(category_id)})
        for task in Task.objects.filter(pk__in=task_ids).select_related("category"):
            _publish_task(task)

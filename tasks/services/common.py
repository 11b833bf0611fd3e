"""What the task services share: locks, the event log, the clock and the checks of input.
The locking order is in the package docstring (tasks/services/__init__.py)."""

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.locks import lock_user
from config.exceptions import NotFound
from config.sql import Columns, Statement, insert_all, pk_param, select_with_related, update_fields
from tasks.errors import UNKNOWN_CATEGORY, InvalidInput
from tasks.models import Category, Task, TaskEvent

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


def _check_category_kept(*, user, category: Category | None) -> Category | None:
    # Under the user lock: the category the serializer found may have been deleted since, and
    # a task pointing at it would break the foreign key at commit (a 500, not a 400).
    # The row is read here, under the lock, and returned: the input gave only its id.
    if category is None:
        return None
    rows = _category_kept.instances([pk_param(Category, category.pk), pk_param(Category, user.pk)])
    if not rows:
        raise InvalidInput(fields={"category": [UNKNOWN_CATEGORY]})
    return rows[0][0]


def _category_kept_sql(connection):
    qn = connection.ops.quote_name
    category = Columns(Category, Category._meta.db_table)
    sql = (
        f"SELECT {category.sql(connection)} FROM {qn(category.alias)}"  # noqa: S608
        f" WHERE {qn('id')} = %s AND {qn('user_id')} = %s"
    )
    return sql, [category]


_category_kept = Statement(_category_kept_sql)


def _lock_task(*, user, task_id) -> Task:
    # The row lock makes the read-check-write of the task's state atomic (no lost update of
    # tracked_seconds between two pauses, no completing a task another request just deleted).
    tasks = locked_tasks(_task_lock, task_id=task_id, user_id=user.pk)
    if not tasks:
        raise NotFound()
    return tasks[0]


def locked_tasks_sql(where: str, order_by: str = ""):
    """A Statement builder: the user's tasks matching `where` (SQL over the `tasks` table,
    whose first two placeholders are the task id and the user id), with their categories,
    locked FOR UPDATE (the task rows only)."""

    def build(connection):
        task = Columns(Task, Task._meta.db_table)
        category = Columns(Category, Category._meta.db_table)
        sql = select_with_related(
            connection, task, category, "category", where=where, order_by=order_by, lock=True
        )
        return sql, [task, category]

    return build


def locked_tasks(statement: Statement, *, task_id, user_id) -> list[Task]:
    rows = statement.instances([pk_param(Task, task_id), pk_param(Task, user_id)])
    tasks = []
    for task, category, *_rest in rows:
        task.category = category
        tasks.append(task)
    return tasks


# Written once (config/sql.py): pause, complete and reopen run it under the user's lock.
_task_lock = Statement(locked_tasks_sql('"tasks"."id" = %s AND "tasks"."user_id" = %s'))


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
    # Model.save(update_fields=...) without compiling the UPDATE each time (config/sql.py):
    # timer writes run it while holding the user's lock. updated_at is set as auto_now does.
    update_fields(task, fields)

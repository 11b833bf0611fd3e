"""Reads of categories, tasks, events and tracked time, always scoped to one user."""

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, timedelta

from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Lower
from django.utils import timezone

from config import localtime
from config.exceptions import NotFound
from config.ids import get_by_id, parse_uuid
from config.localtime import local_day_bounds, local_midnight
from tasks.models import Category, Task, TaskEvent
from tasks.selectors.rows import CategoryRow as CategoryRow
from tasks.selectors.rows import TaskRow as TaskRow
from tasks.selectors.rows import TaskRows as TaskRows
from tasks.selectors.rows import as_task_row as as_task_row
from tasks.selectors.rows import task_row as task_row

REPORT_MAX_DAYS = 366
UNCATEGORIZED = "none"

# `ordering` keys the task list accepts (each also with a leading "-"). `priority` ascending
# is low -> medium -> high, so `-priority` lists the most important first. Tasks without a
# due date sort last in both directions of `due_at`.
TASK_ORDERING_FIELDS = (
    "created_at",
    "updated_at",
    "due_at",
    "priority",
    "title",
    "status",
    "tracked_seconds",
    "completed_at",
)
_PRIORITY_RANK = Case(
    When(priority=Task.Priority.LOW, then=Value(1)),
    When(priority=Task.Priority.MEDIUM, then=Value(2)),
    When(priority=Task.Priority.HIGH, then=Value(3)),
    output_field=IntegerField(),
)
# Status sorts in workflow order, not alphabetically.
_STATUS_RANK = Case(
    When(status=Task.Status.IN_PROGRESS, then=Value(1)),
    When(status=Task.Status.PAUSED, then=Value(2)),
    When(status=Task.Status.PENDING, then=Value(3)),
    When(status=Task.Status.COMPLETED, then=Value(4)),
    output_field=IntegerField(),
)


def _as_list(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    return list(value)


def _order_expression(key: str):
    descending = key.startswith("-")
    name = key.lstrip("-")
    if name not in TASK_ORDERING_FIELDS:
        raise ValueError(f"unknown ordering {key!r}")
    expression = {
        "priority": _PRIORITY_RANK,
        "status": _STATUS_RANK,
        "title": Lower("title"),
    }.get(name, F(name))
    nulls_last = name in {"due_at", "completed_at"} or None
    if descending:
        return expression.desc(nulls_last=nulls_last)
    return expression.asc(nulls_last=nulls_last)


# --- tasks -----------------------------------------------------------------------------------


def task_list(
    *,
    user,
    status: str | Iterable[str] | None = None,
    category_id=None,
    search: str | None = None,
    priority: str | Iterable[str] | None = None,
    due_before: datetime | None = None,
    due_after: datetime | None = None,
    ordering: str | Iterable[str] | None = None,
) -> QuerySet[Task]:
    """The user's tasks, newest first unless `ordering` says otherwise.

    `status` and `priority` take one value or several (a list or "a,b"); `category_id` takes a
    category id or "none" for uncategorised tasks; `search` matches title or description
    (case-insensitive); `due_after` is inclusive and `due_before` exclusive, and either one
    leaves out tasks without a due date; `ordering` takes keys of TASK_ORDERING_FIELDS,
    "-" for descending, several separated by commas.
    """
    qs = Task.objects.filter(user_id=user.pk).select_related("category")
    statuses = _as_list(status)
    if statuses:
        qs = qs.filter(status__in=statuses)
    priorities = _as_list(priority)
    if priorities:
        qs = qs.filter(priority__in=priorities)
    if category_id is not None:
        if category_id == UNCATEGORIZED:
            qs = qs.filter(category__isnull=True)
        else:
            pk = parse_uuid(category_id)
            qs = qs.filter(category_id=pk) if pk is not None else qs.none()
    if search:
        qs = qs.filter(Q(title__icontains=search) | Q(description__icontains=search))
    if due_before is not None:
        qs = qs.filter(due_at__lt=due_before)
    if due_after is not None:
        qs = qs.filter(due_at__gte=due_after)
    keys = _as_list(ordering) or ["-created_at"]
    order_by = [_order_expression(key) for key in keys]
    return qs.order_by(*order_by, F("created_at").desc(), "id")


def task_ref(*, user, task_id) -> Task:
    """An unsaved reference to the user's task by id, for services that lock and read the row
    themselves (a missing or another user's task is their 404); a malformed id is a 404 now."""
    pk = parse_uuid(task_id)
    if pk is None:
        raise NotFound()
    return Task(pk=pk, user_id=user.pk)


def task_get(*, user, task_id) -> Task:
    """The user's task; a missing id, a malformed id and another user's task are all 404."""
    tasks = Task.objects.select_related("category").filter(user_id=user.pk)
    return get_by_id(tasks, task_id, NotFound)


def running_task(*, user) -> Task | None:
    return (
        Task.objects.select_related("category")
        .filter(user_id=user.pk, running_since__isnull=False)
        .first()
    )


def task_event_list(*, user, task: Task) -> QuerySet[TaskEvent]:
    """The task's log, newest first."""
    return TaskEvent.objects.filter(task_id=task.pk, user_id=user.pk).order_by("-occurred_at", "id")


# --- categories ------------------------------------------------------------------------------


def category_list(*, user) -> QuerySet[Category]:
    return Category.objects.filter(user_id=user.pk).order_by(Lower("name"), "id")


def category_get(*, user, category_id) -> Category:
    return get_by_id(Category.objects.filter(user_id=user.pk), category_id, NotFound)


# --- local days and the time report ----------------------------------------------------------


def tasks_created_on_day(*, user, day: date) -> QuerySet[Task]:
    start, end = local_day_bounds(day, user.tz)
    return task_list(user=user).filter(created_at__gte=start, created_at__lt=end)


def tasks_completed_on_day(*, user, day: date) -> QuerySet[Task]:
    """Tasks whose (current) completion falls on the local day; a task completed and then
    reopened no longer counts."""
    start, end = local_day_bounds(day, user.tz)
    return task_list(user=user, status=Task.Status.COMPLETED).filter(
        completed_at__gte=start, completed_at__lt=end
    )


def task_day_counts(*, user, day: date) -> dict:
    """{"created": n, "completed": n} for one local day, for summaries."""
    return {
        "created": tasks_created_on_day(user=user, day=day).count(),
        "completed": tasks_completed_on_day(user=user, day=day).count(),
    }


def task_counts_by_window(*, user, day: date, previous_days: int) -> dict:
    """Tasks created and completed on local day `day` and in the `previous_days` local days
    before it, in one query whatever the number of tasks (for daily summaries):

        {"created", "completed", "previous_created", "previous_completed"}
    """
    start, end = local_day_bounds(day, user.tz)
    previous_start = local_day_bounds(day - timedelta(days=previous_days), user.tz)[0]
    completed = Q(status=Task.Status.COMPLETED)
    return Task.objects.filter(user_id=user.pk).aggregate(
        created=Count("pk", filter=Q(created_at__gte=start, created_at__lt=end)),
        completed=Count("pk", filter=completed & Q(completed_at__gte=start, completed_at__lt=end)),
        previous_created=Count(
            "pk", filter=Q(created_at__gte=previous_start, created_at__lt=start)
        ),
        previous_completed=Count(
            "pk", filter=completed & Q(completed_at__gte=previous_start, completed_at__lt=start)
        ),
    )


def time_report(*, user, date_from: date, date_to: date, now: datetime | None = None) -> dict:
    """Seconds tracked per local day and per category from `date_from` to `date_to`
    (inclusive, in the user's timezone), including the running timer up to `now`.

    Segments come from the event log (every closed segment) plus the open one; a segment that
    crosses a local midnight is split there. A segment counts for the task's current category.
    Every day of the range is listed, zero or not.

        {"from", "to", "timezone", "total_seconds",
         "days": [{"date", "total_seconds", "categories": [{"category_id", "seconds"}]}],
         "categories": [{"category": Category | None, "seconds"}]}
    """
    if date_to < date_from:
        raise ValueError("date_to is before date_from")
    if (date_to - date_from).days + 1 > REPORT_MAX_DAYS:
        raise ValueError(f"at most {REPORT_MAX_DAYS} days")
    now = (now or timezone.now()).replace(microsecond=0)
    tz = user.tz
    days = list(localtime.days(date_from, date_to))
    boundaries = [local_midnight(day, tz) for day in days]
    boundaries.append(local_midnight(days[-1] + localtime.ONE_DAY, tz))
    range_start, range_end = boundaries[0], boundaries[-1]

    segments = list(
        TaskEvent.objects.filter(
            user_id=user.pk,
            segment_start__isnull=False,
            segment_start__lt=range_end,
            segment_end__gt=range_start,
        ).values_list("segment_start", "segment_end", "task__category_id")
    )
    running = running_task(user=user)
    if running is not None and running.running_since < min(now, range_end):
        segments.append((running.running_since, now, running.category_id))

    per_day: list[dict] = [defaultdict(int) for _ in days]
    for start, end, category_id in segments:
        start, end = max(start, range_start), min(end, range_end)
        index = bisect_right(boundaries, start) - 1
        while index < len(days) and boundaries[index] < end:
            piece = min(end, boundaries[index + 1]) - max(start, boundaries[index])
            seconds = int(piece.total_seconds())
            if seconds > 0:
                per_day[index][category_id] += seconds
            index += 1

    totals: dict = defaultdict(int)
    for bucket in per_day:
        for category_id, seconds in bucket.items():
            totals[category_id] += seconds
    known = Category.objects.filter(user_id=user.pk, pk__in=[c for c in totals if c]).in_bulk()

    def by_seconds(item):
        return (-item[1], str(item[0] or ""))

    return {
        "from": date_from,
        "to": date_to,
        "timezone": user.timezone,
        "total_seconds": sum(totals.values()),
        "days": [
            {
                "date": day,
                "total_seconds": sum(bucket.values()),
                "categories": [
                    {"category_id": category_id, "seconds": seconds}
                    for category_id, seconds in sorted(bucket.items(), key=by_seconds)
                ],
            }
            for day, bucket in zip(days, per_day, strict=True)
        ],
        "categories": [
            {"category": known.get(category_id), "category_id": category_id, "seconds": seconds}
            for category_id, seconds in sorted(totals.items(), key=by_seconds)
        ],
    }

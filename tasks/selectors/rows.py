"""The task list and one task as rows (TaskRow), without a model instance per row: the page
every client opens first and its total in one query, by SQL written once (config/sql.py)."""

import uuid
from datetime import datetime
from typing import NamedTuple

from django.db.models import QuerySet

from config.exceptions import NotFound
from config.ids import parse_uuid
from config.pagination import total_count
from config.sql import Columns, Statement, pk_param, select_with_related
from tasks.models import Category, Task


class CategoryRow(NamedTuple):
    pk: uuid.UUID
    name: str
    color: str
    icon: str


class TaskRow(NamedTuple):
    """A task as the list endpoint reads it: the attributes TaskSerializer renders, without
    building a model instance per row."""

    pk: uuid.UUID
    title: str
    description: str
    status: str
    priority: str
    due_at: datetime | None
    estimated_minutes: int | None
    tracked_seconds: int
    running_since: datetime | None
    completed_at: datetime | None
    created_at: datetime
    updated_at: datetime
    category: CategoryRow | None

    def tracked_seconds_at(self, now: datetime) -> int:
        return Task.tracked_seconds_at(self, now)


_TASK_ROW_COLUMNS = (
    *TaskRow._fields[:-1],
    "category__id",
    "category__name",
    "category__color",
    "category__icon",
)
_TASK_FIELDS = len(TaskRow._fields) - 1


def as_task_row(row) -> TaskRow:
    """A TaskRow from the values of _TASK_ROW_COLUMNS (the task's, then its category's)."""
    category = CategoryRow(*row[_TASK_FIELDS : _TASK_FIELDS + 4]) if row[_TASK_FIELDS] else None
    return TaskRow(*row[:_TASK_FIELDS], category)


def _task_rows_query(queryset: QuerySet[Task]) -> QuerySet:
    return queryset.annotate(_total=total_count(queryset)).values_list(*_TASK_ROW_COLUMNS, "_total")


def _task_rows_sql(where: str, tail: str = ""):
    """A Statement builder: TaskRow's columns, then the category's, from the `tasks` table
    joined to its category, filtered by `where` and followed by `tail` (SQL)."""

    def build(connection):
        task = Columns(Task, Task._meta.db_table, ["id", *TaskRow._fields[1:-1]])
        category = Columns(Category, Category._meta.db_table, ["id", "name", "color", "icon"])
        sql = select_with_related(connection, task, category, "category", where=where, extra=tail)
        return sql, [task, category]

    return build


# The unfiltered list, the one every client opens first, with its total: SQL written once
# (config/sql.py), in task_list()'s default order (newest first, then id).
_default_task_rows = Statement(
    _task_rows_sql(
        '"tasks"."user_id" = %s ORDER BY "tasks"."created_at" DESC, "tasks"."id" ASC'
        " LIMIT %s OFFSET %s",
        tail=', (SELECT COUNT(*) FROM "tasks" AS "counted" WHERE "counted"."user_id" = %s)',
    )
)


class TaskRows:
    """The user's task list as the paginator reads it (config.pagination.CountingPaginator):
    one page of TaskRows and the total in one query; the unfiltered list by SQL written once."""

    ordered = True

    def __init__(self, *, user, **filters):
        self.user = user
        self.filters = {k: v for k, v in filters.items() if v is not None}

    def _queryset(self) -> QuerySet[Task]:
        return _task_list(user=self.user, **self.filters)

    def page_rows(self, offset: int, limit: int) -> tuple[list[TaskRow], int | None]:
        if self.filters:
            rows = list(_task_rows_query(self._queryset())[offset : offset + limit])
        else:
            user_id = pk_param(Task, self.user.pk)
            rows = _default_task_rows.rows([user_id, user_id, limit, offset])
        total = rows[0][-1] if rows else None
        return [as_task_row(row) for row in rows], total

    def count(self) -> int:
        return self._queryset().count()


_task_row_by_id = Statement(_task_rows_sql('"tasks"."id" = %s AND "tasks"."user_id" = %s'))


def task_row(*, user, task_id) -> TaskRow:
    """The user's task as a TaskRow, for reads that only render it (404 as task_get)."""
    pk = parse_uuid(task_id)
    rows = _task_row_by_id.rows([pk_param(Task, pk), pk_param(Task, user.pk)]) if pk else []
    if not rows:
        raise NotFound()
    return as_task_row(rows[0])


def _task_list(**kwargs) -> QuerySet[Task]:
    from tasks.selectors import task_list  # the package's filters and ordering

    return task_list(**kwargs)

"""The task list's first screen with the user row that authentication checks, for the list's
fast path (tasks/views/fast.py, config/fastpath.py)."""

import uuid
from types import SimpleNamespace
from typing import NamedTuple

from django.contrib.auth import get_user_model
from django.db import connection

from config.prepared import PreparedQuery
from tasks.selectors import TaskRow, TaskRows, as_task_row


class SessionState(NamedTuple):
    """What bearer authentication checks on the user row (accounts/authentication.py)."""

    is_active: bool
    token_generation: int
    language: str


# The user row and the first-screen page with its total in one round trip (PostgreSQL): the
# list is the request every client makes first, and a second round trip for the user row was
# a fifth of its database time. Same order as task_list()'s default (newest first, then id);
# the total is an InitPlan, run once. The column order is TaskRow's, then the category's.
_PAGE_WITH_SESSION_SQL = """
SELECT u.is_active, u.token_generation, u.language,
       p.id, p.title, p.description, p.status, p.priority, p.due_at, p.estimated_minutes,
       p.tracked_seconds, p.running_since, p.completed_at, p.created_at, p.updated_at,
       p.category_id, p.category_name, p.category_color, p.category_icon,
       (SELECT COUNT(*) FROM tasks WHERE tasks.user_id = %(user)s) AS total
FROM users u
LEFT JOIN (
    SELECT t.id, t.title, t.description, t.status, t.priority, t.due_at, t.estimated_minutes,
           t.tracked_seconds, t.running_since, t.completed_at, t.created_at, t.updated_at,
           c.id AS category_id, c.name AS category_name, c.color AS category_color,
           c.icon AS category_icon
    FROM tasks t LEFT JOIN categories c ON c.id = t.category_id
    WHERE t.user_id = %(user)s
    ORDER BY t.created_at DESC, t.id ASC
    LIMIT %(limit)s OFFSET %(offset)s
) p ON TRUE
WHERE u.id = %(user)s
ORDER BY p.created_at DESC, p.id ASC
"""


def task_page_with_session(
    *, user_id: uuid.UUID, offset: int, limit: int
) -> tuple[SessionState | None, list[TaskRow], int]:
    """The user's session state (None when the user is gone), one page of their unfiltered
    task list and its total. One query on PostgreSQL; elsewhere the two queries of the
    regular path (SQLite, development)."""
    if connection.vendor != "postgresql":
        return _page_with_session_portable(user_id, offset, limit)
    with connection.cursor() as cursor:
        cursor.execute(_PAGE_WITH_SESSION_SQL, {"user": user_id, "limit": limit, "offset": offset})
        rows = cursor.fetchall()
    if not rows:
        return None, [], 0
    session = SessionState(*rows[0][:3])
    total = rows[0][-1]
    if rows[0][3] is None:  # no task on this page: the LEFT JOIN's one empty row
        return session, [], total
    return session, [as_task_row(row[3:-1]) for row in rows], total


_session_by_id = PreparedQuery(
    lambda user_id: (
        get_user_model().objects.filter(pk=user_id).order_by().values_list(*SessionState._fields)
    )
)


def _page_with_session_portable(user_id, offset, limit):
    row = _session_by_id.first(user_id=user_id)
    if row is None:
        return None, [], 0
    rows, total = TaskRows(user=SimpleNamespace(pk=user_id)).page_rows(offset, limit)
    return SessionState(*row), rows, total or 0

"""The per-user lock every multi-row write takes first.

Rule for tasks/, goals/ and checkins/ services: a write that locks more than one row, or that
points a row at another of the user's rows that a concurrent write may delete (a task or goal
moved into a category), takes this lock first, then locks the other rows in primary-key order.
Two such writes of one user then never wait on each other in opposite orders (a deadlock, which
PostgreSQL ends by failing one of them: a 500), and a category cannot disappear between the
check that it exists and the commit of the row that refers to it.
"""

from django.contrib.auth import get_user_model

from config.exceptions import NotFound
from config.sql import Statement, for_update, pk_param


def lock_user(user_id) -> None:
    """Lock the user's row until the transaction ends; NotFound when the user is gone.

    FOR NO KEY UPDATE: exclusive among these lockers, yet it does not block other apps'
    inserts of rows pointing at the user (they take FOR KEY SHARE on it)."""
    User = get_user_model()
    if not _user_lock.rows([pk_param(User, user_id)]):
        raise NotFound()


def _user_lock_sql(connection):
    qn = connection.ops.quote_name
    table = qn(get_user_model()._meta.db_table)
    lock = for_update(connection, no_key=True)
    return f"SELECT {qn('id')} FROM {table} WHERE {qn('id')} = %s{lock}", []  # noqa: S608


# Written once (config/sql.py): every multi-row write runs it at the head of its transaction.
_user_lock = Statement(_user_lock_sql)

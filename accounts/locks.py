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
from config.prepared import PreparedQuery


def lock_user(user_id) -> None:
    """Lock the user's row until the transaction ends; NotFound when the user is gone.

    FOR NO KEY UPDATE: exclusive among these lockers, yet it does not block other apps'
    inserts of rows pointing at the user (they take FOR KEY SHARE on it)."""
    if _user_lock.first(user_id=user_id) is None:
        raise NotFound()


# Compiled once (config/prepared.py): timer writes run it at the head of their transaction.
_user_lock = PreparedQuery(
    lambda user_id: (
        get_user_model()
        .objects.select_for_update(no_key=True)
        .filter(pk=user_id)
        .order_by()
        .values_list("id")
    )
)

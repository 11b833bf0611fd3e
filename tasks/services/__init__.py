"""Every write to categories, tasks and task events. REST views, the assistant's tools, the
admin and management commands all call these; there is one implementation of each rule.

Locking order, everywhere (accounts/locks.py): the user's row, then task rows in primary-key
order. Timer writes (start, pause, complete, reopen, correct, log time, stale pausing), task
updates and deletes, category deletion, and a task created into a category all take the user's
row lock first, so a user's changes run one after another; that is what makes "one running
task" and "no overlapping time" hold under concurrent requests, keeps two multi-row writes from
locking the same tasks in opposite orders (a deadlock), and keeps a category from being deleted
between the check that it exists and the commit of a task moved into it. The partial unique
index `tasks_one_running_per_user` backs the first rule in the database.

Timestamps of segments are truncated to whole seconds, so `duration_seconds` is exact and
`tracked_seconds` is always the sum of the closed segments' durations.

The functions live by concern in the modules of this package (tasks, timer, time_entries,
categories; common holds what they share) and are imported from here: `from tasks.services
import task_start`.
"""

from tasks.services.categories import category_create, category_delete, category_update
from tasks.services.common import CATEGORY_UPDATABLE_FIELDS, TASK_UPDATABLE_FIELDS, TIME_ENTRY_MAX
from tasks.services.tasks import task_create, task_delete, task_update
from tasks.services.time_entries import task_log_time
from tasks.services.timer import (
    task_complete,
    task_correct_timer,
    task_pause,
    task_reopen,
    task_start,
    timers_pause_stale,
)

__all__ = [
    "CATEGORY_UPDATABLE_FIELDS",
    "TASK_UPDATABLE_FIELDS",
    "TIME_ENTRY_MAX",
    "category_create",
    "category_delete",
    "category_update",
    "task_complete",
    "task_correct_timer",
    "task_create",
    "task_delete",
    "task_log_time",
    "task_pause",
    "task_reopen",
    "task_start",
    "task_update",
    "timers_pause_stale",
]

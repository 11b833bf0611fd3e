"""Estimate accuracy: how long completed tasks took against their estimates (docs/insights.md).
The one computation of the figure: the day plan's estimate factor and the weekly review read
the overall `ratio` of `estimate_accuracy` (planning/selectors/estimates.py), adding only their
own window, minimum and bounds."""

from collections import defaultdict
from datetime import date
from statistics import median

from accounts.models import User
from config.localtime import local_range
from insights.selectors.common import (
    MIN_COMPLETED_TASKS,
    OK,
    figure,
    rounded,
    tasks_short,
    uncategorized,
)
from tasks.models import Task
from tasks.selectors import task_list


def _accuracy(rows: list[tuple]) -> dict:
    """Rows (estimated minutes, tracked seconds) -> the ratio of the sums (tracked/estimated:
    1.5 means 50% longer than estimated) and the median of the tasks' own ratios."""
    values = {
        "estimated_minutes": None,
        "tracked_minutes": None,
        "ratio": None,
        "median_ratio": None,
    }
    if rows:
        estimated = sum(r[0] for r in rows)
        tracked = sum(r[1] for r in rows)
        values = {
            "estimated_minutes": estimated,
            "tracked_minutes": tracked // 60,
            "ratio": rounded(tracked / 60 / estimated),
            "median_ratio": rounded(median(r[1] / 60 / r[0] for r in rows)),
        }
    return figure(len(rows), MIN_COMPLETED_TASKS, tasks_short, values)


def estimate_accuracy(*, user: User, date_from: date, date_to: date) -> dict:
    """How long tasks took against their estimates, over the tasks completed on local days
    `date_from`..`date_to` that have an estimate and tracked time (a task ticked off without a
    timer says nothing about how long it took). Per category (the task's current one; null
    for uncategorised tasks), most tasks first, and overall:

        {"n", "minimum", "status", "estimated_minutes", "tracked_minutes", "ratio",
         "median_ratio", "message"?, "categories": [{"category_id", "name", <the same>}]}

    One query. `estimate_ratio(result, category_id)` picks the factor to correct an estimate.
    """
    start, end = local_range(date_from, date_to, user.tz)
    rows = (
        task_list(user=user, status=Task.Status.COMPLETED)
        .filter(
            completed_at__gte=start,
            completed_at__lt=end,
            estimated_minutes__gt=0,
            tracked_seconds__gt=0,
        )
        .order_by()
        .values_list("category_id", "category__name", "estimated_minutes", "tracked_seconds")
    )
    per_category: dict = defaultdict(list)
    names: dict = {}
    everything = []
    for category_id, name, estimated, tracked in rows:
        per_category[category_id].append((estimated, tracked))
        names[category_id] = name
        everything.append((estimated, tracked))
    ordered = sorted(per_category.items(), key=lambda kv: (-len(kv[1]), names[kv[0]] or ""))
    return {
        **_accuracy(everything),
        "categories": [
            {
                "category_id": str(category_id) if category_id else None,
                "name": names[category_id] if category_id else uncategorized(),
                **_accuracy(category_rows),
            }
            for category_id, category_rows in ordered
        ],
    }


def estimate_ratio(accuracy: dict, category_id=None) -> float | None:
    """The factor to multiply an estimate by, from an `estimate_accuracy` result: the
    category's ratio when it has enough data, else the overall one, else None (no correction:
    too little data to claim anything)."""
    wanted = str(category_id) if category_id else None
    for category in accuracy["categories"]:
        if category["category_id"] == wanted and category["status"] == OK:
            return category["ratio"]
    return accuracy["ratio"] if accuracy["status"] == OK else None

"""Reads of the planning app: day plans (`plans`), the estimate factor (`estimates`) and the
weekly review's figures (`reviews`)."""

from planning.selectors.estimates import (
    ESTIMATE_MIN_SAMPLE,
    ESTIMATE_WINDOW_DAYS,
    EstimateAccuracy,
    estimate_accuracy_factor,
)
from planning.selectors.plans import (
    leftover_task_ids,
    morning_energy,
    open_tasks,
    open_tasks_by_id,
    plan_find,
    plan_get,
    plan_list,
)
from planning.selectors.reviews import review_get, review_list, reviewed_pairs, week_stats

__all__ = [
    "ESTIMATE_MIN_SAMPLE",
    "ESTIMATE_WINDOW_DAYS",
    "EstimateAccuracy",
    "estimate_accuracy_factor",
    "leftover_task_ids",
    "morning_energy",
    "open_tasks",
    "open_tasks_by_id",
    "plan_find",
    "plan_get",
    "plan_list",
    "review_get",
    "review_list",
    "reviewed_pairs",
    "week_stats",
]

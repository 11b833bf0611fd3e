"""Insights: figures computed from a person's own check-ins, tracked time, tasks and goals, each
with its sample size and no claim below a stated minimum (docs/insights.md).

Every figure is a dict with `n` (its sample size), `minimum` (the least it needs) and `status`:
`ok`, or `insufficient_data`, in which case its values are null and `message` says why in the
active language. Days are local days in the user's timezone (config/localtime.py).

The API for other apps (the day plan, the weekly review):

- `estimate_accuracy(*, user, date_from, date_to)`: tracked against estimated time of the tasks
  completed over local days `date_from`..`date_to`, overall and per category (the day plan's
  estimate factor is its overall `ratio`); `estimate_ratio(accuracy, category_id)` reads the
  factor to multiply one category's estimate by.
- `mood_insights(*, user, date_from, date_to, now=None)`: mood and energy against categories
  worked on, hour of day and weekday.
- `goal_pace(*, user, now=None)`: each active goal's pace, as of `now`.
- `insights(*, user, date_from, date_to, now=None)`: the three together (GET /insights).

Queries: a fixed number whatever the rows (one for check-ins, the time report's three, one
for completed tasks, three for goals).
"""

from datetime import date, datetime

from accounts.models import User
from insights.selectors.common import (
    DEFAULT_DAYS,
    INSUFFICIENT,
    MAX_DAYS,
    MIN_CHECKINS,
    MIN_COMPLETED_TASKS,
    MIN_GOAL_ENTRIES,
    MIN_GROUP_CHECKINS,
    OK,
)
from insights.selectors.estimates import estimate_accuracy, estimate_ratio
from insights.selectors.goals import goal_pace
from insights.selectors.mood import CATEGORY_MINUTES, mood_insights

__all__ = [
    "CATEGORY_MINUTES",
    "DEFAULT_DAYS",
    "INSUFFICIENT",
    "MAX_DAYS",
    "MIN_CHECKINS",
    "MIN_COMPLETED_TASKS",
    "MIN_GOAL_ENTRIES",
    "MIN_GROUP_CHECKINS",
    "OK",
    "estimate_accuracy",
    "estimate_ratio",
    "goal_pace",
    "insights",
    "mood_insights",
]


def insights(*, user: User, date_from: date, date_to: date, now: datetime | None = None) -> dict:
    """Everything GET /insights and the get_insights tool answer."""
    if date_to < date_from or (date_to - date_from).days + 1 > MAX_DAYS:
        raise ValueError(f"from..to must be 1 to {MAX_DAYS} days")
    return {
        "from": date_from,
        "to": date_to,
        "timezone": user.timezone,
        "mood": mood_insights(user=user, date_from=date_from, date_to=date_to, now=now),
        "estimates": estimate_accuracy(user=user, date_from=date_from, date_to=date_to),
        "goals": goal_pace(user=user, now=now),
    }

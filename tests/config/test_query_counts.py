"""Every list and detail endpoint reads a fixed number of rows' worth of queries: the same count
with a little data and with three times as much, and no more than its budget below."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from checkins.services import checkin_create
from goals.services import goal_create, goal_log_progress
from tasks import services as task_services

pytestmark = pytest.mark.django_db


def _grow(user, n: int, *, hours_ago: int) -> dict:
    """n more of everything (time entries from `hours_ago` back), and the ids of the first."""
    category = task_services.category_create(user=user, name=f"Cat {timezone.now().timestamp()}")
    ids = {"category": category.pk}
    for i in range(n):
        task = task_services.task_create(
            user=user, source="api", title=f"Task {i}", category=category if i % 2 else None
        )
        task_services.task_log_time(
            user=user,
            task=task,
            source="api",
            started_at=timezone.now() - timedelta(hours=hours_ago + i * 2, minutes=30),
            ended_at=timezone.now() - timedelta(hours=hours_ago + i * 2),
        )
        goal = goal_create(
            user=user, source="api", title=f"Goal {i}", target_value=Decimal(10), unit="km"
        )
        goal_log_progress(user=user, goal=goal, value=Decimal(1), source="api")
        checkin = checkin_create(user=user, source="api", mood=3, energy=4)
        ids.setdefault("task", task.pk)
        ids.setdefault("goal", goal.pk)
        ids.setdefault("checkin", checkin.pk)
    return ids


# (path template, most queries allowed). The first query of each is the authenticated user.
ENDPOINTS = [
    ("/api/v1/auth/me", 1),
    ("/api/v1/tasks", 2),  # user, page with its count
    ("/api/v1/tasks/{task}", 2),
    ("/api/v1/tasks/{task}/events", 3),  # user, task, page with its count
    ("/api/v1/tasks/current", 2),
    ("/api/v1/tasks/report?from=2026-11-01&to=2026-12-31", 4),
    ("/api/v1/categories", 2),
    ("/api/v1/categories/{category}", 2),
    ("/api/v1/goals", 3),  # user, page with sums and count, daily history of periodic goals
    ("/api/v1/goals/{goal}", 3),
    ("/api/v1/goals/{goal}/progress", 3),
    ("/api/v1/checkins", 2),
    ("/api/v1/checkins/{checkin}", 2),
    ("/api/v1/checkins/stats?from=2026-11-01&to=2026-12-31", 2),
    ("/api/v1/memories", 2),
    # user, check-ins, the time report (segments, running task, categories), completed tasks,
    # active goals, their progress sums, their entries this period
    ("/api/v1/insights?from=2026-11-01&to=2026-12-31", 9),
]


@pytest.mark.parametrize(("template", "budget"), ENDPOINTS, ids=[e[0] for e in ENDPOINTS])
def test_queries_stay_within_budget_and_do_not_grow_with_rows(
    template, budget, user, api_client, django_assert_max_num_queries
):
    ids = _grow(user, 2, hours_ago=2)
    path = template.format(**ids)
    with django_assert_max_num_queries(budget) as few:
        assert api_client.get(path).status_code == 200
    _grow(user, 6, hours_ago=20)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert api_client.get(path).status_code == 200

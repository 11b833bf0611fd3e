"""Parallel progress on PostgreSQL: every entry counts before achievement is decided."""

import threading
from decimal import Decimal

import pytest
from django.db import connection

from goals.models import Goal, GoalProgress
from goals.services import goal_create, goal_log_progress


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_progress_reaching_the_target_achieves_the_goal(user):
    goal = goal_create(user=user, source="api", title="Leer", target_value=Decimal("8"), unit="p")
    workers = 8
    barrier = threading.Barrier(workers)
    errors = []

    def work():
        try:
            barrier.wait()
            goal_log_progress(user=user, goal=goal, value=Decimal("1"), source="api")
        except Exception as exc:  # surfaced by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert GoalProgress.objects.filter(goal=goal).count() == workers
    goal = Goal.objects.get(pk=goal.pk)
    assert goal.status == "achieved"
    assert goal.achieved_at is not None

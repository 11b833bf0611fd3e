"""Writes that lock several rows take the user's lock first and the rest in primary-key order,
so two of them can never wait on each other (a deadlock is a 500). Real parallel requests,
each thread with its own connection, on PostgreSQL."""

import pytest
from rest_framework.test import APIClient

from goals import services as goal_services
from tasks import services
from tasks.models import Category, Task
from tests.conftest import access_token_for
from tests.tasks.test_concurrency import run_in_parallel

ROUNDS = 200


def request(token, method, path, body=None):
    def call():
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        response = getattr(client, method)(path, body, format="json")
        return response.status_code

    return call


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_deleting_a_category_while_switching_timers_between_its_tasks_never_fails(user):
    # The scenario: task A runs, both A and B are in the category; `start B` locks the
    # user, then B and A; `category_delete` locks the category's tasks. Before the fix they
    # took the tasks in no fixed order and without the user lock, and deadlocked.
    token = access_token_for(user)
    failures = []
    for round_number in range(ROUNDS):
        category = services.category_create(user=user, name=f"Proyecto {round_number}")
        first, second = (
            services.task_create(
                user=user, source="api", title=f"{round_number}-{n}", category=category
            )
            for n in range(2)
        )
        services.task_start(user=user, task=first, source="api")

        statuses = run_in_parallel(
            [
                request(token, "delete", f"/api/v1/categories/{category.pk}"),
                request(token, "post", f"/api/v1/tasks/{second.pk}/start"),
            ]
        )

        if statuses != [204, 200]:
            failures.append((round_number, statuses))
    assert failures == []
    assert not Category.objects.filter(user=user).exists()
    assert Task.objects.filter(user=user, category__isnull=False).count() == 0
    assert Task.objects.filter(user=user, running_since__isnull=False).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_moving_and_creating_into_a_category_being_deleted_never_fails(user):
    # Without the user lock around both, a task or goal moved (or created) into the category
    # while it is deleted breaks the foreign key at commit: one of the requests was a 500.
    token = access_token_for(user)
    unexpected = []
    for round_number in range(ROUNDS // 4):
        category = services.category_create(user=user, name=f"Área {round_number}")
        running, other = (
            services.task_create(
                user=user, source="api", title=f"{round_number}-{n}", category=category
            )
            for n in range(2)
        )
        loose = services.task_create(user=user, source="api", title=f"{round_number}-suelta")
        goal = goal_services.goal_create(
            user=user, source="api", title=f"Meta {round_number}", target_value=10, unit="h"
        )
        services.task_start(user=user, task=running, source="api")
        category_id = str(category.pk)

        statuses = run_in_parallel(
            [
                request(token, "delete", f"/api/v1/categories/{category_id}"),
                request(token, "post", f"/api/v1/tasks/{other.pk}/start"),
                request(token, "patch", f"/api/v1/tasks/{loose.pk}", {"category": category_id}),
                request(
                    token, "post", "/api/v1/tasks", {"title": "nueva", "category": category_id}
                ),
                request(token, "delete", f"/api/v1/tasks/{running.pk}"),
                request(token, "patch", f"/api/v1/goals/{goal.pk}", {"category": category_id}),
            ]
        )

        deleted, started, moved, created, removed, goal_moved = statuses
        if not (
            deleted == 204
            and started == 200
            and moved in (200, 400)
            and created in (201, 400)
            and removed == 204
            and goal_moved in (200, 400)
        ):
            unexpected.append((round_number, statuses))
    assert unexpected == []
    assert not Category.objects.filter(user=user).exists()

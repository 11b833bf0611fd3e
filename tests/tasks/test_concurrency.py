"""One running timer per user under real concurrency: parallel requests, each thread with its
own database connection, against PostgreSQL."""

import threading
from itertools import pairwise

import pytest
from django.db import connections
from rest_framework.test import APIClient

from tasks import services
from tasks.models import Task, TaskEvent
from tests.conftest import access_token_for
from tests.tasks.conftest import closed_seconds

N = 20


def run_in_parallel(calls):
    """Run each callable in its own thread, released together; return their results."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def worker(index, call):
        try:
            barrier.wait()
            results[index] = call()
        except Exception as exc:  # reported by the assertions, not swallowed
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def start_request(token, task):
    def call():
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        response = client.post(f"/api/v1/tasks/{task.pk}/start")
        return response.status_code

    return call


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_starts_on_different_tasks_leave_exactly_one_running(user):
    tasks = [services.task_create(user=user, source="api", title=f"t{i}") for i in range(N)]
    token = access_token_for(user)

    statuses = run_in_parallel([start_request(token, task) for task in tasks])

    assert statuses == [200] * N
    running = list(Task.objects.filter(user=user, running_since__isnull=False))
    assert len(running) == 1
    assert Task.objects.filter(user=user, status="in_progress").count() == 1
    assert Task.objects.filter(user=user, status="paused").count() == N - 1

    # Every start was logged, and every start but the first paused the one before it: the
    # starts ran one after another, each seeing the previous one's committed result.
    started = list(
        TaskEvent.objects.filter(user=user, type="started").order_by("occurred_at", "id")
    )
    assert len(started) == N
    assert started[0].data["paused_task_id"] is None
    for previous, event in pairwise(started):
        assert event.data["paused_task_id"] == str(previous.task_id)
    assert started[-1].task_id == running[0].pk

    switched = TaskEvent.objects.filter(user=user, type="paused", data__reason="switched")
    assert switched.count() == N - 1
    for task in Task.objects.filter(user=user):
        assert task.tracked_seconds == closed_seconds(task)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_starts_of_two_users_do_not_block_each_other_wrongly(user, other_user):
    mine = [services.task_create(user=user, source="api", title=f"m{i}") for i in range(5)]
    theirs = [services.task_create(user=other_user, source="api", title=f"o{i}") for i in range(5)]
    my_token, their_token = access_token_for(user), access_token_for(other_user)

    calls = [start_request(my_token, t) for t in mine] + [
        start_request(their_token, t) for t in theirs
    ]
    assert run_in_parallel(calls) == [200] * 10

    assert Task.objects.filter(user=user, running_since__isnull=False).count() == 1
    assert Task.objects.filter(user=other_user, running_since__isnull=False).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_overlapping_time_entries_accept_exactly_one(user):
    from datetime import timedelta

    from django.utils import timezone

    tasks = [services.task_create(user=user, source="api", title=f"t{i}") for i in range(10)]
    token = access_token_for(user)
    end = (timezone.now() - timedelta(hours=2)).replace(microsecond=0)
    body = {"started_at": (end - timedelta(hours=1)).isoformat(), "ended_at": end.isoformat()}

    def entry(task):
        def call():
            client = APIClient()
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
            return client.post(f"/api/v1/tasks/{task.pk}/time-entries", body).status_code

        return call

    statuses = run_in_parallel([entry(task) for task in tasks])

    assert sorted(statuses) == [201] + [409] * 9
    assert TaskEvent.objects.filter(user=user, type="time_logged").count() == 1

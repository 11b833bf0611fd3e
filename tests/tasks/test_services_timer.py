"""Timer rules of DESIGN.md, exercised on the services with an explicit clock."""

from datetime import timedelta

import pytest

from tasks import services
from tasks.errors import TaskAlreadyCompleted, TaskNotCompleted, TaskNotRunning
from tasks.models import Task, TaskEvent
from tests.tasks.conftest import T0, assert_tracked_matches_log

pytestmark = pytest.mark.django_db


def start(user, task, at, source="api"):
    return services.task_start(user=user, task=task, source=source, now=at)


def pause(user, task, at):
    return services.task_pause(user=user, task=task, source="api", now=at)


def complete(user, task, at):
    return services.task_complete(user=user, task=task, source="api", now=at)


def reopen(user, task, at):
    return services.task_reopen(user=user, task=task, source="api", now=at)


def test_start_runs_the_timer_and_logs_a_started_event(user, make_task):
    task = start(user, make_task(user), T0, source="assistant")

    assert task.status == Task.Status.IN_PROGRESS
    assert task.running_since == T0
    event = TaskEvent.objects.get(task=task, type="started")
    assert event.source == "assistant"
    assert event.data == {"paused_task_id": None}


def test_pause_closes_the_segment_and_adds_its_time(user, make_task):
    task = start(user, make_task(user), T0)
    task = pause(user, task, T0 + timedelta(minutes=25))

    assert task.status == Task.Status.PAUSED
    assert task.running_since is None
    assert task.tracked_seconds == 25 * 60
    event = TaskEvent.objects.get(task=task, type="paused")
    assert (event.segment_start, event.segment_end) == (T0, T0 + timedelta(minutes=25))
    assert event.duration_seconds == 1500
    assert_tracked_matches_log(task)


def test_segments_accumulate_over_several_runs(user, make_task):
    task = make_task(user)
    for run in range(3):
        begin = T0 + timedelta(hours=run)
        task = start(user, task, begin)
        task = pause(user, task, begin + timedelta(minutes=10, seconds=run))
    assert task.tracked_seconds == 3 * 600 + 0 + 1 + 2
    assert_tracked_matches_log(task)


def test_fractions_of_a_second_never_make_the_total_drift(user, make_task):
    task = start(user, make_task(user), T0 + timedelta(microseconds=999_999))
    task = pause(user, task, T0 + timedelta(seconds=10, microseconds=1))
    assert task.running_since is None
    assert task.tracked_seconds == 10
    assert_tracked_matches_log(task)


def test_starting_another_task_pauses_the_running_one_in_the_same_step(user, make_task):
    first, second = make_task(user, title="first"), make_task(user, title="second")
    start(user, first, T0)

    second = start(user, second, T0 + timedelta(minutes=40))

    first.refresh_from_db()
    assert first.status == Task.Status.PAUSED
    assert first.tracked_seconds == 40 * 60
    assert second.status == Task.Status.IN_PROGRESS
    assert Task.objects.filter(user=user, running_since__isnull=False).get() == second
    paused = TaskEvent.objects.get(task=first, type="paused")
    assert paused.data == {"reason": "switched", "next_task_id": str(second.pk)}
    started = TaskEvent.objects.get(task=second, type="started")
    assert started.data == {"paused_task_id": str(first.pk)}
    assert_tracked_matches_log(first)


def test_starting_the_running_task_changes_nothing(user, make_task):
    task = start(user, make_task(user), T0)
    events_before = TaskEvent.objects.filter(task=task).count()

    again = start(user, task, T0 + timedelta(hours=1))

    assert again.running_since == T0
    assert TaskEvent.objects.filter(task=task).count() == events_before


def test_starting_a_completed_task_is_a_conflict(user, make_task):
    task = complete(user, make_task(user), T0)
    with pytest.raises(TaskAlreadyCompleted):
        start(user, task, T0 + timedelta(minutes=1))


def test_pausing_a_task_that_is_not_running_is_a_conflict(user, make_task):
    task = make_task(user)
    with pytest.raises(TaskNotRunning) as caught:
        pause(user, task, T0)
    assert caught.value.code == "task_not_running"
    assert caught.value.status_code == 409

    task = pause(user, start(user, task, T0), T0 + timedelta(minutes=1))
    with pytest.raises(TaskNotRunning):
        pause(user, task, T0 + timedelta(minutes=2))


def test_completing_a_running_task_stops_the_timer_and_adds_its_time(user, make_task):
    task = start(user, make_task(user), T0)

    task = complete(user, task, T0 + timedelta(minutes=90))

    assert task.status == Task.Status.COMPLETED
    assert task.completed_at == T0 + timedelta(minutes=90)
    assert task.running_since is None
    assert task.tracked_seconds == 90 * 60
    event = TaskEvent.objects.get(task=task, type="completed")
    assert event.duration_seconds == 5400
    assert event.data == {"from_status": "in_progress"}
    assert_tracked_matches_log(task)


def test_completing_a_paused_task_logs_no_segment(user, make_task):
    task = pause(user, start(user, make_task(user), T0), T0 + timedelta(minutes=5))
    task = complete(user, task, T0 + timedelta(hours=2))
    assert task.tracked_seconds == 300
    event = TaskEvent.objects.get(task=task, type="completed")
    assert event.segment_start is None and event.duration_seconds is None


def test_completing_a_completed_task_is_a_conflict(user, make_task):
    task = complete(user, make_task(user), T0)
    with pytest.raises(TaskAlreadyCompleted) as caught:
        complete(user, task, T0 + timedelta(minutes=1))
    assert caught.value.status_code == 409


def test_reopening_a_task_that_ran_returns_it_to_paused_with_its_time(user, make_task):
    task = complete(user, start(user, make_task(user), T0), T0 + timedelta(minutes=30))

    task = reopen(user, task, T0 + timedelta(hours=1))

    assert task.status == Task.Status.PAUSED
    assert task.completed_at is None
    assert task.tracked_seconds == 1800
    assert not task.is_running
    assert TaskEvent.objects.get(task=task, type="reopened").data == {"to_status": "paused"}


def test_reopening_a_task_that_never_ran_returns_it_to_pending(user, make_task):
    task = reopen(user, complete(user, make_task(user), T0), T0 + timedelta(minutes=1))
    assert task.status == Task.Status.PENDING


def test_a_task_started_and_paused_in_the_same_second_counts_as_having_run(user, make_task):
    task = pause(user, start(user, make_task(user), T0), T0)
    task = reopen(user, complete(user, task, T0), T0)
    assert task.tracked_seconds == 0
    assert task.status == Task.Status.PAUSED


def test_reopening_a_task_that_is_not_completed_is_a_conflict(user, make_task):
    with pytest.raises(TaskNotCompleted) as caught:
        reopen(user, make_task(user), T0)
    assert caught.value.code == "task_not_completed"


def test_a_reopened_task_can_run_again_and_keeps_counting(user, make_task):
    task = complete(user, start(user, make_task(user), T0), T0 + timedelta(minutes=10))
    task = reopen(user, task, T0 + timedelta(minutes=20))
    task = start(user, task, T0 + timedelta(minutes=30))
    task = complete(user, task, T0 + timedelta(minutes=35))
    assert task.tracked_seconds == 15 * 60
    assert_tracked_matches_log(task)


def test_timer_services_refuse_another_users_task(user, other_user, make_task):
    from config.exceptions import NotFound

    theirs = make_task(other_user)
    for service in (services.task_start, services.task_pause, services.task_complete):
        with pytest.raises(NotFound):
            service(user=user, task=theirs, source="api")
    theirs.refresh_from_db()
    assert theirs.status == Task.Status.PENDING


def test_an_unknown_source_is_a_programming_error(user, make_task):
    with pytest.raises(ValueError):
        services.task_start(user=user, task=make_task(user), source="web")

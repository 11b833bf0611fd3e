"""task_correct_timer: a forgotten timer stopped at the moment it really stopped."""

from datetime import timedelta

import pytest

from tasks import services
from tasks.errors import InvalidInput, TaskNotRunning
from tasks.models import TaskEvent
from tests.tasks.conftest import T0, assert_tracked_matches_log, event_types

pytestmark = pytest.mark.django_db


def started(user, make_task, *, at=T0, **kwargs):
    task = make_task(user, **kwargs)
    return services.task_start(user=user, task=task, source="api", now=at)


def test_the_stretch_closes_at_stopped_at_not_now(user, make_task):
    task = started(user, make_task)
    stopped = T0 + timedelta(hours=1, minutes=10)

    event = services.task_correct_timer(
        user=user, task=task, stopped_at=stopped, source="assistant", now=T0 + timedelta(hours=4)
    )

    task.refresh_from_db()
    assert task.status == "paused" and task.running_since is None
    assert task.tracked_seconds == 70 * 60
    assert event.type == "corrected" and event.source == "assistant"
    assert (event.segment_start, event.segment_end) == (T0, stopped)
    assert event.data == {
        "from": (T0 + timedelta(hours=4)).isoformat(),
        "to": stopped.isoformat(),
    }
    assert event_types(task).count("corrected") == 1
    assert_tracked_matches_log(task)


def test_time_tracked_before_the_run_is_kept(user, make_task):
    task = started(user, make_task)
    task = services.task_pause(user=user, task=task, source="api", now=T0 + timedelta(minutes=30))
    task = services.task_start(user=user, task=task, source="api", now=T0 + timedelta(hours=1))

    services.task_correct_timer(
        user=user,
        task=task,
        stopped_at=T0 + timedelta(hours=1, minutes=15),
        source="api",
        now=T0 + timedelta(hours=5),
    )

    task.refresh_from_db()
    assert task.tracked_seconds == 45 * 60
    assert_tracked_matches_log(task)


@pytest.mark.parametrize(
    "stopped_at",
    [T0, T0 - timedelta(minutes=1), T0 + timedelta(hours=2, seconds=1)],
    ids=["at-the-start", "before-the-start", "in-the-future"],
)
def test_a_moment_not_inside_the_running_stretch_is_refused(user, make_task, stopped_at):
    task = started(user, make_task)

    with pytest.raises(InvalidInput) as caught:
        services.task_correct_timer(
            user=user, task=task, stopped_at=stopped_at, source="api", now=T0 + timedelta(hours=2)
        )

    assert "stopped_at" in caught.value.fields
    task.refresh_from_db()
    assert task.running_since == T0
    assert not TaskEvent.objects.filter(type="corrected").exists()


def test_a_timer_that_is_not_running_is_409(user, make_task):
    task = make_task(user)

    with pytest.raises(TaskNotRunning):
        services.task_correct_timer(
            user=user, task=task, stopped_at=T0, source="api", now=T0 + timedelta(hours=1)
        )


def test_a_naive_moment_is_refused(user, make_task):
    task = started(user, make_task)

    with pytest.raises(InvalidInput):
        services.task_correct_timer(
            user=user,
            task=task,
            stopped_at=(T0 + timedelta(minutes=5)).replace(tzinfo=None),
            source="api",
            now=T0 + timedelta(hours=1),
        )

"""Manual time entries: order, future, length and overlap rules."""

from datetime import datetime, timedelta

import pytest

from tasks import services
from tasks.errors import InvalidInput, TimeOverlap
from tasks.models import Task
from tests.tasks.conftest import T0, assert_tracked_matches_log

pytestmark = pytest.mark.django_db

NOW = T0 + timedelta(days=1)


def log(user, task, start, end, now=NOW):
    return services.task_log_time(
        user=user, task=task, started_at=start, ended_at=end, source="api", now=now
    )


def test_a_time_entry_adds_a_closed_segment(user, make_task):
    task = make_task(user)

    event = log(user, task, T0, T0 + timedelta(minutes=45))

    task.refresh_from_db()
    assert event.type == "time_logged"
    assert (event.segment_start, event.segment_end, event.duration_seconds) == (
        T0,
        T0 + timedelta(minutes=45),
        2700,
    )
    assert task.tracked_seconds == 2700
    assert task.status == Task.Status.PAUSED  # a pending task has now been worked on
    assert_tracked_matches_log(task)


def test_a_time_entry_keeps_a_completed_task_completed(user, make_task):
    task = services.task_complete(user=user, task=make_task(user), source="api", now=T0)
    log(user, task, T0 - timedelta(hours=2), T0 - timedelta(hours=1))
    task.refresh_from_db()
    assert task.status == Task.Status.COMPLETED
    assert task.tracked_seconds == 3600


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (T0, T0),
        (T0, T0 - timedelta(minutes=1)),
        (NOW - timedelta(minutes=5), NOW + timedelta(minutes=5)),
        (NOW + timedelta(minutes=1), NOW + timedelta(minutes=5)),
        (T0 - timedelta(hours=25), T0),
    ],
    ids=["empty", "backwards", "ends-in-future", "in-future", "longer-than-24h"],
)
def test_bad_time_entries_are_field_errors(user, make_task, start, end):
    task = make_task(user)
    with pytest.raises(InvalidInput) as caught:
        log(user, task, start, end)
    assert caught.value.fields.keys() == {"ended_at"}
    task.refresh_from_db()
    assert task.tracked_seconds == 0


def test_naive_datetimes_are_field_errors(user, make_task):
    with pytest.raises(InvalidInput) as caught:
        log(user, make_task(user), datetime(2026, 11, 1, 9), datetime(2026, 11, 1, 10))
    assert caught.value.fields.keys() == {"started_at", "ended_at"}


@pytest.mark.parametrize(
    ("start_min", "end_min"),
    [(30, 90), (-30, 30), (10, 20), (-10, 130)],
    ids=["overlaps-end", "overlaps-start", "inside", "contains"],
)
def test_entries_overlapping_other_tracked_time_of_any_task_are_refused(
    user, make_task, start_min, end_min
):
    first, second = make_task(user, title="first"), make_task(user, title="second")
    log(user, first, T0, T0 + timedelta(hours=1))

    with pytest.raises(TimeOverlap) as caught:
        log(user, second, T0 + timedelta(minutes=start_min), T0 + timedelta(minutes=end_min))
    assert caught.value.status_code == 409
    assert caught.value.code == "time_overlap"
    second.refresh_from_db()
    assert second.tracked_seconds == 0


def test_entries_overlapping_a_timer_segment_are_refused(user, make_task):
    task = services.task_start(user=user, task=make_task(user), source="api", now=T0)
    services.task_pause(user=user, task=task, source="api", now=T0 + timedelta(hours=1))
    with pytest.raises(TimeOverlap):
        log(user, make_task(user), T0 + timedelta(minutes=59), T0 + timedelta(hours=2))


def test_entries_overlapping_the_running_timer_are_refused(user, make_task):
    services.task_start(user=user, task=make_task(user), source="api", now=T0)
    with pytest.raises(TimeOverlap):
        log(user, make_task(user), T0 + timedelta(hours=2), T0 + timedelta(hours=3))


def test_adjacent_entries_do_not_overlap(user, make_task):
    task = make_task(user)
    log(user, task, T0, T0 + timedelta(hours=1))
    log(user, task, T0 + timedelta(hours=1), T0 + timedelta(hours=2))
    services.task_start(user=user, task=task, source="api", now=T0 + timedelta(hours=3))
    log(user, make_task(user), T0 + timedelta(hours=2), T0 + timedelta(hours=3))
    task.refresh_from_db()
    assert task.tracked_seconds == 7200


def test_other_users_time_never_overlaps_mine(user, other_user, make_task):
    log(other_user, make_task(other_user), T0, T0 + timedelta(hours=1))
    log(user, make_task(user), T0, T0 + timedelta(hours=1))

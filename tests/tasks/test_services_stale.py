"""Pausing timers left running too long, as a service and as a management command."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from tasks import services
from tasks.models import Task, TaskEvent
from tests.tasks.conftest import T0, assert_tracked_matches_log

pytestmark = pytest.mark.django_db


def test_stale_timers_are_paused_with_the_segment_cut_at_the_threshold(user, other_user, make_task):
    stale = services.task_start(user=user, task=make_task(user), source="api", now=T0)
    fresh = services.task_start(
        user=other_user, task=make_task(other_user), source="api", now=T0 + timedelta(hours=5)
    )

    paused = services.timers_pause_stale(
        older_than=timedelta(hours=10), now=T0 + timedelta(hours=12)
    )

    assert paused == 1
    stale.refresh_from_db()
    fresh.refresh_from_db()
    assert stale.status == Task.Status.PAUSED
    assert stale.tracked_seconds == 10 * 3600
    assert fresh.is_running
    event = TaskEvent.objects.get(task=stale, type="paused")
    assert event.source == "system"
    assert event.segment_end == T0 + timedelta(hours=10)
    assert event.occurred_at == T0 + timedelta(hours=12)
    assert event.data == {"reason": "stale", "threshold_seconds": 36000}
    assert_tracked_matches_log(stale)


def test_a_timer_exactly_at_the_threshold_is_paused(user, make_task):
    services.task_start(user=user, task=make_task(user), source="api", now=T0)
    assert services.timers_pause_stale(older_than=timedelta(hours=1), now=T0 + timedelta(hours=1))


def test_nothing_stale_pauses_nothing(user, make_task):
    services.task_start(user=user, task=make_task(user), source="api", now=T0)
    paused = services.timers_pause_stale(older_than=timedelta(hours=10), now=T0)
    assert paused == 0
    assert Task.objects.get().is_running


def test_the_command_pauses_stale_timers(user, make_task):
    task = make_task(user)
    long_ago = timezone.now() - timedelta(hours=11)
    services.task_start(user=user, task=task, source="api", now=long_ago)
    out = StringIO()

    call_command("pause_stale_timers", "--older-than", "10h", stdout=out)

    task.refresh_from_db()
    assert not task.is_running
    assert task.tracked_seconds == 10 * 3600
    assert "Paused 1 timer" in out.getvalue()


def test_the_command_accepts_minutes(user, make_task):
    task = make_task(user)
    services.task_start(
        user=user, task=task, source="api", now=timezone.now() - timedelta(minutes=95)
    )
    call_command("pause_stale_timers", "--older-than=1h30m", stdout=StringIO())
    task.refresh_from_db()
    assert task.tracked_seconds == 90 * 60


@pytest.mark.parametrize("value", ["10", "h", "-5h", "10x", "0m", "10 hours", "9999h", ""])
def test_the_command_rejects_bad_durations(value):
    with pytest.raises(CommandError):
        call_command("pause_stale_timers", f"--older-than={value}", stdout=StringIO())


def test_the_command_requires_older_than():
    with pytest.raises(CommandError):
        call_command("pause_stale_timers", stdout=StringIO())

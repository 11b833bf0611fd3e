"""Planning fixtures: a Madrid person's tasks and check-ins at chosen local moments, and the
fake OpenAI and Expo servers."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.fakes.expo_server import fake_expo  # noqa: F401  (pytest fixture)
from tests.fakes.openai_server import fake_openai  # noqa: F401  (pytest fixture)

MADRID = ZoneInfo("Europe/Madrid")


def madrid(*args) -> datetime:
    return datetime(*args, tzinfo=MADRID)


@pytest.fixture
def make_task(user):
    from tasks.services import task_create

    def make(title, owner=None, **kwargs):
        return task_create(user=owner or user, source="api", title=title, **kwargs)

    return make


@pytest.fixture
def finish(user):
    """finish(task, estimated, tracked, at): a completed task with `tracked` minutes of work
    ending at `at` (for the estimate factor)."""
    from tasks.services import task_complete, task_log_time

    def done(task, tracked_minutes, at):
        task_log_time(
            user=task.user,
            task=task,
            started_at=at - timedelta(minutes=tracked_minutes),
            ended_at=at,
            source="api",
            now=at,
        )
        return task_complete(user=task.user, task=task, source="api", now=at)

    return done


@pytest.fixture
def morning(user):
    from checkins.services import checkin_create

    def record(energy, at, owner=None, kind="morning"):
        return checkin_create(
            user=owner or user, source="api", mood=3, energy=energy, kind=kind, recorded_at=at
        )

    return record

"""Goal factories and a listener on the user's live-update group."""

import asyncio
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from config import realtime
from config.realtime import user_group


@pytest.fixture
def category(user):
    from tasks.models import Category

    return Category.objects.create(user=user, name="Salud")


@pytest.fixture
def other_category(other_user):
    from tasks.models import Category

    return Category.objects.create(user=other_user, name="Ajena")


@pytest.fixture
def make_goal(user):
    from goals.services import goal_create

    def make(owner=None, **kwargs):
        kwargs.setdefault("title", "Correr 20 km")
        kwargs.setdefault("target_value", Decimal("20"))
        kwargs.setdefault("unit", "km")
        return goal_create(user=owner or user, source="api", **kwargs)

    return make


@pytest.fixture
def log(user):
    """log(goal, value, at=None): progress through the service, as the goal's owner."""
    from goals.services import goal_log_progress

    def do(goal, value, at=None, owner=None):
        return goal_log_progress(
            user=owner or goal.user,
            goal=goal,
            value=Decimal(str(value)),
            recorded_at=at,
            source="api",
        )

    return do


def local(tz: str, *args) -> datetime:
    return datetime(*args, tzinfo=ZoneInfo(tz))


class Listener:
    """Joins a user's realtime group on the configured channel layer and drains its frames."""

    def __init__(self, user_id):
        self.layer = get_channel_layer()
        self.channel = async_to_sync(self.layer.new_channel)()
        self.group = user_group(user_id)
        async_to_sync(self.layer.group_add)(self.group, self.channel)

    def frames(self) -> list[dict]:
        """Everything sent so far (call once: a drained in-memory queue is tied to its loop)."""
        # Events are sent off the publishing thread: wait until everything handed over was sent.
        assert realtime.flush(timeout=5)

        async def drain():
            frames = []
            while True:
                try:
                    message = await asyncio.wait_for(self.layer.receive(self.channel), 0.5)
                except TimeoutError:
                    return frames
                frames.append(message["event"])

        return async_to_sync(drain)()


@pytest.fixture
def listen():
    listeners = []

    def make(user):
        listener = Listener(user.pk)
        listeners.append(listener)
        return listener

    yield make
    for listener in listeners:
        async_to_sync(listener.layer.group_discard)(listener.group, listener.channel)

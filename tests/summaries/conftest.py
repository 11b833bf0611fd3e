"""Summaries fixtures: the fake OpenAI server, a listener on a user's live updates, helpers."""

from datetime import datetime

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from config import realtime
from config.realtime import user_group
from tests.fakes.openai_server import fake_openai  # noqa: F401  (pytest fixture)

END = {"type": "test.end"}


def at(user, day, hour, minute=0):
    """A local time of `user` on `day`, as an aware datetime."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=user.tz)


@pytest.fixture
def inbox(user):
    """A channel in the user's group; `read()` returns the frames published so far."""
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(user_group(user.pk), channel)

    async def drain():
        assert realtime.flush(timeout=5)
        await layer.send(channel, END)
        frames = []
        while (message := await layer.receive(channel)) != END:
            frames.append(message["event"])
        return frames

    yield type("Inbox", (), {"read": staticmethod(async_to_sync(drain))})
    async_to_sync(layer.group_discard)(user_group(user.pk), channel)

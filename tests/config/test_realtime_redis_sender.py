"""SyncRedisGroupSender does channels_redis's group_send without an event loop: what it sends is
what the real Redis layer's consumers receive, and only the group's members get it."""

import pytest
from asgiref.sync import async_to_sync
from channels.layers import channel_layers

from config.realtime import SyncRedisGroupSender

pytestmark = pytest.mark.redis


@pytest.fixture
def layer():
    layer = channel_layers.make_backend("default")
    yield layer
    async_to_sync(layer.flush)()


def test_members_of_the_group_receive_the_message_as_the_layer_encodes_it(layer):
    sender = SyncRedisGroupSender.for_layer(layer)
    assert sender is not None
    member, outsider = (async_to_sync(layer.new_channel)() for _ in range(2))
    async_to_sync(layer.group_add)("user.sync-sender", member)
    async_to_sync(layer.group_add)("user.someone-else", outsider)
    message = {"type": "realtime.event", "event": {"type": "task.updated", "task": {"n": 1}}}

    sender.group_send("user.sync-sender", message)
    sender.group_send("user.sync-sender", {**message, "event": {"type": "task.deleted"}})

    async def receive_two():
        return [await layer.receive(member) for _ in range(2)]

    first, second = async_to_sync(receive_two)()
    assert first == message
    assert second["event"] == {"type": "task.deleted"}

    async def outsider_got_nothing():
        await layer.send(outsider, {"type": "end"})
        return await layer.receive(outsider)

    assert async_to_sync(outsider_got_nothing)() == {"type": "end"}


def test_a_group_with_no_members_sends_nothing_and_raises_nothing(layer):
    sender = SyncRedisGroupSender.for_layer(layer)
    sender.group_send("user.nobody", {"type": "realtime.event", "event": {}})
    # No channel got a message: the layer's keys hold nothing but (at most) the empty group.
    keys = sender.clients[0].keys(f"{layer.prefix}*")
    assert all(b":group:" in key for key in keys), keys


def test_other_layers_keep_the_async_path():
    from channels.layers import InMemoryChannelLayer

    assert SyncRedisGroupSender.for_layer(InMemoryChannelLayer()) is None

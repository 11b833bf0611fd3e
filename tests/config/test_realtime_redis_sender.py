"""SyncRedisGroupSender does channels_redis's group_send without an event loop: what it sends is
what the real Redis layer's consumers receive, and only the group's members get it."""

import pytest
from asgiref.sync import async_to_sync
from channels.layers import channel_layers

from config.realtime_redis import SyncRedisGroupSender

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

    sender.group_send_many([("user.sync-sender", message)])
    sender.group_send_many([("user.sync-sender", {**message, "event": {"type": "task.deleted"}})])

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
    sender.group_send_many([("user.nobody", {"type": "realtime.event", "event": {}})])
    # No channel got a message: the layer's keys hold nothing but (at most) the empty group.
    keys = sender.clients[0].keys(f"{layer.prefix}*")
    assert all(b":group:" in key for key in keys), keys


def test_other_layers_keep_the_async_path():
    from channels.layers import InMemoryChannelLayer

    assert SyncRedisGroupSender.for_layer(InMemoryChannelLayer()) is None


def test_a_batch_reaches_each_groups_members_in_order_with_one_lookup(layer, monkeypatch):
    sender = SyncRedisGroupSender.for_layer(layer)
    ana, ana_phone, luis = (async_to_sync(layer.new_channel)() for _ in range(3))
    async_to_sync(layer.group_add)("user.ana", ana)
    async_to_sync(layer.group_add)("user.ana", ana_phone)
    async_to_sync(layer.group_add)("user.luis", luis)
    lookups = []
    real_pipeline = sender.clients[0].pipeline

    def counting_pipeline(*args, **kwargs):
        pipe = real_pipeline(*args, **kwargs)
        real_execute = pipe.execute

        def execute():
            commands = [c[0][0] for c in pipe.command_stack]
            if "ZRANGE" in commands:
                lookups.append(commands.count("ZRANGE"))
            return real_execute()

        pipe.execute = execute
        return pipe

    monkeypatch.setattr(sender.clients[0], "pipeline", counting_pipeline)

    def event(n):
        return {"type": "realtime.event", "event": {"type": "task.updated", "n": n}}

    sender.group_send_many(
        [
            ("user.ana", event(1)),
            ("user.nobody", event(2)),
            ("user.luis", event(3)),
            ("user.ana", event(4)),
        ]
    )

    async def receive(channel, count):
        return [(await layer.receive(channel))["event"]["n"] for _ in range(count)]

    assert lookups == [3]  # three groups, one round trip
    assert async_to_sync(receive)(ana, 2) == [1, 4]
    assert async_to_sync(receive)(ana_phone, 2) == [1, 4]
    assert async_to_sync(receive)(luis, 1) == [3]

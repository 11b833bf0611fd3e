"""The Redis channel layer as settings configure it survives what a websocket process does all
day: sockets that wait for hours with nothing to receive, and many sockets joining or leaving
at once. With redis-py's defaults (5 s socket timeout against channels_redis's 5 s BZPOPMIN) an
idle receive timed out and its socket closed with 1011; with its default pool of 100
connections, mass leaves failed with MaxConnectionsError."""

import asyncio

import pytest
import pytest_asyncio
from channels.layers import channel_layers
from channels_redis.core import RedisChannelLayer
from django.conf import settings

from chat.layer import LAYER_CONCURRENCY

pytestmark = pytest.mark.redis

# Longer than redis-py's default socket timeout (5 s) and than one BZPOPMIN (5 s).
IDLE_SECONDS = 7.0


@pytest_asyncio.fixture
async def layer():
    layer = channel_layers.make_backend("default")
    assert isinstance(layer, RedisChannelLayer)
    yield layer
    await layer.flush()


@pytest.mark.asyncio
async def test_an_idle_receive_outlives_the_socket_timeout_and_still_gets_its_message(layer):
    channel = await layer.new_channel()
    waiting = asyncio.create_task(layer.receive(channel))
    done, _ = await asyncio.wait([waiting], timeout=IDLE_SECONDS)
    # Before the fix the receive ended here with redis.exceptions.TimeoutError.
    assert not done, waiting.exception()
    await layer.send(channel, {"type": "realtime.event", "event": {"type": "ping"}})
    message = await asyncio.wait_for(waiting, 5)
    assert message == {"type": "realtime.event", "event": {"type": "ping"}}


def test_socket_timeout_leaves_room_above_the_blocking_pop():
    (host,) = settings.CHANNEL_LAYERS["default"]["CONFIG"]["hosts"]
    assert host["socket_timeout"] >= 2 * RedisChannelLayer.brpop_timeout
    # The consumer's bound on concurrent group joins/leaves fits in the pool with room to spare
    # for the receive loop.
    assert host["max_connections"] >= 2 * LAYER_CONCURRENCY


@pytest.mark.asyncio
async def test_a_thousand_channels_join_and_leave_at_once_through_the_consumer_gate(layer):
    from chat.layer import layer_gate

    channels = [await layer.new_channel() for _ in range(1000)]

    async def gated(operation, channel):
        async with layer_gate():
            await operation("user.gate-test", channel)

    await asyncio.gather(*(gated(layer.group_add, c) for c in channels))
    await asyncio.gather(*(gated(layer.group_discard, c) for c in channels))
    pool = layer.connection(0).connection_pool
    assert len(pool._available_connections) + len(pool._in_use_connections) <= LAYER_CONCURRENCY


@pytest.mark.asyncio
async def test_a_burst_to_many_sockets_of_one_process_is_not_dropped(layer):
    """Every channel of one process shares one Redis inbox; its capacity is per inbox. At
    channels_redis's default (100) the rest of a burst was dropped without an error."""
    channels = [await layer.new_channel() for _ in range(300)]
    for n, channel in enumerate(channels):
        await layer.group_add(f"user.burst-{n}", channel)
    for n in range(len(channels)):
        await layer.group_send(f"user.burst-{n}", {"type": "realtime.event", "n": n})

    received = [await asyncio.wait_for(layer.receive(c), 5) for c in channels]

    assert [message["n"] for message in received] == list(range(300))

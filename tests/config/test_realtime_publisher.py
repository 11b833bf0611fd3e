"""config.realtime hands events over without blocking the request thread, and they still arrive:
in order, on the configured layer, and never at the price of a hung request when the server's
event loop has stopped (a Daphne shutting down)."""

import asyncio
import logging
import socket
import threading
import time

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.layers import get_channel_layer
from django.db import connections

from config import realtime

# Outside a transaction, as after a service's commit: on_commit callbacks run at once.
pytestmark = pytest.mark.django_db(transaction=True)

IN_MEMORY = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
USER_ID = "5f0c6b1e-8a0e-4c55-9a4e-1c2b3d4e5f60"


@pytest.fixture(params=["in-memory", pytest.param("redis", marks=pytest.mark.redis)])
def layer(request, settings):
    """The channel layer under test: in-memory always, Redis when REDIS_URL is set."""
    if request.param == "in-memory":
        settings.CHANNEL_LAYERS = IN_MEMORY
    else:
        assert settings.CHANNEL_LAYERS["default"]["BACKEND"].startswith("channels_redis")
    return get_channel_layer()


class Inbox:
    """A channel in the user's group on `layer`; `read()` returns what was sent to it so far."""

    def __init__(self, layer):
        self.layer = layer
        self.channel = async_to_sync(layer.new_channel)()
        async_to_sync(layer.group_add)(realtime.user_group(USER_ID), self.channel)

    def read(self) -> list[dict]:
        assert realtime.flush(timeout=5), "events handed over were not sent within 5 s"
        end = {"type": "test.end"}

        async def drain():
            await self.layer.send(self.channel, end)
            frames = []
            while (message := await self.layer.receive(self.channel)) != end:
                frames.append(message["event"])
            return frames

        return async_to_sync(drain)()


def publish_now(n: int) -> dict:
    """What a service does, outside a transaction (on_commit runs at once)."""
    frame = {"task": {"id": USER_ID, "n": n}}
    realtime.publish(USER_ID, "task.updated", frame)
    return {"type": "task.updated", **frame}


def test_a_users_events_arrive_in_the_order_they_were_published(layer):
    inbox = Inbox(layer)
    sent = [publish_now(n) for n in range(60)]
    assert inbox.read() == sent


@pytest.fixture
def unanswering_redis(settings):
    """A Redis layer pointed at a server that accepts connections and never answers, with a
    publisher of its own; everything is put back afterwards."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    host, port = listener.getsockname()
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [f"redis://{host}:{port}/0"], "prefix": "unanswering"},
        }
    }
    realtime._forget_inherited_state()  # a publisher that builds its layer from these settings
    yield
    realtime._forget_inherited_state()  # the stuck one is left to time out on its own
    listener.close()


@pytest.mark.redis
def test_publishing_does_not_wait_for_redis(unanswering_redis):
    sent = [publish_now(n) for n in range(60)]

    # Every publish returned although not one event could be sent: the request never waits
    # for the network. (Before the publisher thread, the first publish blocked until the
    # connection attempt failed.)
    assert len(sent) == 60
    assert not realtime.flush(timeout=0.5)


def _publish_from_a_request_thread_after_the_loop_stopped() -> float | None:
    """Publish the way a sync view under Daphne does (in a worker thread started by
    sync_to_async from the server's event loop, with the chat consumer's loop bound), after that
    loop has stopped, as it does when Daphne gets SIGTERM mid-request. Returns how long the
    publish took (None: it had not returned after 3 s)."""
    loop = asyncio.new_event_loop()
    in_view, loop_stopped, returned = threading.Event(), threading.Event(), threading.Event()
    took = {}

    def view():
        in_view.set()
        loop_stopped.wait(5)
        try:
            started = time.monotonic()
            publish_now(0)
            took["seconds"] = time.monotonic() - started
            returned.set()
        finally:
            connections.close_all()  # this thread's, as Django does at the end of a request

    async def server():
        realtime.bind_loop(asyncio.get_running_loop())  # as ChatConsumer.connect does
        request = asyncio.ensure_future(sync_to_async(view, thread_sensitive=False)())
        while not in_view.is_set():
            await asyncio.sleep(0.01)
        return request  # left running in its thread while the loop stops

    request = loop.run_until_complete(server())
    loop_stopped.set()
    seconds = took.get("seconds") if returned.wait(3) else None
    # Let the loop run again so that a publish stuck waiting for it (the old code) finishes
    # and its thread does not outlive the test; then close it.
    loop.run_until_complete(asyncio.wait([request], timeout=5))
    loop.close()
    return seconds


def test_publishing_after_the_servers_loop_stopped_returns_at_once_and_logs(caplog, settings):
    settings.CHANNEL_LAYERS = IN_MEMORY
    inbox = Inbox(get_channel_layer())

    with caplog.at_level(logging.WARNING, logger="config.realtime"):
        seconds = _publish_from_a_request_thread_after_the_loop_stopped()

    assert seconds is not None, "publish hung on the stopped event loop"
    assert seconds < 0.5
    assert any("event loop has stopped" in r.getMessage() for r in caplog.records), caplog.text
    # Nothing is lost for listeners that are still there: the publisher thread sent it.
    assert inbox.read() == [{"type": "task.updated", "task": {"id": USER_ID, "n": 0}}]


@pytest.mark.redis
def test_publishing_with_redis_after_the_servers_loop_stopped_returns_at_once():
    layer = get_channel_layer()
    inbox = Inbox(layer)

    seconds = _publish_from_a_request_thread_after_the_loop_stopped()

    assert seconds is not None, "publish hung on the stopped event loop"
    assert seconds < 0.5
    assert inbox.read() == [{"type": "task.updated", "task": {"id": USER_ID, "n": 0}}]


@pytest.mark.redis
def test_ending_every_session_closes_every_users_sockets_however_many_there_are(
    settings, caplog, django_user_model
):
    """Three times the publisher's queue: none of the closes is dropped (they were, past the
    1,000th, when the command handed them all over at once)."""
    from accounts.sessions import sessions_end_all

    assert settings.CHANNEL_LAYERS["default"]["BACKEND"].startswith("channels_redis")
    django_user_model.objects.bulk_create(
        [django_user_model(email=f"u{n}@example.com", name=f"U{n}") for n in range(3 * 1000)]
    )
    with caplog.at_level(logging.WARNING):
        assert sessions_end_all() == 3000
    assert realtime.flush(timeout=10)
    assert not [r for r in caplog.records if "dropped" in r.getMessage()]
    assert not [r for r in caplog.records if "were not all sent" in r.getMessage()]

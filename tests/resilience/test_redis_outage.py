# ruff: noqa: F811  (pytest fixtures imported from tests.ws.fixtures, used as arguments)
"""Redis away, in this process: throttles fail open (a warning, not a 500) and count again once
it is back, readiness names the parts that need it, and a socket rides out the outage and gets
live updates again after Redis restarts empty, without reconnecting.

Redis is a server of this module's own (tests/resilience/servers.py), killed and started again
on the same port; nothing of ours is mocked. The same on real servers: test_servers.py.
"""

import asyncio
import logging
import time

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.db.models import F

from accounts.models import User
from accounts.sessions import sessions_revoke
from config.outage import FailOpenCache
from config.realtime import MESSAGE_TYPE, user_group
from config.ws_auth import CLOSE_UNAUTHENTICATED
from tests.conftest import PASSWORD
from tests.ws.client import communicator, open_ready, receive, receive_close
from tests.ws.fixtures import token  # noqa: F401

# Generous: how long Redis may take to come back and the sockets to join their groups again
# (a pause of at most chat.layer.RETRY_MAX_SECONDS); a deadline, not a measurement.
RECOVERY_SECONDS = 30


@pytest.fixture
def redis_everywhere(own_redis, settings):
    """The cache and the channel layer of this process on the module's own Redis."""
    settings.CACHES = {
        "default": {
            **settings.CACHES["default"],
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": own_redis.url,
        }
    }
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                **settings.CHANNEL_LAYERS["default"].get("CONFIG", {}),
                "hosts": [{"address": own_redis.url, "socket_timeout": 15.0}],
            },
        }
    }
    yield own_redis
    if own_redis.process is None:  # a test that failed with Redis stopped
        own_redis.start()


@pytest.mark.django_db
def test_throttles_fail_open_while_redis_is_down_and_count_again_after(
    user, anon_client, redis_everywhere, settings, monkeypatch, caplog
):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "login_email_ip": "2/min"}
    monkeypatch.setattr(FailOpenCache, "retry_seconds", 0)  # ask Redis again at once
    wrong = {"email": "nadie@example.com", "password": "incorrecta"}

    def attempts(n):
        return [anon_client.post("/api/v1/auth/login", wrong).status_code for _ in range(n)]

    before = attempts(3)
    redis_everywhere.stop()
    with caplog.at_level(logging.WARNING, logger="config.outage"):
        during = attempts(5)
        right = anon_client.post("/api/v1/auth/login", {"email": user.email, "password": PASSWORD})
    redis_everywhere.start()  # empty: the counters are gone
    after = attempts(3)

    assert before == [401, 401, 429]
    assert during == [401] * 5  # neither 429 nor 500
    assert right.status_code == 200
    assert after == [401, 401, 429]
    assert "throttle cache (Redis) unavailable" in caplog.text
    assert "throttles are off" in caplog.text


@pytest.mark.django_db
def test_summary_requests_are_queued_while_redis_is_down_and_deduplicated_after(
    api_client, user, redis_everywhere, settings, monkeypatch, django_capture_on_commit_callbacks
):
    """The "a job is queued" mark lives in the cache: without it every request is queued
    (at worst a duplicate job), never refused."""
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    monkeypatch.setattr(FailOpenCache, "retry_seconds", 0)  # ask Redis again at once
    path = f"/api/v1/summaries/{user.local_now().date().isoformat()}/generate"

    def generate(n):
        with django_capture_on_commit_callbacks(execute=True):
            replies = [api_client.post(path) for _ in range(n)]
        return [(reply.status_code, reply.json()["status"]) for reply in replies]

    redis_everywhere.stop()
    during = generate(2)
    redis_everywhere.start()
    after = generate(2)

    assert during == [(202, "queued")] * 2
    assert after == [(202, "queued"), (202, "already_queued")]
    assert DBTaskResult.objects.filter(task_path="summaries.tasks.generate_summary").count() == 3


@pytest.mark.django_db
def test_ready_names_the_channel_layer_and_the_cache_while_redis_is_down(client, redis_everywhere):
    redis_everywhere.stop()
    down = client.get("/health/ready", HTTP_ACCEPT_LANGUAGE="en")
    redis_everywhere.start()
    up = client.get("/health/ready")

    assert down.status_code == 503
    body = down.json()
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["channel_layer"].startswith("error: ")
    assert body["checks"]["cache"].startswith("error: ")
    assert body["error"]["message"] == "Failing checks: channel_layer, cache"
    assert up.status_code == 200


# -- sockets ------------------------------------------------------------------------------------
async def publish_until_received(socket, user_id) -> dict:
    """Publish a live update every half second until the socket gets one (Redis is back and the
    socket has joined its group again); fails after RECOVERY_SECONDS."""
    layer = get_channel_layer()
    deadline = time.monotonic() + RECOVERY_SECONDS
    n = 0
    while time.monotonic() < deadline:
        n += 1
        event = {"type": "task.deleted", "task_id": f"after-{n}"}
        try:
            await layer.group_send(user_group(user_id), {"type": MESSAGE_TYPE, "event": event})
        except Exception:  # Redis still starting: try again
            pass
        if not await socket.receive_nothing(timeout=0.5):
            return await receive(socket)
    pytest.fail(f"no live update within {RECOVERY_SECONDS} s of Redis coming back")


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_a_socket_rides_out_a_redis_restart_and_gets_live_updates_again(
    user, token, redis_everywhere, caplog
):
    caplog.set_level(logging.INFO)
    socket = await open_ready(token)
    layer = get_channel_layer()
    before = {"type": "task.deleted", "task_id": "before"}
    await layer.group_send(user_group(user.id), {"type": MESSAGE_TYPE, "event": before})
    assert await receive(socket) == before

    redis_everywhere.stop()
    await asyncio.sleep(0.5)  # the consumer's pending receive fails meanwhile
    await socket.send_json_to({"type": "ping"})
    assert await receive(socket) == {"type": "pong"}  # open, and answering
    redis_everywhere.start()  # empty: the socket's group membership is gone

    after = await publish_until_received(socket, user.id)

    assert after["type"] == "task.deleted"
    assert after["task_id"].startswith("after-")
    assert "channel layer (Redis) unavailable" in caplog.text
    # Logged when every socket of the process has joined again: a round after this one's
    # join if the layer failed once more meanwhile.
    deadline = time.monotonic() + RECOVERY_SECONDS
    while "joined their groups again" not in caplog.text and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
    assert "joined their groups again" in caplog.text
    await socket.disconnect()


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_a_socket_opened_while_redis_is_down_is_ready_and_joins_when_it_is_back(
    user, token, redis_everywhere
):
    redis_everywhere.stop()
    socket = communicator(token=token)
    connected, _ = await socket.connect()
    assert connected
    assert await receive(socket) == {"type": "ready"}
    redis_everywhere.start()

    after = await publish_until_received(socket, user.id)

    assert after["task_id"].startswith("after-")
    await socket.disconnect()


def _revoke(user, how: str) -> None:
    if how == "logout_all":
        sessions_revoke(user=User.objects.get(pk=user.pk), reason="logout_all")
    else:  # the generation moved on by another path (as a deploy script or the shell would)
        User.objects.filter(pk=user.pk).update(token_generation=F("token_generation") + 1)


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("how", ["logout_all", "token_generation"])
async def test_a_session_revoked_while_redis_is_down_ends_the_socket_when_it_is_back(
    user, token, redis_everywhere, how
):
    socket = await open_ready(token)
    redis_everywhere.stop()
    await asyncio.sleep(0.5)  # the consumer's pending receive fails meanwhile
    # Its `session.end` goes nowhere: Redis is away.
    await database_sync_to_async(_revoke)(user, how)
    redis_everywhere.start()

    # Live updates are published until the socket answers with anything.
    layer = get_channel_layer()
    deadline = time.monotonic() + RECOVERY_SECONDS
    while await socket.receive_nothing(timeout=0.5):
        assert time.monotonic() < deadline, "the socket neither closed nor got an update"
        event = {"type": "task.deleted", "task_id": "after"}
        try:
            await layer.group_send(user_group(user.id), {"type": MESSAGE_TYPE, "event": event})
        except Exception:  # Redis still starting: try again
            pass

    assert await receive(socket) == {"type": "session.ended", "reason": "revoked"}
    assert await receive_close(socket) == CLOSE_UNAUTHENTICATED
    await socket.disconnect()

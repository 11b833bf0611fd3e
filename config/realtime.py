"""Live updates: publish an event to every open socket of one user, after commit.

Apps below chat (tasks, goals, checkins) announce changes here instead of importing chat; the
chat consumer joins `user_group(user_id)` and forwards each event as a websocket frame. With
the Redis channel layer the event reaches sockets served by any process.

Publishing must cost the request almost nothing and must never hang it. It used to call
`async_to_sync(layer.group_send)` per event: a new event loop and a new Redis connection each
time (~7 ms), and under Daphne, whose sync views run in threads that hand async work back to
the server's loop, a request publishing while the server shut down waited forever for a loop
that had stopped. Now the request thread only hands the event over, in one of two ways:

- Redis layer (production, several processes): a queue read by one long-lived daemon thread
  per process that sends through synchronous Redis clients of its own (SyncRedisGroupSender:
  the layer's group_send without an event loop, about a third of its CPU; other layers get an
  event loop of the thread's own). It sends events in the order they were queued, so a user's
  events arrive in the order they were committed; the events already waiting are sent as one
  batch (their groups' members looked up in one round trip). The queue is bounded: when Redis
  is slow or down, events are dropped with a warning rather than piling up in memory; a live
  update is a courtesy, the committed change is what counts. An event that cannot be sent
  because Redis is away is dropped too, with a warning every few seconds (not a traceback per
  event) and a line when Redis answers again; the next event reconnects. The thread starts on
  first use and again in a forked child (a server's worker process) or if it ever died.
- In-memory layer (development, one Daphne process): the layer is plain Python objects whose
  queues wake consumers on the loop they wait on, so the event must be sent on that loop. The
  chat consumer registers its running loop with `bind_loop()`, and the request thread schedules
  the send there with `call_soon_threadsafe`. With no running consumer loop (tests that listen
  on the layer directly, a loop that has stopped) the publisher thread sends it instead.

`flush(timeout)` waits for what was handed over to be sent: for tests, and at process exit
(bounded, so shutdown never waits on Redis).
"""

import asyncio
import atexit
import logging
import os
import queue
import threading
import time

import orjson
import redis
from channels.layers import (
    DEFAULT_CHANNEL_LAYER,
    InMemoryChannelLayer,
    channel_layers,
    get_channel_layer,
)
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction

from config.outage import OutageLog
from config.realtime_redis import SEND_TIMEOUT_SECONDS, SyncRedisGroupSender

logger = logging.getLogger(__name__)

# The channel-layer message type the consumer handles (method `realtime_event`).
MESSAGE_TYPE = "realtime.event"
# The one that closes a user's sockets when their sessions are revoked (method `session_end`).
SESSION_END_MESSAGE_TYPE = "session.end"
# Events waiting for the publisher thread. A burst of timer switches is a few events per
# request; a thousand waiting means Redis is not keeping up, and older events are stale anyway.
QUEUE_SIZE = 1000
# Events sent together when they are already waiting (one member lookup for all of them).
PUBLISH_BATCH = 64
# At most one warning about dropped events per this many seconds.
DROP_LOG_SECONDS = 10.0
# What process exit waits for events still queued: enough for Redis, short for a shutdown.
EXIT_FLUSH_SECONDS = 1.0


# A send that failed for one of these found Redis away (refused, reset, timed out, loading).
REDIS_UNAVAILABLE = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError)
redis_log = OutageLog("live update publishing (Redis)", "live updates are dropped")


def user_group(user_id) -> str:
    return f"user.{user_id}"


def publish(user_id, event_type: str, payload: dict) -> None:
    """Send `{"type": event_type, **payload}` to the user's sockets once the transaction commits.

    The payload is made plain JSON now (ids and primitives, not model objects), so what is sent
    is what was true at commit time and it survives the Redis layer's msgpack encoding.
    """
    frame = orjson.loads(
        orjson.dumps({"type": event_type, **payload}, default=_json_default, option=_JSON_OPTIONS)
    )
    transaction.on_commit(lambda: _send(str(user_id), frame))


# DjangoJSONEncoder's rules (its date-time and Decimal forms) at orjson's speed: this runs
# inside the services' transactions, while the user's timer lock is held.
_json_default = DjangoJSONEncoder().default
_JSON_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_NON_STR_KEYS


def bind_loop(loop: asyncio.AbstractEventLoop) -> None:
    """Deliver in-memory events on `loop`, where this process's consumers wait for them.
    Called by the chat consumer on connect; a process serves its sockets from one loop."""
    global _consumer_loop
    _consumer_loop = loop


def flush(timeout: float = 5.0) -> bool:
    """Wait up to `timeout` seconds for every event handed over so far to be sent; True when
    none is left. Tests call it before reading what was published."""
    return _in_flight.wait(timeout)


def end_sessions(user_id, reason: str) -> None:
    """Once the transaction commits, close every open socket of the user, in every process
    (the consumer's `session_end` handler closes with 4001): their sessions were revoked."""
    frame = {"type": "session.ended", "reason": reason}
    transaction.on_commit(lambda: _send(str(user_id), frame, SESSION_END_MESSAGE_TYPE))


def _send(user_id: str, frame: dict, message_type: str = MESSAGE_TYPE) -> None:
    """Hand one event over for sending; returns at once, whatever the layer's state."""
    layer = get_channel_layer()
    if layer is None:
        return
    group, message = user_group(user_id), {"type": message_type, "event": frame}
    try:
        if isinstance(layer, InMemoryChannelLayer):
            if not _send_on_consumer_loop(layer, group, message):
                _publisher().submit(layer, group, message)
        else:
            # None: the publisher's own instance of the configured layer.
            _publisher().submit(None, group, message)
    except Exception:
        # A live update is a courtesy: the change is committed; never fail the request for it.
        logger.exception("realtime publish failed for %s", frame.get("type"))


# -- in-memory layer: on the consumers' loop ----------------------------------------------------
_consumer_loop: asyncio.AbstractEventLoop | None = None
# Sends scheduled on the consumers' loop, kept referenced until done (asyncio holds tasks weakly).
_loop_tasks: set[asyncio.Task] = set()


def _send_on_consumer_loop(layer, group: str, message: dict) -> bool:
    """Schedule the send on the bound consumer loop; False when there is no running one."""
    global _consumer_loop
    loop = _consumer_loop
    if loop is None:
        return False
    if not loop.is_running():
        _consumer_loop = None
        logger.warning("realtime: the websocket consumers' event loop has stopped; unbound it")
        return False
    _in_flight.add()
    try:
        loop.call_soon_threadsafe(_start_loop_send, layer, group, message)
    except RuntimeError:
        # Closed between the check and the call (a shutting-down server).
        _in_flight.done()
        _consumer_loop = None
        logger.warning("realtime: the websocket consumers' event loop is closed; unbound it")
        return False
    return True


def _start_loop_send(layer, group: str, message: dict) -> None:
    task = asyncio.ensure_future(layer.group_send(group, message))
    _loop_tasks.add(task)
    task.add_done_callback(_loop_send_done)


def _loop_send_done(task: asyncio.Task) -> None:
    _loop_tasks.discard(task)
    _in_flight.done()
    if not task.cancelled() and task.exception() is not None:
        logger.error("realtime publish failed", exc_info=task.exception())


# -- every other case: the publisher thread -----------------------------------------------------
class _InFlight:
    """How many events were handed over and not yet sent (or given up on), for flush()."""

    def __init__(self):
        self._count = 0
        self._changed = threading.Condition()

    def add(self) -> None:
        with self._changed:
            self._count += 1

    def done(self) -> None:
        with self._changed:
            self._count -= 1
            if self._count <= 0:
                self._changed.notify_all()

    def wait(self, timeout: float) -> bool:
        with self._changed:
            return self._changed.wait_for(lambda: self._count <= 0, timeout)


class _Publisher:
    """One daemon thread with a channel layer of its own (sent through SyncRedisGroupSender, or
    an event loop of its own for other layers), sending queued events in order; events already
    waiting go together, so that their member lookups share one round trip."""

    def __init__(self):
        self.pid = os.getpid()
        # The counter of the process state this thread belongs to: after a reset (a fork, a
        # test) a thread still finishing old sends must not count them against the new one.
        self.in_flight = _in_flight
        self.queue: queue.Queue = queue.Queue(maxsize=QUEUE_SIZE)
        self.drop_lock = threading.Lock()
        self.drops = 0
        self.drop_logged_at = -DROP_LOG_SECONDS
        self.thread = threading.Thread(target=self._run, name="realtime-publisher", daemon=True)
        self.thread.start()

    def alive(self) -> bool:
        return self.pid == os.getpid() and self.thread.is_alive()

    def submit(self, layer, group: str, message: dict) -> None:
        self.in_flight.add()
        try:
            self.queue.put_nowait((layer, group, message))
        except queue.Full:
            self.in_flight.done()
            self._dropped(message)

    def _dropped(self, message: dict) -> None:
        # One line per DROP_LOG_SECONDS, not per event: when Redis stalls, a busy process
        # would otherwise log every request.
        with self.drop_lock:
            self.drops += 1
            now = time.monotonic()
            if now - self.drop_logged_at < DROP_LOG_SECONDS:
                return
            drops, self.drops, self.drop_logged_at = self.drops, 0, now
        logger.warning(
            "realtime: %d events already waiting to be sent; dropped %d (the last: %s)",
            QUEUE_SIZE,
            drops,
            message["event"].get("type"),
        )

    def _next_batch(self) -> list[tuple]:
        """The next event (waiting for it) and the events already queued behind it, up to
        PUBLISH_BATCH: under load one Redis round trip looks up the members of them all."""
        batch = [self.queue.get()]
        while len(batch) < PUBLISH_BATCH:
            try:
                batch.append(self.queue.get_nowait())
            except queue.Empty:
                break
        return batch

    def _run(self) -> None:
        loop = None
        own_layer = sync_sender = None
        try:
            while True:
                batch = self._next_batch()
                try:
                    if own_layer is None and any(layer is None for layer, _, _ in batch):
                        own_layer = channel_layers.make_backend(DEFAULT_CHANNEL_LAYER)
                        sync_sender = SyncRedisGroupSender.for_layer(own_layer)
                    batch = [(own_layer if lr is None else lr, g, m) for lr, g, m in batch]
                    if sync_sender is not None and all(lr is own_layer for lr, _, _ in batch):
                        sync_sender.group_send_many(
                            [(group, message) for _, group, message in batch]
                        )
                    else:
                        loop = loop or asyncio.new_event_loop()
                        for layer, group, message in batch:
                            loop.run_until_complete(
                                asyncio.wait_for(
                                    layer.group_send(group, message), SEND_TIMEOUT_SECONDS
                                )
                            )
                    redis_log.recovered()
                except REDIS_UNAVAILABLE as exc:
                    redis_log.failed(exc)
                except Exception:
                    groups = sorted({group for _, group, _ in batch})
                    logger.exception("realtime publish failed for %s", ", ".join(groups))
                finally:
                    for _ in batch:
                        self.in_flight.done()
        finally:
            if loop is not None:
                loop.close()


_publisher_instance: _Publisher | None = None
_publisher_lock = threading.Lock()


def _publisher() -> _Publisher:
    global _publisher_instance
    publisher = _publisher_instance
    if publisher is not None and publisher.alive():
        return publisher
    with _publisher_lock:
        if _publisher_instance is None or not _publisher_instance.alive():
            if _publisher_instance is not None and _publisher_instance.pid == os.getpid():
                logger.warning("realtime: the publisher thread had died; started a new one")
            _publisher_instance = _Publisher()
        return _publisher_instance


_in_flight = _InFlight()


def _forget_inherited_state() -> None:
    """In a forked child (a server's worker process) the parent's thread does not exist and its
    locks may have been held at fork time: start from nothing."""
    global _in_flight, _publisher_instance, _publisher_lock, _consumer_loop
    _in_flight = _InFlight()
    _publisher_instance = None
    _publisher_lock = threading.Lock()
    _consumer_loop = None
    _loop_tasks.clear()


os.register_at_fork(after_in_child=_forget_inherited_state)
atexit.register(flush, EXIT_FLUSH_SECONDS)

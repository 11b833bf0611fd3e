"""The chat consumers' use of the channel layer, made to survive Redis going away.

A socket lives for hours; Redis restarts during updates and networks blip. Channels hands each
consumer's `channel_layer.receive` straight to its dispatch loop, so one layer error
(`ConnectionError` from a restarting Redis, `TimeoutError`) used to end the consumer and close
the socket with 1011. Here:

- `receive()` never raises a layer error: it logs it (a line every few seconds per process,
  not one per socket), waits with a growing pause and asks again. Websocket frames keep being
  served meanwhile; the socket stays open.
- Group membership is kept per event loop (`_Subscriptions`). Redis keeps no data across a
  restart (and any error may mean it restarted), so once an error is seen every socket of the
  process joins its group again, retried with a growing pause until Redis answers. A socket
  that authenticates while Redis is away is ready at once and joins when it can.
- Joins and leaves go through a gate: at most LAYER_CONCURRENCY in flight per process.
- Members are told: `membership_lost()` on every layer error, `membership_restored()` once
  joined again. The chat consumer re-checks its session then (chat/ws_session.py): a
  revocation's `session.end` sent while Redis was away is lost.

What a client sees: no close, no error frame; live updates stop while Redis is away and start
again once it is back (those sent meanwhile are lost; docs/websocket.md).
"""

import asyncio
import logging
import random
import weakref

from config.outage import OutageLog

logger = logging.getLogger(__name__)

# Group joins and leaves in flight at once per process (event loop). Each holds a Redis
# connection of the layer's pool while it runs; without a bound, 1,000 sockets closing together
# (a deploy, a network blip) asked for 1,000 connections and most failed with
# MaxConnectionsError. Kept well below the pool's max_connections (config/settings.py,
# CHANNEL_LAYERS), which also serves the layer's receive loop. Waiting here costs a closing
# socket a few milliseconds.
LAYER_CONCURRENCY = 32
# Pauses between attempts while the layer fails: from the first to the last, doubling.
RETRY_FIRST_SECONDS = 0.5
RETRY_MAX_SECONDS = 5.0

layer_log = OutageLog("channel layer (Redis)", "sockets stay open without live updates")


def _pause(attempt: int) -> float:
    base = min(RETRY_MAX_SECONDS, RETRY_FIRST_SECONDS * 2**attempt)
    # Jitter: a thousand sockets that failed together do not retry together.
    return base * random.uniform(0.5, 1.0)  # noqa: S311 (not security)


class _Subscriptions:
    """This event loop's sockets and their groups, and the task that joins them again."""

    def __init__(self):
        self.gate = asyncio.Semaphore(LAYER_CONCURRENCY)
        # consumer -> (layer, group, channel name); weak, so a consumer that died unnoticed
        # is simply forgotten.
        self.members: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
        self.pending: weakref.WeakSet = weakref.WeakSet()
        self.rejoin_task: asyncio.Task | None = None
        self.failed_again = False

    def failed(self, exc: BaseException) -> None:
        """A layer operation failed: every member may have lost its group, and messages sent to
        it meanwhile (a `session.end` among them) are lost."""
        layer_log.failed(exc)
        for consumer in list(self.members.keys()):
            consumer.membership_lost()
        if self.rejoin_task is None or self.rejoin_task.done():
            self.pending.update(self.members.keys())
            self.rejoin_task = asyncio.get_running_loop().create_task(self._rejoin())
        else:
            self.failed_again = True

    async def _rejoin(self) -> None:
        attempt = 0
        joined = 0
        while True:
            await asyncio.sleep(_pause(attempt))
            if self.failed_again:
                self.failed_again = False
                self.pending.update(self.members.keys())
            batch = list(self.pending)
            results = []
            if batch:
                # One socket first: while Redis is still away that is one failed attempt per
                # round, not one per socket (each costing a connect timeout if unreachable).
                results.append(await self._try_join(batch[0]))
                if results[0] is None:
                    results += await asyncio.gather(*(self._try_join(c) for c in batch[1:]))
            for consumer, error in zip(batch, results, strict=True):
                if error is None:
                    self.pending.discard(consumer)
                    joined += 1
                    if consumer in self.members:
                        consumer.membership_restored()
            errors = [error for error in results if error is not None]
            if errors:
                layer_log.failed(errors[0])
                attempt += 1
            elif not self.pending and not self.failed_again:
                break
            else:
                attempt = 0
        if joined:
            logger.warning("channel layer: %d socket(s) joined their groups again", joined)
            layer_log.recovered()

    async def _try_join(self, consumer) -> Exception | None:
        try:
            await self._join(consumer)
        except Exception as exc:
            return exc
        return None

    async def _join(self, consumer) -> None:
        member = self.members.get(consumer)
        if member is None:
            return  # left meanwhile
        layer, group, channel = member
        async with self.gate:
            await layer.group_add(group, channel)
        if consumer not in self.members:
            # It left while joining: do not leave a membership behind for 24 hours.
            async with self.gate:
                await layer.group_discard(group, channel)


_by_loop: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _subscriptions() -> _Subscriptions:
    loop = asyncio.get_running_loop()
    subscriptions = _by_loop.get(loop)
    if subscriptions is None:
        subscriptions = _by_loop[loop] = _Subscriptions()
    return subscriptions


def layer_gate() -> asyncio.Semaphore:
    return _subscriptions().gate


async def join(consumer, layer, group: str, channel: str) -> None:
    """Add `channel` to `group` now, or as soon as the layer answers again; never raises a
    layer error."""
    subscriptions = _subscriptions()
    subscriptions.members[consumer] = (layer, group, channel)
    try:
        async with subscriptions.gate:
            await layer.group_add(group, channel)
    except Exception as exc:
        subscriptions.pending.add(consumer)
        subscriptions.failed(exc)


async def leave(consumer) -> None:
    """Remove the consumer's channel from its group; a failure is only logged (the membership
    expires with the layer's group_expiry, and events sent to it expire unread)."""
    subscriptions = _subscriptions()
    member = subscriptions.members.pop(consumer, None)
    subscriptions.pending.discard(consumer)
    if member is None:
        return
    layer, group, channel = member
    try:
        async with subscriptions.gate:
            await layer.group_discard(group, channel)
    except Exception as exc:
        logger.warning("could not leave %s on disconnect: %s: %s", group, type(exc).__name__, exc)


async def receive(layer_receive):
    """The next message from the layer (`layer_receive()`), however many layer errors it
    takes; cancelled like any receive when the consumer ends."""
    attempt = 0
    while True:
        try:
            message = await layer_receive()
        except Exception as exc:
            _subscriptions().failed(exc)
            await asyncio.sleep(_pause(attempt))
            attempt += 1
            continue
        return message

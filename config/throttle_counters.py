"""The throttles' counters: sliding windows in the cache (the current fixed window plus the
previous one weighted by how much of it is still inside the window), each a `Counter` of a key,
a limit and a window.

- `take` spends units on counters exactly, one round trip; `give_back` returns units spent.
- `local_counts.take` spends units on one counter counted ahead in the process: a round trip
  only now and then while far from the limit, every time near it (the per-user rate).

Every cache access of the throttles goes through `_add_to_windows` and `_take_back`, inside
`fail_open`: with Redis away a request is let through and a warning logged, instead of a 500
(config/outage.py). The rates and the throttles: config/throttling.py.
"""

import threading
import time
from dataclasses import dataclass, field

from django.core.cache import cache
from django.core.signals import setting_changed
from django.dispatch import receiver

from config.metrics.series import count_throttle_refusal
from config.outage import FailOpenCache, throttle_cache_log

fail_open = FailOpenCache(cache, throttle_cache_log)


@dataclass(frozen=True)
class Counter:
    key: str
    limit: int
    window: int
    # Its THROTTLE_RATES name, for `agente_throttle_refusals_total{scope}` when it refuses.
    scope: str = field(default="", compare=False)


def _window_key(counter: Counter, index: int) -> str:
    return f"{counter.key}:{counter.window}:{index}"


def _redis_client(key: str):
    """The redis-py client behind Django's RedisCache, for one round trip; None for other
    backends (local memory in development and tests without Redis). Kept on Django's cache
    client (one per thread): Django builds a new client object per call, a visible share of
    the cost, all on one connection pool; writes always go to the first server."""
    client = getattr(cache, "_cache", None)
    if not hasattr(client, "get_client"):
        return None
    redis = getattr(client, "_throttle_redis", None)
    if redis is None:
        redis = client._throttle_redis = client.get_client(key, write=True)
    return redis


# INCRBY the current window, EXPIRE it, GET the previous one, for each counter: one command
# (EVALSHA) per request, cheaper than the same as a pipeline.
_ADD_LUA = """
local out = {}
for i = 1, #KEYS, 2 do
  out[#out + 1] = redis.call('INCRBY', KEYS[i], ARGV[1])
  redis.call('EXPIRE', KEYS[i], ARGV[(i + 1) / 2 + 1])
  out[#out + 1] = tonumber(redis.call('GET', KEYS[i + 1]) or '0')
end
return out
"""
_add_script = None


def _run_add_script(redis, keys: list, args: list) -> list:
    # One Script (it knows its SHA); Django's cache hands out a new client object per call,
    # all on the same connection pool, so the client is passed at each call.
    global _add_script
    if _add_script is None:
        _add_script = redis.register_script(_ADD_LUA)
    return _add_script(keys=keys, args=args, client=redis)


def _add_to_windows(counters: list[Counter], amount: int, now: float) -> list[tuple[int, int]]:
    """Add `amount` to each counter's current window; (previous, current) totals after it."""
    keys = []
    for counter in counters:
        index = int(now // counter.window)
        keys.append(
            (
                cache.make_and_validate_key(_window_key(counter, index)),
                cache.make_and_validate_key(_window_key(counter, index - 1)),
            )
        )
    redis = _redis_client(keys[0][0]) if keys else None
    if redis is not None:
        replies = _run_add_script(
            redis,
            keys=[key for pair in keys for key in pair],
            args=[amount, *(2 * counter.window for counter in counters)],
        )
        return [(int(replies[2 * i + 1]), int(replies[2 * i])) for i in range(len(counters))]
    totals = []
    for counter in counters:
        index = int(now // counter.window)
        current = _window_key(counter, index)
        cache.add(current, 0, 2 * counter.window)
        try:
            value = cache.incr(current, amount)
        except ValueError:  # expired between add and incr
            cache.set(current, amount, 2 * counter.window)
            value = amount
        totals.append((int(cache.get(_window_key(counter, index - 1)) or 0), value))
    return totals


def _take_back(counters: list[Counter], amount: int, started: float) -> None:
    """Undo `_add_to_windows(counters, amount, started)` (a refused or successful attempt)."""
    for counter in counters:
        key = _window_key(counter, int(started // counter.window))
        redis = _redis_client(cache.make_and_validate_key(key))
        if redis is not None:
            redis.decrby(cache.make_and_validate_key(key), amount)
            continue
        try:
            cache.decr(key, amount)
        except ValueError:
            pass  # the window has expired: nothing to give back


def _wait_seconds(counter: Counter, previous: int, current: int, amount: int, now: float) -> float:
    """Seconds until `amount` more units fit; 0 when they fit now. The estimate of a sliding
    window is previous x (part of the previous window still inside it) + current."""
    window = counter.window
    elapsed = (now % window) / window
    if previous * (1 - elapsed) + current <= counter.limit:
        return 0.0
    room = counter.limit - current
    if room >= 0 and previous > 0:
        # Within this window, once enough of the previous one has slid out.
        return max(1.0, (1 - room / previous - elapsed) * window)
    # Only in the next window, when this one's count becomes the weighted previous one.
    current_before = max(current - amount, 0)
    if current_before == 0:
        return max(1.0, (1 - elapsed) * window)
    share = min(1.0, max(0.0, 1 - (counter.limit - amount) / current_before))
    return max(1.0, (1 - elapsed + share) * window)


def take(counters: list[Counter], amount: int = 1) -> float:
    """Spend `amount` units on every counter, or none: the seconds to wait when one of them
    is used up (0.0 when the units were spent)."""
    if not counters or amount <= 0:
        return 0.0
    now = time.time()
    totals = fail_open.run(_add_to_windows, counters, amount, now, default=None)
    if totals is None:  # the cache is away: let it through
        return 0.0
    waits = [
        _wait_seconds(counter, previous, current, amount, now)
        for counter, (previous, current) in zip(counters, totals, strict=True)
    ]
    wait = max(waits)
    if wait > 0:
        fail_open.run(_take_back, counters, amount, now)
        for counter, counter_wait in zip(counters, waits, strict=True):
            if counter_wait > 0:
                count_throttle_refusal(counter.scope)
    return wait


def give_back(counters: list[Counter], amount: int, started: float) -> None:
    """Return units spent by `take` at `started` (a password that turned out right)."""
    fail_open.run(_take_back, counters, amount, started)


# -- the per-user rate, counted ahead in each process -------------------------------------------
# Totals read from Redis decide locally for this long: what other processes spent since stays
# unseen at most this long. Short next to a window (under 1% of a minute), long next to a
# request (1.6 ms): a busy user costs one round trip per batch, a slow one one per request.
FRESH_SECONDS = 0.5
# Units a process may admit before it sends them: a round trip per 16 one-unit requests, and
# at most 16 units per process late in Redis (1.3% of the default 1200/min). A limit gets at
# most 1/64 of itself, so limits under 64 units get none: every request round trips, exact.
BATCH = 16


def _batch(limit: int) -> int:
    return min(BATCH, limit // 64)


def _headroom(limit: int) -> int:
    # A quarter of the limit: to push the total from here past the limit unseen, the other
    # processes would have to spend a quarter of it within FRESH_SECONDS.
    return max(limit // 4, _batch(limit))


@dataclass
class _Count:
    index: int  # the window of the last read
    read_at: float
    previous: int  # the totals Redis answered then (with the units sent since)
    current: int
    pending: int = 0  # admitted here since, not sent yet


class LocalCounts:
    """One process's count ahead of Redis for `UserRateThrottle`; threads share it. `take`
    answers like `take([counter], amount)`: locally when the totals Redis last answered are of
    this window and under FRESH_SECONDS old, the units not yet sent stay within a batch and the
    estimate with them stays a headroom below the limit; otherwise with one round trip that
    sends the pending units with the request's own and decides exactly.

    Kept per key and window, the counter's cache keys, not per limit: a changed rate applies
    to the same totals at the next request, and the units pending are still sent."""

    def __init__(self):
        self._lock = threading.Lock()
        self._counts: dict[tuple[str, int], _Count] = {}
        self._pruned_at = 0.0

    def reset(self) -> None:
        with self._lock:
            self._counts.clear()

    def take(self, counter: Counter, amount: int) -> float:
        now = time.time()
        index = int(now // counter.window)
        name = (counter.key, counter.window)
        with self._lock:
            count = self._counts.get(name)
            if count is not None and _fits_locally(count, counter, amount, now, index):
                count.pending += amount
                return 0.0
            unsent = 0
            if count is not None:
                # Units of a window that has slid out count for nothing (nor would they in
                # Redis); those of the previous one go into this window, a batch too many.
                unsent = count.pending if count.index >= index - 1 else 0
                count.current += unsent  # on their way: other threads' estimates see them
                count.pending = 0
            self._prune(now)
        totals = fail_open.run(_add_to_windows, [counter], unsent + amount, now, default=None)
        if totals is None:  # the cache is away: let it through; nothing is counted meanwhile
            with self._lock:
                self._counts.pop(name, None)
            return 0.0
        [(previous, current)] = totals
        wait = _wait_seconds(counter, previous, current, amount, now)
        if wait > 0:  # the request's own units back; the pending ones were admitted requests
            fail_open.run(_take_back, [counter], amount, now)
            current -= amount
            count_throttle_refusal(counter.scope)
        with self._lock:
            count = self._counts.get(name)
            if count is None:
                self._counts[name] = _Count(index, now, previous, current)
            else:  # units admitted here during the round trip stay pending
                count.index, count.read_at = index, now
                count.previous, count.current = previous, current
        return wait

    def _prune(self, now: float) -> None:
        # Once a minute, forget the users whose windows have all slid out.
        if now - self._pruned_at < 60:
            return
        self._pruned_at = now
        self._counts = {
            (key, window): count
            for (key, window), count in self._counts.items()
            if count.index >= int(now // window) - 1
        }


def _fits_locally(count: _Count, counter: Counter, amount: int, now: float, index: int) -> bool:
    if count.index != index or not 0 <= now - count.read_at < FRESH_SECONDS:
        return False
    if count.pending + amount > _batch(counter.limit):
        return False
    elapsed = (now % counter.window) / counter.window
    estimate = count.previous * (1 - elapsed) + count.current + count.pending + amount
    return estimate <= counter.limit - _headroom(counter.limit)


local_counts = LocalCounts()


def reset_local_counts() -> None:
    """Forget this process's counts ahead (tests, after emptying the cache)."""
    local_counts.reset()


@receiver(setting_changed)
def _forget_local_counts(*, setting, **kwargs):
    # Totals read from another cache say nothing about the new one.
    if setting == "CACHES":
        reset_local_counts()

"""The throttles' counters: sliding windows in the cache (the current fixed window plus the
previous one weighted by how much of it is still inside the window), each a `Counter` of a key,
a limit and a window. `take` spends units on them exactly, one round trip; `give_back` returns
units spent. Every cache access of the throttles goes through `_add_to_windows` and
`_take_back`, inside `fail_open`: with Redis away a request is let through and a warning
logged, instead of a 500 (config/outage.py). The rates and the throttles: config/throttling.py.
"""

import time
from dataclasses import dataclass

from django.core.cache import cache

from config.outage import FailOpenCache, throttle_cache_log

fail_open = FailOpenCache(cache, throttle_cache_log)


@dataclass(frozen=True)
class Counter:
    key: str
    limit: int
    window: int


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
    wait = max(
        _wait_seconds(counter, previous, current, amount, now)
        for counter, (previous, current) in zip(counters, totals, strict=True)
    )
    if wait > 0:
        fail_open.run(_take_back, counters, amount, now)
    return wait


def give_back(counters: list[Counter], amount: int, started: float) -> None:
    """Return units spent by `take` at `started` (a password that turned out right)."""
    fail_open.run(_take_back, counters, amount, started)

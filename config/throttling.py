"""Throttles whose rates come from settings.THROTTLE_RATES, read at request time.

Rates are `N/period`, the period `second`, `min`, `hour` or `day`, optionally with a count in
front (`10/15min`: ten per fifteen minutes).

- `IPThrottle`, `EmailThrottle`: every request counts; a view names its scope
  (`throttle_scope = "register"`) and they use the `register_ip` / `register_email` rates.
- `UserThrottle`: every request of a user counts against `<scope>_user` (the assistant's
  `chat_user`).
- `UserRateThrottle`: the default of every authenticated endpoint (REST_FRAMEWORK's
  DEFAULT_THROTTLE_CLASSES). A request costs its view's `throttle_weight` units (1 unless the
  view says otherwise: the time report by the days it spans, the assistant and voice more)
  against the `user` rate; generous, so only a runaway client ever meets it.
- `FailureLimit`: counts failures only (wrong passwords), for login, the admin login and the
  password change. An attempt reserves a unit before the password is checked and gives it back
  when the check succeeds, so successes never count and parallel attempts cannot all slip past
  the check before the first failure is recorded.

The counters are sliding windows (the current fixed window plus the previous one weighted by
how much of it is still inside the window), kept in the cache. Every cache access of this
module goes through `_add_to_windows` and `_take_back`.
"""

import hashlib
import math
import re
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from rest_framework.exceptions import Throttled
from rest_framework.throttling import BaseThrottle, SimpleRateThrottle

from config.client_ip import client_ip
from config.outage import FailOpenCache, throttle_cache_log

_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*(s|sec|second|m|min|minute|h|hour|d|day)s?\s*$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str | None) -> tuple[int, int] | None:
    """`"10/15min"` -> (10, 900): requests allowed and the window in seconds; None for no limit
    (None, or an empty, "none" or "off" setting)."""
    if rate is None or str(rate).strip().lower() in {"", "none", "off"}:
        return None
    found = _RATE.match(str(rate))
    if found is None:
        raise ValueError(f"unreadable throttle rate {rate!r} (use N/[k]second|min|hour|day)")
    count, multiple, unit = found.groups()
    return int(count), int(multiple or 1) * _UNIT_SECONDS[unit[0]]


def hashed_key(scope: str, ident: str) -> str:
    # Hashed: emails and addresses stay out of the cache's key space (and its logs).
    digest = hashlib.sha256(ident.encode()).hexdigest()[:32]
    return f"throttle:{scope}:{digest}"


# -- the counters -----------------------------------------------------------------------------
# Every cache access of the throttles goes through this: with Redis away (or failing) a request
# is let through and a warning logged, instead of a 500 (config/outage.py).
_fail_open = FailOpenCache(cache, throttle_cache_log)


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
    totals = _fail_open.run(_add_to_windows, counters, amount, now, default=None)
    if totals is None:  # the cache is away: let it through
        return 0.0
    wait = max(
        _wait_seconds(counter, previous, current, amount, now)
        for counter, (previous, current) in zip(counters, totals, strict=True)
    )
    if wait > 0:
        _fail_open.run(_take_back, counters, amount, now)
    return wait


def counter(scope: str, ident: str) -> Counter | None:
    """The counter of `ident` under the rate `THROTTLE_RATES[scope]`; None when unlimited."""
    rate = parse_rate(settings.THROTTLE_RATES.get(scope))
    if rate is None:
        return None
    return Counter(key=hashed_key(scope, ident), limit=rate[0], window=rate[1])


class FailureLimit:
    """Failures of one kind of password check, counted per identity (an address, an email with
    an address, a user). `reserve()` before checking the password raises Throttled (429 with
    `retry_after`) when any counter is used up; `succeeded()` after a good password gives the
    reserved unit back, so successes never count."""

    def __init__(self, idents: dict[str, str]):
        counters = (counter(scope, ident) for scope, ident in idents.items())
        self.counters = [c for c in counters if c is not None]
        self.reserved_at: float | None = None

    def reserve(self) -> None:
        started = time.time()
        wait = take(self.counters)
        if wait > 0:
            raise Throttled(wait=wait)
        self.reserved_at = started

    def succeeded(self) -> None:
        if self.reserved_at is not None:
            _fail_open.run(_take_back, self.counters, 1, self.reserved_at)
            self.reserved_at = None


def login_failure_limit(*, prefix: str, request_meta, email) -> FailureLimit:
    """Failures per address (`<prefix>_ip`) and per email from that address
    (`<prefix>_email_ip`): one address cannot try many passwords, and nobody can keep a
    victim's email locked by failing from elsewhere."""
    address = client_ip(request_meta)
    idents = {f"{prefix}_ip": address}
    if isinstance(email, str) and email.strip():
        idents[f"{prefix}_email_ip"] = f"{email.strip().lower()}|{address}"
    return FailureLimit(idents)


# -- DRF throttles --------------------------------------------------------------------------
class _SettingsRateThrottle(SimpleRateThrottle):
    suffix = ""
    # With Redis away every request is let through (and a warning logged) instead of a 500.
    cache = _fail_open

    def allow_request(self, request, view):
        self.scope = f"{getattr(view, 'throttle_scope', 'default')}_{self.suffix}"
        self.rate = self.get_rate()
        parsed = parse_rate(self.rate)
        if parsed is None:
            return True
        self.num_requests, self.duration = parsed
        return super().allow_request(request, view)

    def __init__(self):  # rates are resolved per request, not at construction
        pass

    def get_rate(self):
        return settings.THROTTLE_RATES.get(self.scope)

    def get_ident(self, request):
        return client_ip(request.META)

    def key(self, ident: str) -> str:
        return hashed_key(self.scope, ident)


class IPThrottle(_SettingsRateThrottle):
    suffix = "ip"

    def get_cache_key(self, request, view):
        return self.key(self.get_ident(request))


class EmailThrottle(_SettingsRateThrottle):
    suffix = "email"

    def get_cache_key(self, request, view):
        data = request.data if hasattr(request, "data") else {}
        email = data.get("email") if isinstance(data, dict) else None
        if not isinstance(email, str) or not email.strip():
            return None
        return self.key(email.strip().lower())


class UserThrottle(_SettingsRateThrottle):
    suffix = "user"

    def get_cache_key(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return self.key(self.get_ident(request))
        return self.key(str(request.user.pk))


class UserRateThrottle(BaseThrottle):
    """Every authenticated request spends its view's weight from the user's `user` rate.

    A view sets `throttle_weight` to an int or to a method `(request) -> int`. Anonymous
    requests pass (the public auth endpoints have throttles of their own). One cache round
    trip per request (Redis: one script running INCRBY, EXPIRE and GET).
    """

    def __init__(self):
        self.wait_seconds = 0.0

    def allow_request(self, request, view) -> bool:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return True
        limit = counter("user", str(user.pk))
        if limit is None:
            return True
        self.wait_seconds = take([limit], request_weight(request, view))
        return self.wait_seconds == 0

    def wait(self):
        return self.wait_seconds or None


def request_weight(request, view) -> int:
    """The view's `throttle_weight`: a number, a key of settings.THROTTLE_WEIGHTS or a method
    `(request) -> number`; 1 when it says nothing."""
    weight = getattr(view, "throttle_weight", 1)
    if callable(weight):
        weight = weight(request)
    elif isinstance(weight, str):
        weight = settings.THROTTLE_WEIGHTS.get(weight, 1)
    try:
        return max(1, math.ceil(weight))
    except (TypeError, ValueError):
        return 1

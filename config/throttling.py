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
  against the `user` rate; generous, so only a runaway client ever meets it. Far from the limit
  each process counts ahead and sends its units in batches (`local_counts`).
- `FailureLimit`: counts failures only (wrong passwords), for login, the admin login and the
  password change. An attempt reserves a unit before the password is checked and gives it back
  when the check succeeds, so successes never count and parallel attempts cannot all slip past
  the check before the first failure is recorded. A refused attempt never reaches the hasher.

Every counter of a client counts its network (config/client_ip.client_network): an IPv6 client
by its /64, an IPv4 client by its address.

The counters are sliding windows kept in the cache (config/throttle_counters.py).
"""

import hashlib
import math
import re
import time

from django.conf import settings
from rest_framework.exceptions import Throttled
from rest_framework.throttling import BaseThrottle, SimpleRateThrottle

from config.client_ip import client_network
from config.metrics.series import count_throttle_refusal
from config.throttle_counters import Counter, fail_open, give_back, local_counts, take

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


def counter(scope: str, ident: str) -> Counter | None:
    """The counter of `ident` under the rate `THROTTLE_RATES[scope]`; None when unlimited."""
    rate = parse_rate(settings.THROTTLE_RATES.get(scope))
    if rate is None:
        return None
    return Counter(key=hashed_key(scope, ident), limit=rate[0], window=rate[1], scope=scope)


class FailureLimit:
    """Failures of one kind of password check, counted per identity (a network, an email with
    a network, an email, a user). `reserve()` before checking the password raises Throttled
    (429 with `retry_after`) when any counter is used up; `succeeded()` after a good password
    gives the reserved unit back, so successes never count, and remembers `known_key` (when
    given) for settings.LOGIN_KNOWN_NETWORK_SECONDS."""

    def __init__(self, idents: dict[str, str], *, known_key: str | None = None):
        counters = (counter(scope, ident) for scope, ident in idents.items())
        self.counters = [c for c in counters if c is not None]
        self.reserved_at: float | None = None
        self.known_key = known_key

    def reserve(self) -> None:
        started = time.time()
        wait = take(self.counters)
        if wait > 0:
            raise Throttled(wait=wait)
        self.reserved_at = started

    def succeeded(self) -> None:
        if self.reserved_at is not None:
            give_back(self.counters, 1, self.reserved_at)
            self.reserved_at = None
        if self.known_key is not None:
            fail_open.set(self.known_key, 1, settings.LOGIN_KNOWN_NETWORK_SECONDS)


def login_failure_limit(*, prefix: str, request_meta, email) -> FailureLimit:
    """Failures per network (`<prefix>_ip`), per email from that network (`<prefix>_email_ip`)
    and per email from anywhere (`<prefix>_email`).

    One network cannot try many passwords, nor one email many times; many networks together
    cannot try more than `<prefix>_email` passwords of one email per window. That last counter
    could keep the owner out while an attacker keeps it full, so it does not apply on a network
    the email has signed in from within LOGIN_KNOWN_NETWORK_SECONDS (remembered at each
    success): there the owner meets only the counters of that network. A refused attempt
    counts nothing, so the attacker's own 429s never lengthen the wait.
    """
    network = client_network(request_meta)
    idents = {f"{prefix}_ip": network}
    known_key = None
    if isinstance(email, str) and email.strip():
        email = email.strip().lower()
        idents[f"{prefix}_email_ip"] = f"{email}|{network}"
        known_key = hashed_key(f"{prefix}_known", f"{email}|{network}")
        if not fail_open.get(known_key):
            idents[f"{prefix}_email"] = email
    return FailureLimit(idents, known_key=known_key)


# -- DRF throttles --------------------------------------------------------------------------
class _SettingsRateThrottle(SimpleRateThrottle):
    suffix = ""
    # With Redis away every request is let through (and a warning logged) instead of a 500.
    cache = fail_open

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

    def throttle_failure(self):
        count_throttle_refusal(self.scope)
        return False

    def get_ident(self, request):
        return client_network(request.META)

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
    requests pass (the public auth endpoints have throttles of their own).

    Counted ahead in each process (config/throttle_counters.py `LocalCounts`): a request far
    from the limit is admitted without asking Redis; its units go to Redis with that process's
    next round trip for the user, made by the first request after FRESH_SECONDS (0.5 s) or
    once a BATCH (16 units) is pending. Near the limit (within a quarter of it) every request
    makes the round trip (one script running INCRBY, EXPIRE and GET), so the limit is exact
    there. Units not yet sent are unseen by the other processes: the worst over-admission is
    one batch per process (processes x 16 units), and only when the totals last read were at
    least a quarter of the limit below it. Limits under 64 units round trip on every request,
    exact as the other throttles.
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
        self.wait_seconds = local_counts.take(limit, request_weight(request, view))
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

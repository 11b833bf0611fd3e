"""Password hashers: Argon2 with a bound on how many hashes run at once, and the Node service's
bcrypt hashes."""

import threading
from contextlib import contextmanager
from functools import cache

from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher, BCryptPasswordHasher
from django.utils.encoding import force_bytes


@cache
def _hashing_slots() -> threading.BoundedSemaphore:
    return threading.BoundedSemaphore(settings.PASSWORD_HASHING_CONCURRENCY)


_holding = threading.local()


@contextmanager
def hashing_slot():
    """Hold one of the process's hashing slots (re-entrant per thread).

    The hashers take one themselves; views that check a password take it around the whole
    check instead, before their first query: under Daphne database connections come from a
    small pool, and forty logins each holding a pooled connection while waiting for a slot
    left none for anyone (500 after the pool's timeout). Re-entrant, so bcrypt's verify()
    calling encode(), or a hasher inside such a view, does not wait for a second slot.
    """
    if getattr(_holding, "slot", False):
        yield
        return
    with _hashing_slots():
        _holding.slot = True
        try:
            yield
        finally:
            _holding.slot = False


class _BoundedHashing:
    """At most PASSWORD_HASHING_CONCURRENCY hashes computed at once per process; the others
    wait their turn.

    One Argon2 hash with Django's parameters takes 100 MiB of memory (memory_cost 102400 KiB)
    for its duration. Under Daphne every request runs in a thread of its own, so 40 parallel
    logins (API or admin, known emails or not: Django hashes the password of an unknown email
    too, to take the same time) asked for 4 GiB at once. Bounded, the peak is the bound times
    100 MiB and the extra requests wait a few hundred milliseconds each; the failure throttles
    (config/throttling.py) then stop the attempts of any one address early. Verifying and
    encoding (registration, a password change, the upgrade of an old hash) share the bound.
    """

    def encode(self, password, salt):
        with hashing_slot():
            return super().encode(password, salt)

    def verify(self, password, encoded):
        with hashing_slot():
            return super().verify(password, encoded)


class BoundedArgon2PasswordHasher(_BoundedHashing, Argon2PasswordHasher):
    """Django's Argon2 hasher (same algorithm name and stored format, so every existing hash
    verifies and none is re-encoded) under the concurrency bound."""


class NodeBCryptPasswordHasher(_BoundedHashing, BCryptPasswordHasher):
    """Verifies the Node service's bcrypt hashes, imported as "bcrypt$" + "$2b$10$...".

    Node's `bcrypt` silently uses only the first 72 bytes of a password; the `bcrypt` Python
    package (5.x) raises ValueError for longer ones instead, which would turn the login of such a
    user into a server error. Truncating the same way verifies exactly what Node verified. Django
    never creates hashes with this hasher (Argon2 is first in PASSWORD_HASHERS): a successful
    login upgrades the stored hash to Argon2.
    """

    def encode(self, password, salt):
        return super().encode(force_bytes(password)[:72], salt)

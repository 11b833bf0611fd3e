"""Throttles whose rates come from settings.THROTTLE_RATES, read at request time.

A view names its scope (`throttle_scope = "login"`); `IPThrottle` then uses the `login_ip` rate
keyed by the client's address, `EmailThrottle` the `login_email` rate keyed by the email in the
body, and `UserThrottle` the `<scope>_user` rate keyed by the authenticated user.
"""

import hashlib

from django.conf import settings
from django.core.cache import cache as default_cache
from rest_framework.throttling import SimpleRateThrottle

from config.client_ip import client_ip
from config.outage import FailOpenCache, throttle_cache_log


class _SettingsRateThrottle(SimpleRateThrottle):
    suffix = ""
    # With Redis away every request is let through (and a warning logged) instead of a 500.
    cache = FailOpenCache(default_cache, throttle_cache_log)

    def allow_request(self, request, view):
        self.scope = f"{getattr(view, 'throttle_scope', 'default')}_{self.suffix}"
        self.rate = self.get_rate()
        if self.rate is None:
            return True
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def __init__(self):  # rates are resolved per request, not at construction
        pass

    def get_rate(self):
        return settings.THROTTLE_RATES.get(self.scope)

    def get_ident(self, request):
        return client_ip(request.META)

    def key(self, ident: str) -> str:
        digest = hashlib.sha256(ident.encode()).hexdigest()[:32]
        return f"throttle:{self.scope}:{digest}"


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

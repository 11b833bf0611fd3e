"""Liveness (`/health`, no database) and readiness (`/health/ready`: database, channel layer,
cache and, with the database task backend, the worker's and the scheduler's heartbeats
(config/metrics/heartbeat.py), each named in `checks` so a 503 says which part is away;
docs/api-conventions.md).

Both are also answered by `HealthCheckMiddleware` before Django validates the Host header:
container and load-balancer probes call the app by its internal address (the Dockerfile's
HEALTHCHECK uses 127.0.0.1:8000, Traefik the container's IP), which is not in ALLOWED_HOSTS,
so through the normal stack they would get 400 and the replica would be marked unhealthy.
"""

import asyncio
import os
import re
import uuid

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.cache import cache
from django.db import connections
from django.http import JsonResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from config.exceptions import json_error
from config.metrics import heartbeat

HEALTH_PATH = re.compile(r"^/health/?$")
READY_PATH = re.compile(r"^/health/ready/?$")
CHANNEL_LAYER_TIMEOUT_SECONDS = 3


def _utc_now_iso() -> str:
    return timezone.now().astimezone(timezone.UTC).isoformat().replace("+00:00", "Z")


def _method_not_allowed():
    response = json_error(405, "method_not_allowed", _("Method not allowed."))
    response["Allow"] = "GET, HEAD"
    return response


@csrf_exempt
def health(request):
    """The seed's shape exactly; answers even when the database is down."""
    if request.method not in {"GET", "HEAD"}:
        return _method_not_allowed()
    if settings.HEALTH_DRAIN_FILE and os.path.exists(settings.HEALTH_DRAIN_FILE):
        # Stopping (bin/drain): the load balancer's probe takes this task out of rotation while
        # it still serves what reaches it.
        return JsonResponse(
            {"status": "draining", "timestamp": _utc_now_iso(), "environment": settings.DJANGO_ENV},
            status=503,
        )
    return JsonResponse(
        {"status": "ok", "timestamp": _utc_now_iso(), "environment": settings.DJANGO_ENV}
    )


def _check_database() -> str:
    connection = connections["default"]
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any failure means "not ready"; the reason goes to the operator
        # A broken persistent connection must not be reused by the next request.
        connection.close_if_unusable_or_obsolete()
        return f"error: {type(exc).__name__}"
    return "ok"


async def _channel_layer_roundtrip() -> None:
    layer = get_channel_layer()
    channel = await layer.new_channel()
    token = uuid.uuid4().hex
    await layer.send(channel, {"type": "health.check", "token": token})
    message = await layer.receive(channel)
    if message.get("token") != token:
        raise RuntimeError("channel layer returned another message")


async def _channel_layer_check() -> None:
    await asyncio.wait_for(_channel_layer_roundtrip(), timeout=CHANNEL_LAYER_TIMEOUT_SECONDS)


def _check_channel_layer() -> str:
    try:
        async_to_sync(_channel_layer_check)()
    except Exception as exc:
        return f"error: {type(exc).__name__}"
    return "ok"


def _check_cache() -> str:
    """The throttles' counters (Redis in production). A read is enough: a Redis that answers
    reads answers the throttles' writes."""
    try:
        cache.get("health:ready")
    except Exception as exc:
        return f"error: {type(exc).__name__}"
    return "ok"


@csrf_exempt
def ready(request):
    if request.method not in {"GET", "HEAD"}:
        return _method_not_allowed()
    checks = {
        "database": _check_database(),
        "channel_layer": _check_channel_layer(),
        "cache": _check_cache(),
        # The worker and the scheduler (settings.HEARTBEAT_ROLES): their last heartbeat.
        **heartbeat.ready_checks(),
    }
    ok = all(value == "ok" for value in checks.values())
    body = {"status": "ok" if ok else "unavailable", "timestamp": _utc_now_iso(), "checks": checks}
    if not ok:
        failed = ", ".join(name for name, value in checks.items() if value != "ok")
        body["error"] = {
            "code": "not_ready",
            "message": _("Failing checks: %(checks)s") % {"checks": failed},
        }
    response = JsonResponse(body, status=200 if ok else 503)
    if not ok:
        # A probe every few seconds during an outage: the parts themselves log what failed
        # (config/outage.py); Django would add an ERROR line per probe.
        response._has_been_logged = True
    return response


class HealthCheckMiddleware:
    """Answers the health routes before host validation (see the module docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if HEALTH_PATH.match(request.path_info):
            return health(request)
        if READY_PATH.match(request.path_info):
            # LocaleMiddleware has not run yet: pick the language here, not from whatever the
            # worker thread's previous request left active.
            with translation.override(translation.get_language_from_request(request)):
                return ready(request)
        return self.get_response(request)

"""Liveness (`/health`, no database) and readiness (`/health/ready`, database + channel layer)."""

import asyncio
import uuid

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import connections
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.http import require_GET


def _utc_now_iso() -> str:
    return timezone.now().astimezone(timezone.UTC).isoformat().replace("+00:00", "Z")


@require_GET
def health(request):
    """The seed's shape exactly; answers even when the database is down."""
    return JsonResponse(
        {"status": "ok", "timestamp": _utc_now_iso(), "environment": settings.DJANGO_ENV}
    )


def _check_database() -> str:
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any failure means "not ready"; the reason goes to the operator
        connections["default"].close_if_unusable_or_obsolete()
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
    await asyncio.wait_for(_channel_layer_roundtrip(), timeout=3)


def _check_channel_layer() -> str:
    try:
        async_to_sync(_channel_layer_check)()
    except Exception as exc:
        return f"error: {type(exc).__name__}"
    return "ok"


@require_GET
def ready(request):
    checks = {"database": _check_database(), "channel_layer": _check_channel_layer()}
    ok = all(value == "ok" for value in checks.values())
    body = {"status": "ok" if ok else "unavailable", "timestamp": _utc_now_iso(), "checks": checks}
    if not ok:
        failed = ", ".join(name for name, value in checks.items() if value != "ok")
        body["error"] = {"code": "not_ready", "message": f"Failing checks: {failed}"}
    return JsonResponse(body, status=200 if ok else 503)

"""Reads of a user's devices, always scoped to that user."""

from django.db.models import QuerySet

from accounts.errors import DeviceNotFound
from accounts.models import Device, PushMessage, User
from config.ids import get_by_id


def device_list(*, user: User) -> QuerySet:
    return Device.objects.filter(user=user).order_by("-last_registered_at", "id")


def device_get(*, user: User, device_id) -> Device:
    """One of the user's devices; a missing, malformed or someone else's id is the same 404."""
    return get_by_id(Device.objects.filter(user=user), device_id, DeviceNotFound)


def push_pending_count() -> int:
    """Push messages waiting to be sent: a first try not yet made, or a retry after Expo
    answered 429/5xx (`agente_push_pending`)."""
    return PushMessage.objects.filter(status=PushMessage.Status.PENDING).count()


def push_receipts_pending_count() -> int:
    """Messages Expo accepted whose receipt has not been read yet (`agente_push_receipts_pending`;
    read 15 minutes after sending at the earliest, accounts/push.py)."""
    return (
        PushMessage.objects.filter(status=PushMessage.Status.OK, receipt_status="")
        .exclude(ticket_id="")
        .count()
    )

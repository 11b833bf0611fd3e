"""Reads of a user's devices, always scoped to that user."""

from django.db.models import QuerySet

from accounts.errors import DeviceNotFound
from accounts.models import Device, User
from config.ids import parse_uuid


def device_list(*, user: User) -> QuerySet:
    return Device.objects.filter(user=user).order_by("-last_registered_at", "id")


def device_get(*, user: User, device_id) -> Device:
    """One of the user's devices; a missing, malformed or someone else's id is the same 404."""
    pk = parse_uuid(device_id)
    if pk is None:
        raise DeviceNotFound()
    try:
        return Device.objects.get(pk=pk, user=user)
    except Device.DoesNotExist as exc:
        raise DeviceNotFound() from exc

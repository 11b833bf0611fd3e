"""Reads of a user's devices, always scoped to that user."""

from django.db.models import QuerySet

from accounts.errors import DeviceNotFound
from accounts.models import Device, User
from config.ids import get_by_id


def device_list(*, user: User) -> QuerySet:
    return Device.objects.filter(user=user).order_by("-last_registered_at", "id")


def device_get(*, user: User, device_id) -> Device:
    """One of the user's devices; a missing, malformed or someone else's id is the same 404."""
    return get_by_id(Device.objects.filter(user=user), device_id, DeviceNotFound)

"""Reads of a user's devices, always scoped to that user."""

import uuid

from django.db.models import QuerySet

from accounts.errors import DeviceNotFound
from accounts.models import Device, User


def device_list(*, user: User) -> QuerySet:
    return Device.objects.filter(user=user).order_by("-last_registered_at", "id")


def device_get(*, user: User, device_id) -> Device:
    """One of the user's devices; a missing, malformed or someone else's id is the same 404."""
    try:
        pk = device_id if isinstance(device_id, uuid.UUID) else uuid.UUID(str(device_id))
    except (TypeError, ValueError, AttributeError) as exc:
        raise DeviceNotFound() from exc
    try:
        return Device.objects.get(pk=pk, user=user)
    except Device.DoesNotExist as exc:
        raise DeviceNotFound() from exc

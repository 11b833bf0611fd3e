"""Reads of memories, always scoped to one user."""

from django.db.models import QuerySet

from accounts.models import User
from config.ids import get_by_id
from memories.errors import MemoryNotFound
from memories.models import MAX_PER_USER, Memory


def memory_list(*, user: User) -> QuerySet:
    """The user's memories, newest first."""
    return Memory.objects.filter(user=user).order_by("-created_at", "-id")


def memory_get(*, user: User, memory_id) -> Memory:
    """One of the user's memories; a missing, malformed or someone else's id is the same 404."""
    return get_by_id(Memory.objects.filter(user=user), memory_id, MemoryNotFound)


def memory_texts(*, user: User) -> list[str]:
    """The texts of the user's memories, newest first, for the assistant's prompt: one query
    reading at most MAX_PER_USER short strings."""
    return list(memory_list(user=user).values_list("text", flat=True)[:MAX_PER_USER])

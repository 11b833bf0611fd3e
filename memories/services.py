"""Writes of memories: each owns its transaction and records who acted (`source`).

A memory is written by the person (REST, the admin) or by the assistant's `remember` tool,
which the model may call only on the person's word (its description says so; memories/tools.py).
"""

from django.db import transaction

from accounts.locks import lock_user
from accounts.models import User
from config.sources import check_source
from memories.errors import MemoryLimitReached, MemoryNotFound
from memories.models import MAX_PER_USER, Memory


def _clean(memory: Memory) -> None:
    """Field rules (length, blank) without a query: the primary key is a fresh UUID."""
    memory.full_clean(exclude=["user"], validate_unique=False, validate_constraints=False)


def memory_create(*, user: User, text: str, source: str) -> Memory:
    check_source(source)
    with transaction.atomic():
        # Two saves at once would both count MAX_PER_USER - 1 and pass: the user's row lock
        # makes the second one count after the first has committed.
        lock_user(user.pk)
        if Memory.objects.filter(user=user).count() >= MAX_PER_USER:
            raise MemoryLimitReached()
        memory = Memory(user=user, text=text, source=source)
        _clean(memory)
        memory.save()
    return memory


def memory_update(*, user: User, memory: Memory, text: str, source: str) -> Memory:
    check_source(source)
    if memory.user_id != user.pk:
        raise MemoryNotFound()
    with transaction.atomic():
        # Two devices editing the same memory: the later write wins whole.
        memory = Memory.objects.select_for_update().filter(pk=memory.pk, user=user).first()
        if memory is None:
            raise MemoryNotFound()
        if memory.text == text:
            return memory
        memory.text = text  # `source` stays who saved it
        _clean(memory)
        memory.save()
    return memory


def memory_delete(*, user: User, memory: Memory, source: str) -> None:
    """Deletes the row itself: a forgotten fact is gone, not hidden."""
    check_source(source)
    if memory.user_id != user.pk:
        raise MemoryNotFound()
    with transaction.atomic():
        Memory.objects.filter(pk=memory.pk, user=user).delete()

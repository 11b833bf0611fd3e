"""The assistant's memory tools (how tools are written and run: `config/assistant_tools.py`).

`remember` is the only way the assistant saves a memory, and its description tells the model
when it may: on the person's word (they asked, or said yes to a proposal), never on its own.
What is saved is text, given back to the model as data (chat/prompt.py), so a memory that
reads like an order ("ignore the rules") is just a sentence the person is said to have said.
"""

from __future__ import annotations

from config.assistant_tools import SOURCE, Tool, plain, validated
from memories import selectors, services
from memories.models import MAX_PER_USER, TEXT_MAX_LENGTH
from memories.serializers import MemoryInputSerializer, MemorySerializer


def remember(*, user, text) -> dict:
    data = validated(MemoryInputSerializer, {"text": text}, user=user)
    memory = services.memory_create(user=user, source=SOURCE, **data)
    return {"memory": plain(MemorySerializer(memory).data)}


def list_memories(*, user) -> dict:
    memories = selectors.memory_list(user=user)[:MAX_PER_USER]
    return {"memories": plain(MemorySerializer(memories, many=True).data)}


def forget(*, user, memory_id) -> dict:
    memory = selectors.memory_get(user=user, memory_id=memory_id)
    services.memory_delete(user=user, memory=memory, source=SOURCE)
    return {"forgotten": {"id": str(memory.pk), "text": memory.text}}


TOOLS = [
    Tool(
        "remember",
        'Save a short fact about the user to keep across conversations (e.g. "los lunes '
        'rindo menos"). Only when the user asks you to remember it, or says yes after you '
        "proposed remembering it; never on your own initiative. Write it in the user's words. "
        f"At most {MAX_PER_USER} memories.",
        {"text": {"type": "string", "maxLength": TEXT_MAX_LENGTH}},
        ("text",),
        remember,
    ),
    Tool(
        "list_memories",
        "List the facts you keep about the user, newest first, with their ids.",
        {},
        (),
        list_memories,
    ),
    Tool(
        "forget",
        "Delete one remembered fact for good, when the user asks you to forget it.",
        {"memory_id": {"type": "string", "description": "From list_memories."}},
        ("memory_id",),
        forget,
    ),
]

"""Writes to conversations and messages. Each function is one short transaction; the agent
loop (chat/agent.py) calls them between model calls, never holding a transaction open while
the model streams."""

import json
import re

from django.db import transaction
from django.utils import timezone

from chat.models import Conversation, Message
from chat.selectors import conversation_get

TITLE_MAX_CHARS = 60


def title_from_message(content: str) -> str:
    """A short title from the first message: whitespace collapsed, cut at a word boundary."""
    text = re.sub(r"\s+", " ", content).strip()
    if len(text) <= TITLE_MAX_CHARS:
        return text
    cut = text[: TITLE_MAX_CHARS - 1]
    if " " in cut[TITLE_MAX_CHARS // 2 :]:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,.;:-") + "…"


def _touch(conversation: Conversation) -> None:
    now = timezone.now()
    Conversation.objects.filter(pk=conversation.pk).update(updated_at=now)
    conversation.updated_at = now


@transaction.atomic
def turn_start(*, user, content: str, conversation_id=None, source: str = "text") -> Message:
    """Store the user's message (in a new conversation when no id is given). Another user's
    conversation, or an unknown id, is `not_found`."""
    if conversation_id:
        conversation = conversation_get(user=user, conversation_id=conversation_id)
    else:
        conversation = Conversation.objects.create(user=user, title=title_from_message(content))
    message = Message.objects.create(
        conversation=conversation,
        user=user,
        role=Message.Role.USER,
        content=content,
        source=source,
    )
    _touch(conversation)
    message.conversation = conversation
    return message


def tool_round_record(
    *, user, conversation_id, content: str, tool_calls: list[dict], model: str, usage: tuple
) -> Message:
    """The assistant's message asking for tools (kept to replay the exchange to the model)."""
    return Message.objects.create(
        conversation_id=conversation_id,
        user=user,
        role=Message.Role.ASSISTANT,
        content=content,
        tool_calls=tool_calls,
        model=model,
        prompt_tokens=usage[0],
        completion_tokens=usage[1],
    )


def tool_result_record(*, user, conversation_id, tool_call_id: str, action: dict) -> Message:
    return Message.objects.create(
        conversation_id=conversation_id,
        user=user,
        role=Message.Role.TOOL,
        tool_call_id=tool_call_id,
        content=json.dumps(action["result"], ensure_ascii=False, default=str),
        actions=[action],
    )


@transaction.atomic
def answer_record(
    *,
    user,
    conversation_id,
    content: str,
    actions: list[dict],
    status: str = Message.Status.COMPLETE,
    model: str = "",
    prompt_tokens: int | None = None,
    completion_tokens: int | None = None,
) -> Message:
    """The assistant's final message of a turn (complete, or what was left of it)."""
    message = Message.objects.create(
        conversation_id=conversation_id,
        user=user,
        role=Message.Role.ASSISTANT,
        content=content,
        status=status,
        actions=actions,
        model=model,
        prompt_tokens=prompt_tokens,
        completion_tokens=completion_tokens,
    )
    Conversation.objects.filter(pk=conversation_id).update(updated_at=message.created_at)
    return message


def conversation_update(*, user, conversation: Conversation, title: str) -> Conversation:
    conversation.title = title
    conversation.save(update_fields=["title"])
    return conversation


def conversation_delete(*, user, conversation: Conversation) -> None:
    conversation.delete()

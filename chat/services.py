"""Writes to conversations and messages. Each function is one short transaction; the agent
loop (chat/agent.py) calls them between model calls, never holding a transaction open while
the model streams."""

import json
import re
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from chat import budget
from chat.errors import ConversationBusy
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


def turn_lease() -> timedelta:
    # The turn's own limit plus a margin: the lease only matters when a process died mid-turn.
    return timedelta(seconds=float(settings.ASSISTANT_TURN_TIMEOUT_SECONDS) + 60)


def _claim(conversation: Conversation, token: uuid.UUID) -> None:
    """Mark the conversation as answering the turn `token`, unless another turn holds it.
    A conditional UPDATE: of two racing claims the second waits for the first's row lock, then
    finds the row taken and claims nothing (healthchecks' "claim with an update" pattern)."""
    now = timezone.now()
    claimed = (
        Conversation.objects.filter(pk=conversation.pk)
        .filter(Q(turn_token__isnull=True) | Q(turn_lease_until__lt=now))
        .update(turn_token=token, turn_lease_until=now + turn_lease(), updated_at=now)
    )
    if not claimed:
        raise ConversationBusy()
    conversation.turn_token, conversation.updated_at = token, now


def conversation_check_free(*, user, conversation_id) -> None:
    """404 or 409 `conversation_busy` without claiming: the voice view asks before paying for
    a transcription (the claim itself is made when the turn starts)."""
    conversation = conversation_get(user=user, conversation_id=conversation_id)
    lease = conversation.turn_lease_until
    if conversation.turn_token is not None and lease is not None and lease >= timezone.now():
        raise ConversationBusy()


@transaction.atomic
def turn_start(*, user, content: str, conversation_id=None, source: str = "text") -> Message:
    """Check the user's daily budget (429), claim the conversation for this turn (409 when
    another turn holds it) and store the user's message (in a new conversation when no id is
    given). Another user's conversation, or an unknown id, is `not_found`. Nothing is stored
    when it refuses. The caller releases the claim with `turn_release` when the turn ends."""
    budget.check_budget(user=user)
    token = uuid.uuid4()
    if conversation_id:
        conversation = conversation_get(user=user, conversation_id=conversation_id)
        _claim(conversation, token)
    else:
        now = timezone.now()
        conversation = Conversation.objects.create(
            user=user,
            title=title_from_message(content),
            turn_token=token,
            turn_lease_until=now + turn_lease(),
        )
    message = Message.objects.create(
        conversation=conversation,
        user=user,
        role=Message.Role.USER,
        content=content,
        source=source,
    )
    message.conversation = conversation
    return message


def turn_release(*, conversation_id, token) -> None:
    """The turn `token` is over: the conversation takes the next one. A claim that expired and
    was taken by another turn meanwhile is left alone."""
    Conversation.objects.filter(pk=conversation_id, turn_token=token).update(
        turn_token=None, turn_lease_until=None
    )


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


def tool_results_refused(*, user, conversation_id, refused: list[tuple]) -> None:
    """The results of the calls the tool-call limits did not run (chat/limits.py), in one
    INSERT: a round may hold a hundred. Kept for the replay; they are no actions."""
    Message.objects.bulk_create(
        Message(
            conversation_id=conversation_id,
            user=user,
            role=Message.Role.TOOL,
            tool_call_id=call.id,
            content=json.dumps(action["result"], ensure_ascii=False, default=str),
            actions=[],
        )
        for call, action in refused
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
    turn_token=None,
) -> Message:
    """The assistant's final message of a turn (complete, or what was left of it). With
    `turn_token`, the turn's claim on the conversation ends in the same transaction, so the
    conversation is free before the client hears the answer is done."""
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
    if turn_token is not None:
        turn_release(conversation_id=conversation_id, token=turn_token)
    return message


def conversation_update(*, user, conversation: Conversation, title: str) -> Conversation:
    conversation.title = title
    conversation.save(update_fields=["title"])
    return conversation


def conversation_delete(*, user, conversation: Conversation) -> None:
    conversation.delete()

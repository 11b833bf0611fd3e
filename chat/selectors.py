"""Reads of conversations and messages, always scoped by the user."""

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Substr

from chat.errors import ConversationNotFound, NudgeNotFound
from chat.models import Conversation, Message, Nudge
from config.ids import parse_uuid

PREVIEW_CHARS = 120

# What clients see of a conversation: the user's words and the assistant's final answers
# (not the intermediate tool-calling messages nor the tool results).
VISIBLE = Q(role=Message.Role.USER) | Q(role=Message.Role.ASSISTANT, tool_calls__isnull=True)


def visible_messages() -> QuerySet[Message]:
    return Message.objects.filter(VISIBLE)


def conversation_list(*, user) -> QuerySet[Conversation]:
    """Newest activity first, with `message_count` and `last_message_preview` annotated (one
    query for any number of conversations)."""
    last_visible = (
        Message.objects.filter(VISIBLE, conversation=OuterRef("pk"))
        .order_by("-created_at", "-id")
        .annotate(preview=Substr("content", 1, PREVIEW_CHARS))
        .values("preview")[:1]
    )
    return (
        Conversation.objects.filter(user=user)
        .annotate(
            message_count=Count(
                "messages",
                filter=Q(messages__role=Message.Role.USER)
                | Q(messages__role=Message.Role.ASSISTANT, messages__tool_calls__isnull=True),
            ),
            last_message_preview=Subquery(last_visible),
        )
        .order_by("-updated_at", "-id")
    )


def conversation_get(*, user, conversation_id) -> Conversation:
    conversation_uuid = parse_uuid(conversation_id)
    if conversation_uuid is None:
        raise ConversationNotFound()
    conversation = Conversation.objects.filter(pk=conversation_uuid, user=user).first()
    if conversation is None:
        raise ConversationNotFound()
    return conversation


def conversation_messages(*, conversation: Conversation) -> QuerySet[Message]:
    return visible_messages().filter(conversation=conversation).order_by("created_at", "id")


def recent_messages(*, conversation_id, before: Message, limit: int) -> list[Message]:
    """The last `limit` messages before `before`, oldest first (the prompt's history)."""
    rows = list(
        Message.objects.filter(conversation_id=conversation_id, created_at__lt=before.created_at)
        .exclude(pk=before.pk)
        .order_by("-created_at", "-id")[:limit]
    )
    rows.reverse()
    return rows


def turn_actions(*, conversation_id, since: Message) -> list[dict]:
    """Every tool action recorded in the conversation after `since` (the turn's user
    message), in order."""
    actions: list[dict] = []
    for entry in (
        Message.objects.filter(
            conversation_id=conversation_id,
            role=Message.Role.TOOL,
            created_at__gte=since.created_at,
        )
        .order_by("created_at", "id")
        .values_list("actions", flat=True)
    ):
        actions.extend(entry or [])
    return actions


def turn_answered(*, conversation_id, since: Message) -> bool:
    """Whether a final assistant message was stored after the turn's user message."""
    return Message.objects.filter(
        conversation_id=conversation_id,
        role=Message.Role.ASSISTANT,
        tool_calls__isnull=True,
        created_at__gte=since.created_at,
    ).exists()


def nudge_get(*, user, nudge_id) -> Nudge:
    """One of the user's nudges; a missing, malformed or someone else's id is the same 404."""
    nudge_uuid = parse_uuid(nudge_id)
    nudge = None
    if nudge_uuid is not None:
        nudge = Nudge.objects.filter(pk=nudge_uuid, user=user).first()
    if nudge is None:
        raise NudgeNotFound()
    return nudge


def conversation_nudge(*, conversation_id) -> Nudge | None:
    """The nudge that opened the conversation, with what it asked about, or None."""
    return (
        Nudge.objects.filter(conversation_id=conversation_id).select_related("task", "goal").first()
    )

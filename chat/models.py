import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Conversation(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="conversations",
        verbose_name=_("user"),
    )
    title = models.CharField(_("title"), max_length=120, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    # Bumped whenever a message is added: the list is ordered by latest activity.
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    # The turn being answered, claimed by a conditional UPDATE (chat/services.py turn_claim):
    # one turn at a time per conversation, across REST, sockets and processes. The lease
    # outlives the turn's time limit only so that a process killed mid-turn cannot leave the
    # conversation busy for good.
    turn_token = models.UUIDField(_("turn in progress"), null=True, blank=True, editable=False)
    turn_lease_until = models.DateTimeField(
        _("turn lease until"), null=True, blank=True, editable=False
    )

    class Meta:
        db_table = "conversations"
        ordering = ["-updated_at", "-id"]
        indexes = [models.Index(fields=["user", "-updated_at"], name="conversations_user_recent")]
        verbose_name = _("conversation")
        verbose_name_plural = _("conversations")

    def __str__(self) -> str:
        return self.title or str(self.id)


class Message(models.Model):
    """One entry of a conversation, stored so the exchange can be replayed to the model.

    A turn is: the user's message; for each tool round an assistant message with `tool_calls`
    followed by one `tool` message per call (`tool_call_id`, result in `content`, and the
    action in `actions`); then the final assistant message, whose `actions` lists every tool
    the turn ran. Clients see user messages and final assistant messages (`tool_calls` NULL).
    """

    class Role(models.TextChoices):
        USER = "user", _("user")
        ASSISTANT = "assistant", _("assistant")
        TOOL = "tool", _("tool")

    class Source(models.TextChoices):
        TEXT = "text", _("text")
        VOICE = "voice", _("voice")

    class Status(models.TextChoices):
        COMPLETE = "complete", _("complete")
        # The client went away mid-answer: the text is what had streamed, not a full answer.
        INTERRUPTED = "interrupted", _("interrupted")
        # The model failed mid-answer (upstream error or timeout).
        FAILED = "failed", _("failed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    conversation = models.ForeignKey(
        Conversation,
        on_delete=models.CASCADE,
        related_name="messages",
        verbose_name=_("conversation"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="chat_messages",
        verbose_name=_("user"),
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    content = models.TextField(_("content"), blank=True)
    source = models.CharField(
        _("source"), max_length=8, choices=Source.choices, default=Source.TEXT
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.COMPLETE
    )
    # OpenAI's shape: [{"id", "type": "function", "function": {"name", "arguments"}}].
    # NULL (not an empty list) on every message that did not call tools.
    tool_calls = models.JSONField(_("tool calls"), null=True, blank=True)
    tool_call_id = models.CharField(_("tool call id"), max_length=128, blank=True)
    # [{"tool", "arguments", "result"}]: on a tool message its own run; on a final assistant
    # message every tool run of the turn.
    actions = models.JSONField(_("actions"), default=list, blank=True)
    model = models.CharField(_("model"), max_length=128, blank=True)
    prompt_tokens = models.PositiveIntegerField(_("prompt tokens"), null=True, blank=True)
    completion_tokens = models.PositiveIntegerField(_("completion tokens"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        db_table = "messages"
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["conversation", "created_at"], name="messages_conversation_time"),
            # The daily token budget sums a user's answers of one day before every turn.
            models.Index(fields=["user", "created_at"], name="messages_user_time"),
        ]
        verbose_name = _("message")
        verbose_name_plural = _("messages")

    def __str__(self) -> str:
        return f"{self.role}: {self.content[:40]}"

    @property
    def is_visible(self) -> bool:
        """Shown to clients: the user's words and the assistant's final answers."""
        return self.role == self.Role.USER or (
            self.role == self.Role.ASSISTANT and self.tool_calls is None
        )

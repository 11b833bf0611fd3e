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


class Nudge(models.Model):
    """A question the assistant asked first, by push: "did you stop at 18:10?" about a timer
    left running, "shall we pause it?" about a goal behind pace. It opens its own
    conversation, whose first message is the question, and is settled once: by the person's
    answer there (text or voice, through the assistant's tools), or by a button under the
    notification (`POST /api/v1/nudges/{id}/answer`). Answering again changes nothing.

    `key` names what was asked about (the timer's run, the goal's period), the same key as the
    notification's: one nudge per run or period."""

    class Kind(models.TextChoices):
        STALE_TIMER = "stale_timer", _("Forgotten timer")
        GOAL_BEHIND_PACE = "goal_behind_pace", _("Goal behind pace")

    class Answer(models.TextChoices):
        STOPPED = "stopped", _("Stopped: the timer was corrected")
        CONTINUE = "continue", _("Still working")
        PAUSED = "paused", _("Goal paused")
        PROGRESS = "progress", _("Progress logged")

    class Channel(models.TextChoices):
        PUSH = "push", _("Notification button")
        CHAT = "chat", _("Conversation")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="nudges",
        verbose_name=_("user"),
    )
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    key = models.CharField(_("key"), max_length=200)
    task = models.ForeignKey(
        "tasks.Task",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="nudges",
        verbose_name=_("task"),
    )
    goal = models.ForeignKey(
        "goals.Goal",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="nudges",
        verbose_name=_("goal"),
    )
    # Kept when the person deletes the conversation: the notification's buttons still work.
    conversation = models.OneToOneField(
        Conversation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="nudge",
        verbose_name=_("conversation"),
    )
    question = models.TextField(_("question"))
    asked_at = models.DateTimeField(_("asked at"))
    # The timer's run asked about (its running_since), and the stop the question proposes.
    run_started_at = models.DateTimeField(_("run started at"), null=True, blank=True)
    proposed_stopped_at = models.DateTimeField(_("proposed stop"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answer = models.CharField(_("answer"), max_length=16, choices=Answer.choices, blank=True)
    answered_by = models.CharField(
        _("answered by"), max_length=8, choices=Channel.choices, blank=True
    )
    # Where the timer was stopped when the answer corrected it.
    stopped_at = models.DateTimeField(_("stopped at"), null=True, blank=True)

    class Meta:
        db_table = "nudges"
        ordering = ["-asked_at", "-id"]
        verbose_name = _("nudge")
        verbose_name_plural = _("nudges")
        indexes = [models.Index(fields=["user", "-asked_at"], name="nudges_user_recent")]
        constraints = [
            models.UniqueConstraint(fields=["user", "kind", "key"], name="nudges_once_per_key"),
            models.CheckConstraint(
                condition=(
                    models.Q(kind="stale_timer", goal__isnull=True)
                    | models.Q(kind="goal_behind_pace", task__isnull=True)
                ),
                name="nudges_subject_of_kind",
            ),
            models.CheckConstraint(
                condition=models.Q(answered_at__isnull=True, answer="")
                | models.Q(answered_at__isnull=False) & ~models.Q(answer=""),
                name="nudges_answer_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.asked_at:%Y-%m-%d %H:%M}"

    @property
    def is_answered(self) -> bool:
        return self.answered_at is not None

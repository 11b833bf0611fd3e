from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from chat.models import Conversation, Message, Nudge

CONTENT_MAX_CHARS = 4000


class StrictCharField(serializers.CharField):
    """Text only: a number or a list is an error, not silently turned into a string."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class MessageCreateSerializer(serializers.Serializer):
    """A message to the assistant (REST body and the websocket `message` frame)."""

    content = StrictCharField(max_length=CONTENT_MAX_CHARS, trim_whitespace=True)
    conversation_id = serializers.UUIDField(required=False, allow_null=True)

    def validate_content(self, value: str) -> str:
        if not value.strip():
            raise serializers.ValidationError(_("This field may not be blank."))
        return value


class VoiceMessageCreateSerializer(serializers.Serializer):
    """Multipart body of POST /chat/voice: the recording and, optionally, the conversation."""

    audio = serializers.FileField(allow_empty_file=False)
    conversation_id = serializers.UUIDField(required=False, allow_null=True)


class ActionSerializer(serializers.Serializer):
    tool = serializers.CharField()
    arguments = serializers.JSONField()
    result = serializers.JSONField()


class MessageSerializer(serializers.ModelSerializer):
    conversation_id = serializers.UUIDField(read_only=True)
    actions = serializers.SerializerMethodField()

    class Meta:
        model = Message
        fields = [
            "id",
            "conversation_id",
            "role",
            "content",
            "source",
            "status",
            "actions",
            "model",
            "prompt_tokens",
            "completion_tokens",
            "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field(ActionSerializer(many=True))
    def get_actions(self, message: Message) -> list:
        return message.actions or []


class ConversationSerializer(serializers.ModelSerializer):
    """A conversation in the list: annotated by `selectors.conversation_list`."""

    message_count = serializers.IntegerField(read_only=True)
    last_message_preview = serializers.CharField(read_only=True, allow_null=True)

    class Meta:
        model = Conversation
        fields = [
            "id",
            "title",
            "created_at",
            "updated_at",
            "message_count",
            "last_message_preview",
        ]
        read_only_fields = fields


class ConversationDetailSerializer(serializers.ModelSerializer):
    messages = serializers.SerializerMethodField()

    class Meta:
        model = Conversation
        fields = ["id", "title", "created_at", "updated_at", "messages"]
        read_only_fields = fields

    @extend_schema_field(MessageSerializer(many=True))
    def get_messages(self, conversation: Conversation) -> list:
        return MessageSerializer(self.context["messages"], many=True).data


class ConversationUpdateSerializer(serializers.Serializer):
    title = StrictCharField(max_length=120, allow_blank=False, trim_whitespace=True)


class ChatReplySerializer(serializers.Serializer):
    """What POST /chat/message answers (the turn's outcome)."""

    conversation_id = serializers.UUIDField()
    user_message = MessageSerializer()
    assistant_message = MessageSerializer()
    actions = ActionSerializer(many=True)


class TranscriptSerializer(serializers.Serializer):
    text = serializers.CharField()
    confidence = serializers.FloatField(allow_null=True)
    duration = serializers.FloatField(allow_null=True, help_text="Seconds of audio.")


class VoiceReplySerializer(ChatReplySerializer):
    """What POST /chat/voice answers: the transcript, then the turn as for /chat/message."""

    transcript = TranscriptSerializer()


class ChatUsageSerializer(serializers.Serializer):
    """Today's use of the assistant (the UTC day, which no setting of the user moves) against
    the daily token budget."""

    date = serializers.DateField(help_text="The budget's day: today in UTC (YYYY-MM-DD).")
    timezone = serializers.CharField(help_text='Always "UTC": the zone that defines the day.')
    prompt_tokens = serializers.IntegerField()
    completion_tokens = serializers.IntegerField()
    tokens = serializers.IntegerField(help_text="prompt_tokens + completion_tokens today.")
    budget = serializers.IntegerField(
        allow_null=True, help_text="Tokens allowed per day; null when there is no budget."
    )
    remaining = serializers.IntegerField(allow_null=True, help_text="null when no budget.")
    resets_at = serializers.DateTimeField(
        help_text="The next 00:00 UTC, written with the user's UTC offset (for display)."
    )


class NudgeSerializer(serializers.ModelSerializer):
    """A question the assistant asked first, by push, and how it was answered."""

    task_id = serializers.UUIDField(read_only=True, allow_null=True)
    goal_id = serializers.UUIDField(read_only=True, allow_null=True)
    conversation_id = serializers.UUIDField(read_only=True, allow_null=True)

    class Meta:
        model = Nudge
        fields = [
            "id",
            "kind",
            "task_id",
            "goal_id",
            "conversation_id",
            "question",
            "asked_at",
            "proposed_stopped_at",
            "answered_at",
            "answer",
            "answered_by",
            "stopped_at",
        ]
        read_only_fields = fields


class NudgeAnswerSerializer(serializers.Serializer):
    """The button pressed under the notification (the action identifiers of the Expo
    category, docs/push.md)."""

    action = serializers.ChoiceField(
        choices=[Nudge.Answer.STOPPED, Nudge.Answer.CONTINUE],
        help_text="`stopped`: the timer stopped at the time the question proposed; "
        "`continue`: still working, leave it running.",
    )

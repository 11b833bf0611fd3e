from asgiref.sync import async_to_sync
from django.db import connection
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from chat import budget, nudges, selectors, services, voice
from chat.agent import run_turn
from chat.audio import is_audio_file
from chat.errors import (
    AssistantUnavailable,
    InvalidAudio,
    NoSpeech,
    TranscriptTooLong,
    VoiceUnavailable,
)
from chat.models import Conversation, Nudge
from chat.serializers import (
    CONTENT_MAX_CHARS,
    ChatReplySerializer,
    ChatUsageSerializer,
    ConversationDetailSerializer,
    ConversationSerializer,
    ConversationUpdateSerializer,
    MessageCreateSerializer,
    NudgeAnswerSerializer,
    NudgeSerializer,
    VoiceMessageCreateSerializer,
    VoiceReplySerializer,
)
from chat.voice_uploads import voice_upload_slot
from config import llm
from config.throttling import UserRateThrottle, UserThrottle
from config.viewsets import UserScopedViewSet

CONVERSATION_BUSY = (
    "`conversation_busy`: another turn of this conversation is still being answered "
    "(REST or websocket, any device); nothing is stored."
)
BUDGET_EXCEEDED = (
    "`assistant_budget_exceeded`: today's token budget is used up; the error carries "
    "`resets_at` (the next 00:00 UTC, with the user's offset) and `retry_after` seconds, and the "
    "response "
    "a `Retry-After` header. Nothing is stored. Also `throttled` (too many messages)."
)
VOICE_BUSY = (
    "`voice_uploads_in_progress`: the user already has `VOICE_MAX_CONCURRENT_UPLOADS` (2) voice "
    "messages being processed. Both 429s are answered before the upload is read."
)
TURN_TIMEOUT = (
    "`assistant_timeout`: the model, or the whole turn (`ASSISTANT_TURN_TIMEOUT_SECONDS`), "
    "took too long; the user's message is kept."
)


class ChatUsageView(APIView):
    """Today's use of the assistant against the daily token budget."""

    @extend_schema(responses={200: ChatUsageSerializer}, summary="The assistant's daily usage")
    def get(self, request):
        usage = budget.usage_today(user=request.user)
        return Response(usage.as_dict())


class ChatMessageView(APIView):
    """Send a message to the assistant and get its whole reply (the websocket streams it)."""

    throttle_classes = [UserThrottle, UserRateThrottle]
    throttle_scope = "chat"
    throttle_weight = "chat_message"  # against the user's general rate (config/throttling.py)

    @extend_schema(
        request=MessageCreateSerializer,
        responses={
            201: ChatReplySerializer,
            404: OpenApiResponse(description="Unknown conversation (or another user's)."),
            409: OpenApiResponse(description=CONVERSATION_BUSY),
            429: OpenApiResponse(description=BUDGET_EXCEEDED),
            502: OpenApiResponse(description="`assistant_upstream_error`: the model failed."),
            503: OpenApiResponse(description="`assistant_unavailable`: no model configured."),
            504: OpenApiResponse(description=TURN_TIMEOUT),
        },
        summary="Talk to the assistant",
    )
    def post(self, request):
        serializer = MessageCreateSerializer(
            data=request.data, context={"user": request.user, "request": request}
        )
        serializer.is_valid(raise_exception=True)
        _release_pooled_connection()
        result = async_to_sync(run_turn)(
            user=request.user,
            content=serializer.validated_data["content"],
            conversation_id=serializer.validated_data.get("conversation_id"),
            source="text",
        )
        return Response(_turn_body(result), status=status.HTTP_201_CREATED)


def _release_pooled_connection() -> None:
    """Give this thread's database connection back before waiting on the model.

    In production these views run on Daphne (Traefik routes them to the ws role), where
    connections come from a small pool shared by every socket; a turn waits on the model for
    seconds to minutes, and holding a pooled connection that long would starve the sockets.
    The turn's own reads and writes take connections as they need them. Persistent
    connections (granian's WSGI workers, `make serve`) are kept: that worker is busy with this
    turn anyway.
    """
    if getattr(connection, "pool", None) is not None:
        connection.close()


def _turn_body(result) -> dict:
    return {
        "conversation_id": result.conversation_id,
        "user_message": result.user_message,
        "assistant_message": result.assistant_message,
        "actions": result.actions,
    }


class ChatVoiceView(APIView):
    """Send a recording: it is transcribed (Deepgram) and answered like a written message."""

    throttle_classes = [UserThrottle, UserRateThrottle]
    throttle_scope = "chat"
    throttle_weight = "chat_voice"  # against the user's general rate (config/throttling.py)
    parser_classes = [MultiPartParser]

    @extend_schema(
        request={"multipart/form-data": VoiceMessageCreateSerializer},
        responses={
            201: VoiceReplySerializer,
            400: OpenApiResponse(
                description="`invalid_audio` (not a WAV, MP3, AAC, Ogg, WebM, MP4/M4A or FLAC "
                "recording; nothing is sent to the transcription service) or field errors."
            ),
            404: OpenApiResponse(description="Unknown conversation (or another user's)."),
            409: OpenApiResponse(description=CONVERSATION_BUSY),
            422: OpenApiResponse(description="`no_speech` or `transcript_too_long`."),
            429: OpenApiResponse(description=f"{BUDGET_EXCEEDED} {VOICE_BUSY}"),
            502: OpenApiResponse(description="`voice_upstream_error` / `assistant_upstream_error`"),
            503: OpenApiResponse(description="`voice_unavailable` / `assistant_unavailable`"),
            504: OpenApiResponse(description="`voice_timeout` / `assistant_timeout`"),
        },
        summary="Talk to the assistant with a recording",
    )
    def post(self, request):
        # What can refuse the message without its body is checked before the body is read:
        # a 25 MiB upload costs memory and disk whether or not it is then refused.
        if not llm.is_configured():
            raise AssistantUnavailable()
        if not voice.is_configured():
            raise VoiceUnavailable()
        budget.check_budget(user=request.user)
        with voice_upload_slot(user=request.user):
            return self._answer(request)

    def _answer(self, request):
        serializer = VoiceMessageCreateSerializer(
            data=request.data, context={"user": request.user, "request": request}
        )
        serializer.is_valid(raise_exception=True)
        conversation_id = serializer.validated_data.get("conversation_id")
        # Everything else that can refuse the message is checked before paying for a
        # transcription; the recording itself is only looked at (its first bytes) and then
        # streamed to Deepgram from the uploaded file, never read whole into memory.
        audio = serializer.validated_data["audio"]
        if not is_audio_file(audio):
            raise InvalidAudio()
        if conversation_id:
            services.conversation_check_free(user=request.user, conversation_id=conversation_id)
        _release_pooled_connection()
        transcript = async_to_sync(voice.transcribe)(audio=audio, language=request.user.language)
        if not transcript.text:
            raise NoSpeech()
        if len(transcript.text) > CONTENT_MAX_CHARS:
            raise TranscriptTooLong()
        result = async_to_sync(run_turn)(
            user=request.user,
            content=transcript.text,
            conversation_id=conversation_id,
            source="voice",
        )
        body = {"transcript": transcript.as_dict(), **_turn_body(result)}
        return Response(body, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(summary="Conversations, newest activity first"),
    retrieve=extend_schema(summary="A conversation with its messages in order"),
    partial_update=extend_schema(
        summary="Rename a conversation",
        request=ConversationUpdateSerializer,
        responses=ConversationSerializer,
    ),
    destroy=extend_schema(summary="Delete a conversation and its messages"),
)
class ConversationViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    queryset = Conversation.objects.none()  # the model, for the schema; get_queryset() scopes
    serializer_class = ConversationSerializer
    http_method_names = ["get", "patch", "delete", "head", "options"]

    def get_queryset(self):
        return selectors.conversation_list(user=self.request.user)

    def get_object(self):
        conversation = selectors.conversation_get(
            user=self.request.user, conversation_id=self.kwargs["pk"]
        )
        self.check_object_permissions(self.request, conversation)
        return conversation

    def get_serializer_class(self):
        if self.action == "retrieve":
            return ConversationDetailSerializer
        return ConversationSerializer

    def retrieve(self, request, *args, **kwargs):
        conversation = self.get_object()
        messages = selectors.conversation_messages(conversation=conversation)
        serializer = ConversationDetailSerializer(conversation, context={"messages": messages})
        return Response(serializer.data)

    def partial_update(self, request, *args, **kwargs):
        conversation = self.get_object()
        serializer = ConversationUpdateSerializer(
            data=request.data, context={"user": request.user, "request": request}
        )
        serializer.is_valid(raise_exception=True)
        services.conversation_update(
            user=request.user, conversation=conversation, title=serializer.validated_data["title"]
        )
        # Re-read through the list selector so the answer carries the same annotations.
        fresh = self.get_queryset().get(pk=conversation.pk)
        return Response(ConversationSerializer(fresh).data)

    def update(self, request, *args, **kwargs):  # PUT is not offered
        return self.partial_update(request, *args, **kwargs)

    def destroy(self, request, *args, **kwargs):
        conversation = self.get_object()
        services.conversation_delete(user=request.user, conversation=conversation)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(retrieve=extend_schema(summary="A question the assistant asked by push"))
class NudgeViewSet(UserScopedViewSet):
    queryset = Nudge.objects.none()  # the model, for the schema; selectors scope
    serializer_class = NudgeSerializer

    def retrieve(self, request, pk=None):
        nudge = selectors.nudge_get(user=request.user, nudge_id=pk)
        return Response(NudgeSerializer(nudge).data)

    @extend_schema(
        request=NudgeAnswerSerializer,
        responses={
            200: NudgeSerializer,
            404: OpenApiResponse(description="Unknown nudge (or another user's)."),
            409: OpenApiResponse(
                description="`nudge_outdated`: the timer was stopped or started again since "
                "the question (nothing changes); `nudge_action_not_offered`: this kind of "
                "question has no such button."
            ),
        },
        summary="Answer a question from the button under its notification",
        description="What the app posts when a button of the notification is pressed, "
        "without opening the conversation: `stopped` stops the timer at the time the question "
        "proposed, `continue` leaves it running; the conversation gets the answer and the "
        "reply. A nudge already answered (here or in its conversation) is returned unchanged: "
        "answering twice does nothing the second time.",
    )
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        data = self.validated_for(
            lambda: selectors.nudge_get(user=request.user, nudge_id=pk),
            NudgeAnswerSerializer,
            request.data,
        )
        nudge = nudges.nudge_answer(user=request.user, nudge_id=pk, action=data["action"])
        return Response(NudgeSerializer(nudge).data)

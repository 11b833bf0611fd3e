from asgiref.sync import async_to_sync
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from chat import selectors, services
from chat.agent import run_turn
from chat.models import Conversation
from chat.serializers import (
    ChatReplySerializer,
    ConversationDetailSerializer,
    ConversationSerializer,
    ConversationUpdateSerializer,
    MessageCreateSerializer,
)
from config.throttling import UserThrottle


class ChatMessageView(APIView):
    """Send a message to the assistant and get its whole reply (the websocket streams it)."""

    throttle_classes = [UserThrottle]
    throttle_scope = "chat"

    @extend_schema(
        request=MessageCreateSerializer,
        responses={
            201: ChatReplySerializer,
            404: OpenApiResponse(description="Unknown conversation (or another user's)."),
            502: OpenApiResponse(description="`assistant_upstream_error`: the model failed."),
            503: OpenApiResponse(description="`assistant_unavailable`: no model configured."),
            504: OpenApiResponse(description="`assistant_timeout`: the model took too long."),
        },
        summary="Talk to the assistant",
    )
    def post(self, request):
        serializer = MessageCreateSerializer(
            data=request.data, context={"user": request.user, "request": request}
        )
        serializer.is_valid(raise_exception=True)
        result = async_to_sync(run_turn)(
            user=request.user,
            content=serializer.validated_data["content"],
            conversation_id=serializer.validated_data.get("conversation_id"),
            source="text",
        )
        body = {
            "conversation_id": result.conversation_id,
            "user_message": result.user_message,
            "assistant_message": result.assistant_message,
            "actions": result.actions,
        }
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

from django.urls import re_path

from chat.views import ChatMessageView, ChatUsageView, ChatVoiceView, ConversationViewSet
from config.routers import OptionalSlashRouter

router = OptionalSlashRouter()
router.register("conversations", ConversationViewSet, basename="conversation")

urlpatterns = [
    re_path(r"^message/?$", ChatMessageView.as_view(), name="chat-message"),
    re_path(r"^voice/?$", ChatVoiceView.as_view(), name="chat-voice"),
    re_path(r"^usage/?$", ChatUsageView.as_view(), name="chat-usage"),
    *router.urls,
]

from django.urls import re_path

from chat.views import (
    ChatMessageView,
    ChatUsageView,
    ChatVoiceView,
    ConversationViewSet,
    NudgeViewSet,
)
from config.routers import OptionalSlashRouter

router = OptionalSlashRouter()
router.register("conversations", ConversationViewSet, basename="conversation")

# /api/v1/nudges/{id} and /answer: beside /chat/ (config/urls.py), for the app's buttons.
nudge_router = OptionalSlashRouter()
nudge_router.register("nudges", NudgeViewSet, basename="nudge")
nudge_urlpatterns = nudge_router.urls

urlpatterns = [
    re_path(r"^message/?$", ChatMessageView.as_view(), name="chat-message"),
    re_path(r"^voice/?$", ChatVoiceView.as_view(), name="chat-voice"),
    re_path(r"^usage/?$", ChatUsageView.as_view(), name="chat-usage"),
    *router.urls,
]

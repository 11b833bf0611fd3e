"""The assistant's errors, as the REST envelope and the websocket `error` frame carry them."""

from django.utils.translation import gettext_lazy as _
from rest_framework import status

from config.exceptions import DomainError


class AssistantUnavailable(DomainError):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    code = "assistant_unavailable"
    message = _("The assistant is not available: no language model is configured on this server.")


class AssistantUpstreamError(DomainError):
    status_code = status.HTTP_502_BAD_GATEWAY
    code = "assistant_upstream_error"
    message = _("The language model failed to answer. Your message was saved; try again.")


class AssistantTimeout(DomainError):
    status_code = status.HTTP_504_GATEWAY_TIMEOUT
    code = "assistant_timeout"
    message = _("The language model took too long to answer. Your message was saved; try again.")


class ConversationNotFound(DomainError):
    status_code = status.HTTP_404_NOT_FOUND
    code = "not_found"
    message = _("Conversation not found.")

"""The assistant's errors, as the REST envelope and the websocket `error` frame carry them."""

from django.utils.translation import gettext_lazy as _
from rest_framework import status

from config.exceptions import DomainError, NotFound


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


class ConversationNotFound(NotFound):
    message = _("Conversation not found.")


class VoiceUnavailable(DomainError):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    code = "voice_unavailable"
    message = _("Voice messages are not available: no speech-to-text service is configured.")


class VoiceUpstreamError(DomainError):
    status_code = status.HTTP_502_BAD_GATEWAY
    code = "voice_upstream_error"
    message = _("The speech-to-text service failed. Try again or write the message.")


class VoiceTimeout(DomainError):
    status_code = status.HTTP_504_GATEWAY_TIMEOUT
    code = "voice_timeout"
    message = _("The speech-to-text service took too long. Try again or write the message.")


class InvalidAudio(DomainError):
    code = "invalid_audio"
    message = _("The audio could not be decoded. Send a common format (m4a, mp3, ogg, wav, webm).")


class NoSpeech(DomainError):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    code = "no_speech"
    message = _("No speech was recognised in the audio.")


class TranscriptTooLong(DomainError):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    code = "transcript_too_long"
    message = _("The recording is too long for one message (at most 4,000 characters).")

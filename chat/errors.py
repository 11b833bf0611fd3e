"""The assistant's errors, as the REST envelope and the websocket `error` frame carry them."""

from django.utils.translation import gettext_lazy as _
from rest_framework import status

from config.exceptions import Conflict, DomainError, NotFound


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


class AssistantBudgetExceeded(DomainError):
    """The user's daily token budget is used up. The envelope adds `resets_at` (ISO 8601, the
    next 00:00 UTC written with the user's offset) and `retry_after` (seconds); REST also sends
    `Retry-After`."""

    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    code = "assistant_budget_exceeded"
    message = _("You have used today's assistant allowance. It renews every day at 00:00 UTC.")

    def __init__(self, *, resets_at, retry_after: int) -> None:
        super().__init__()
        self.resets_at = resets_at
        self.retry_after = max(1, int(retry_after))

    def as_dict(self) -> dict:
        return {
            **super().as_dict(),
            "resets_at": self.resets_at.isoformat(),
            "retry_after": self.retry_after,
        }

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}


class ConversationBusy(DomainError):
    status_code = status.HTTP_409_CONFLICT
    code = "conversation_busy"
    message = _(
        "The assistant is still answering another message in this conversation. Wait for that "
        "answer, then send yours."
    )


class AssistantTurnTimeout(AssistantTimeout):
    """The whole turn (every model call, retry and tool) ran past its time limit."""

    message = _(
        "The assistant took too long to finish its answer. Your message was saved; try again."
    )


class VoiceUploadsInProgress(DomainError):
    """The user already has VOICE_MAX_CONCURRENT_UPLOADS voice messages being received or
    answered (chat/voice_uploads.py)."""

    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    code = "voice_uploads_in_progress"
    message = _(
        "Your other voice messages are still being processed. Wait for their answers, then "
        "send this one."
    )


class NudgeNotFound(NotFound):
    message = _("Nudge not found.")


class NudgeOutdated(Conflict):
    """The timer a nudge asked about was stopped or started again since: its proposed stop
    no longer applies to anything."""

    code = "nudge_outdated"
    message = _("The timer was stopped or started again since this question; nothing changed.")


class NudgeActionNotOffered(Conflict):
    code = "nudge_action_not_offered"
    message = _("This question is not answered with that button; answer it in its conversation.")
